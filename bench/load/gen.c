// Load generator: video-like RTP (VP8) at a paced rate into one UDP destination, plain or
// SRTP (AES_CM_128_HMAC_SHA1_80, libsrtp2), sent with sendmmsg from one fixed source port
// (so a comedia PlainTransport keeps accepting it across runs).
//
//   gen --dst IP:PORT --src-port P [--ssrc N] [--pt N] [--size BYTES] [--ppf N]
//       [--srtp-key HEX60] [--cpu N] [--max-seconds S]
//
// Commands on stdin, one per line:
//   run RATE MS   send RATE packets/s for MS milliseconds, then print
//                 "done SENT WALL_NS CPU_NS SEND_ERRORS"
//   quit          (or EOF) exit
//
// Packets: 12-byte header (no extensions), then a VP8 payload descriptor (RFC 7741 §4.2,
// one byte: 0x10 = start of partition 0 on the first packet of a frame, 0x00 otherwise),
// then on a frame's first packet a VP8 frame header (key frame: P bit 0 and the start code
// 9d 01 2a; other frames: P bit 1). Every 30th frame is a key frame. At payload offset 16:
// "MSWB", the CLOCK_MONOTONIC send time in ns and the packet index, for the sink.
// Pacing: sends whatever is due, waking at least every 200 us (bursts of rate x 200 us).
// Sequence numbers, timestamps and SRTP state run on across runs.
#include "common.h"
#include <srtp2/srtp.h>

#define BATCH 256
#define MAX_SIZE 1500
#define QUANTUM_NS 200000.0

int main(int argc, char **argv)
{
    const char *dst_ip = "127.0.0.1";
    int dst_port = 0, src_port = 0, size = 1200, pt = 96, ppf = 10, cpu = -1, max_seconds = 7200;
    uint32_t ssrc = 0x0B0B0B0B;
    const char *key_hex = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) { fprintf(stderr, "missing value for %s\n", a); return 2; }
        if (!strcmp(a, "--dst")) {
            static char ip[64];
            const char *colon = strrchr(v, ':');
            if (!colon || colon - v >= (long)sizeof ip) { fprintf(stderr, "--dst IP:PORT\n"); return 2; }
            memcpy(ip, v, (size_t)(colon - v)); ip[colon - v] = 0;
            dst_ip = ip; dst_port = atoi(colon + 1);
        }
        else if (!strcmp(a, "--src-port")) src_port = atoi(v);
        else if (!strcmp(a, "--ssrc")) ssrc = (uint32_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--pt")) pt = atoi(v);
        else if (!strcmp(a, "--size")) size = atoi(v);
        else if (!strcmp(a, "--ppf")) ppf = atoi(v);
        else if (!strcmp(a, "--srtp-key")) key_hex = v;
        else if (!strcmp(a, "--cpu")) cpu = atoi(v);
        else if (!strcmp(a, "--max-seconds")) max_seconds = atoi(v);
        else { fprintf(stderr, "unknown argument %s\n", a); return 2; }
        i++;
    }
    if (dst_port <= 0 || size < 12 + STAMP_OFFSET + STAMP_LENGTH || size > MAX_SIZE - 32 || ppf < 1) {
        fprintf(stderr, "usage: gen --dst IP:PORT --src-port P [--size 64..1468] ...\n");
        return 2;
    }
    lifetime_guards(max_seconds);
    pin_cpu(cpu);

    srtp_t srtp = NULL;
    if (key_hex) {
        uint8_t key[30];
        if (parse_hex(key_hex, key, 30) != 30) { fprintf(stderr, "--srtp-key: 60 hex digits\n"); return 2; }
        if (srtp_init() != srtp_err_status_ok) { fprintf(stderr, "srtp_init failed\n"); return 2; }
        srtp_policy_t policy;
        memset(&policy, 0, sizeof policy);
        srtp_crypto_policy_set_rtp_default(&policy.rtp);
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
        policy.ssrc.type = ssrc_any_outbound;
        policy.key = key;
        policy.window_size = 1024;
        if (srtp_create(&srtp, &policy) != srtp_err_status_ok) { fprintf(stderr, "srtp_create failed\n"); return 2; }
    }

    int fd = udp_socket("127.0.0.1", src_port, 4 << 20);
    struct sockaddr_in dst = parse_addr(dst_ip, dst_port);

    // The payload every packet starts from (SRTP encrypts in place, so it is copied each time).
    static uint8_t tmpl[MAX_SIZE];
    for (int i = 0; i < size; i++) tmpl[i] = (uint8_t)(i * 7 + 3);
    tmpl[0] = 0x80;
    tmpl[1] = (uint8_t)(pt & 0x7f);
    put32(tmpl + 8, ssrc);

    static uint8_t bufs[BATCH][MAX_SIZE];
    static struct mmsghdr msgs[BATCH];
    static struct iovec iovs[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iovs[i].iov_base = bufs[i];
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &dst;
        msgs[i].msg_hdr.msg_namelen = sizeof dst;
    }

    uint64_t index = 0;             // packets sent over the whole life of the process
    uint16_t seq = (uint16_t)(ssrc * 2654435761u);
    uint32_t ts = 0;
    const uint64_t t_origin = now_ns();
    struct line_reader lr = { .len = 0 };
    char line[256];

    while (read_line_blocking(&lr, line, sizeof line) > 0) {
        if (!strncmp(line, "quit", 4)) break;
        double rate = 0; long ms = 0;
        if (sscanf(line, "run %lf %ld", &rate, &ms) != 2 || rate <= 0 || ms <= 0 || ms > 3600000) {
            fprintf(stderr, "gen: bad command '%s'\n", line);
            continue;
        }
        const uint64_t total = (uint64_t)(rate * (double)ms / 1000.0);
        const double ns_per_pkt = 1e9 / rate;
        const uint64_t t0 = now_ns(), c0 = cpu_ns();
        uint64_t sent = 0, errors = 0;
        while (sent < total) {
            uint64_t t = now_ns();
            uint64_t due = (uint64_t)((double)(t - t0) / ns_per_pkt) + 1;
            if (due > total) due = total;
            if (due <= sent) {
                // Wake at most every QUANTUM_NS: cheaper than a wake-up per packet at high rates.
                double ahead = ns_per_pkt < QUANTUM_NS ? QUANTUM_NS / ns_per_pkt : 1.0;
                uint64_t next = t0 + (uint64_t)(((double)sent + ahead - 1.0) * ns_per_pkt);
                struct timespec ts_next = { .tv_sec = (time_t)(next / 1000000000ull), .tv_nsec = (long)(next % 1000000000ull) };
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts_next, NULL);
                continue;
            }
            int n = (int)(due - sent > BATCH ? BATCH : due - sent);
            for (int i = 0; i < n; i++) {
                uint8_t *p = bufs[i];
                memcpy(p, tmpl, (size_t)size);
                uint64_t frame = index / (uint64_t)ppf;
                int first = index % (uint64_t)ppf == 0, last = index % (uint64_t)ppf == (uint64_t)ppf - 1;
                if (first) ts = (uint32_t)((t - t_origin) / 100000ull * 9ull); // 90 kHz
                p[1] = (uint8_t)((pt & 0x7f) | (last ? 0x80 : 0));
                put16(p + 2, seq++);
                put32(p + 4, ts);
                uint8_t *pl = p + 12;
                if (first) {
                    pl[0] = 0x10;                  // S=1, PID=0
                    if (frame % 30 == 0) {
                        pl[1] = 0x10;              // P=0 (key), version 0, show_frame
                        pl[2] = 0x02; pl[3] = 0x00;
                        pl[4] = 0x9d; pl[5] = 0x01; pl[6] = 0x2a;
                        pl[7] = 0x80; pl[8] = 0x02; // width 640
                        pl[9] = 0xe0; pl[10] = 0x01; // height 480
                    } else {
                        pl[1] = 0x11;              // P=1 (inter frame)
                    }
                } else {
                    pl[0] = 0x00;
                }
                put32(pl + STAMP_OFFSET, STAMP_MAGIC);
                memcpy(pl + STAMP_OFFSET + 4, &t, 8);
                uint32_t idx32 = (uint32_t)index;
                memcpy(pl + STAMP_OFFSET + 12, &idx32, 4);
                int len = size;
                if (srtp && srtp_protect(srtp, p, &len) != srtp_err_status_ok) errors++;
                iovs[i].iov_len = (size_t)len;
                index++;
            }
            int off = 0;
            while (off < n) {
                int r = sendmmsg(fd, msgs + off, (unsigned)(n - off), 0);
                if (r < 0) {
                    if (errno == EINTR) continue;
                    errors += (uint64_t)(n - off); // ENOBUFS and the like: count, go on
                    break;
                }
                off += r;
            }
            sent += (uint64_t)n;
        }
        printf("done %llu %llu %llu %llu\n", (unsigned long long)sent, (unsigned long long)(now_ns() - t0),
               (unsigned long long)(cpu_ns() - c0), (unsigned long long)errors);
        fflush(stdout);
    }
    if (srtp) srtp_dealloc(srtp);
    close(fd);
    return 0;
}
