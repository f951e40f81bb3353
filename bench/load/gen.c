// Load generator: video-like RTP (VP8) at a paced rate into one UDP destination, plain or
// SRTP (AES_CM_128_HMAC_SHA1_80, RFC 3711, done here on OpenSSL's AES-CTR and SHA-1: Debian's
// NSS-backed libsrtp2 costs ~4 µs a packet and made the generator the bottleneck at 1→1),
// sent with sendmmsg from one fixed source port (so a comedia PlainTransport keeps accepting it
// across runs).
//
//   gen --dst IP:PORT --src-port P [--ssrc N] [--pt N] [--size BYTES] [--ppf N]
//       [--srtp-key HEX60] [--cpu N] [--max-seconds S] [--gso 0|1]
//
// --gso 1 (default): a batch's equal-sized packets leave as UDP GSO messages (UDP_SEGMENT),
// which keeps the generator's CPU per packet far below the forwarder's; receivers still see
// ordinary datagrams.
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
#define OPENSSL_SUPPRESS_DEPRECATED // SHA1_*: the plain SHA-1 state lets HMAC start from a copy
#include "common.h"
#include <openssl/evp.h>
#include <openssl/sha.h>

// One outbound SRTP stream (one SSRC, sequence numbers +1 per packet): session keys derived
// once (RFC 3711 §4.3, kdr 0), HMAC inner/outer SHA-1 states precomputed.
struct srtp_tx {
    EVP_CIPHER_CTX *ctr;
    SHA_CTX inner, outer;
    uint8_t salt[14];
    uint32_t roc;
    int started;
    uint16_t last_seq;
};

static int aes_ctr(const uint8_t *key, const uint8_t iv[16], uint8_t *data, int len)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ol = 0, ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) == 1
                       && EVP_EncryptUpdate(c, data, &ol, data, len) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

static int srtp_tx_init(struct srtp_tx *s, const uint8_t master[30])
{
    uint8_t enc[16] = { 0 }, auth[20] = { 0 }, pad[64];
    uint8_t *outs[3] = { enc, auth, s->salt };
    int lens[3] = { 16, 20, 14 };
    memset(s->salt, 0, sizeof s->salt);
    for (int label = 0; label < 3; label++) {
        uint8_t iv[16] = { 0 };
        memcpy(iv, master + 16, 14);
        iv[7] ^= (uint8_t)label;
        if (!aes_ctr(master, iv, outs[label], lens[label])) return 0;
    }
    s->ctr = EVP_CIPHER_CTX_new();
    if (!s->ctr || EVP_EncryptInit_ex(s->ctr, EVP_aes_128_ctr(), NULL, enc, NULL) != 1) return 0;
    for (int i = 0; i < 64; i++) pad[i] = (uint8_t)((i < 20 ? auth[i] : 0) ^ 0x36);
    SHA1_Init(&s->inner); SHA1_Update(&s->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = (uint8_t)((i < 20 ? auth[i] : 0) ^ 0x5c);
    SHA1_Init(&s->outer); SHA1_Update(&s->outer, pad, 64);
    s->roc = 0; s->started = 0;
    return 1;
}

// Protects the RTP packet at p (12-byte header, no CSRCs or extensions) in place; appends the
// 80-bit tag. Returns the new length, or -1.
static int srtp_tx_protect(struct srtp_tx *s, uint8_t *p, int len)
{
    uint16_t seq = get16(p + 2);
    if (s->started && seq < s->last_seq) s->roc++;
    s->started = 1; s->last_seq = seq;
    uint8_t iv[16] = { 0 };
    memcpy(iv, s->salt, 14);
    uint32_t ssrc = get32(p + 8);
    for (int i = 0; i < 4; i++) iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) iv[8 + i] ^= (uint8_t)(s->roc >> (24 - 8 * i));
    iv[12] ^= (uint8_t)(seq >> 8); iv[13] ^= (uint8_t)seq;
    int ol = 0;
    if (EVP_EncryptInit_ex(s->ctr, NULL, NULL, NULL, iv) != 1
        || EVP_EncryptUpdate(s->ctr, p + 12, &ol, p + 12, len - 12) != 1) return -1;
    uint8_t roc_be[4] = { (uint8_t)(s->roc >> 24), (uint8_t)(s->roc >> 16), (uint8_t)(s->roc >> 8), (uint8_t)s->roc };
    uint8_t d[20];
    SHA_CTX h = s->inner;
    SHA1_Update(&h, p, (size_t)len); SHA1_Update(&h, roc_be, 4); SHA1_Final(d, &h);
    h = s->outer;
    SHA1_Update(&h, d, 20); SHA1_Final(d, &h);
    memcpy(p + len, d, 10);
    return len + 10;
}

#define BATCH 256
#define MAX_SIZE 1500
#define QUANTUM_NS 200000.0

int main(int argc, char **argv)
{
    const char *dst_ip = "127.0.0.1";
    int dst_port = 0, src_port = 0, size = 1200, pt = 96, ppf = 10, cpu = -1, max_seconds = 7200, gso = 1;
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
        else if (!strcmp(a, "--gso")) gso = atoi(v);
        else { fprintf(stderr, "unknown argument %s\n", a); return 2; }
        i++;
    }
    if (dst_port <= 0 || size < 12 + STAMP_OFFSET + STAMP_LENGTH || size > MAX_SIZE - 32 || ppf < 1) {
        fprintf(stderr, "usage: gen --dst IP:PORT --src-port P [--size 64..1468] ...\n");
        return 2;
    }
    lifetime_guards(max_seconds);
    pin_cpu(cpu);

    static struct srtp_tx tx;
    struct srtp_tx *srtp = NULL;
    if (key_hex) {
        uint8_t key[30];
        if (parse_hex(key_hex, key, 30) != 30) { fprintf(stderr, "--srtp-key: 60 hex digits\n"); return 2; }
        if (!srtp_tx_init(&tx, key)) { fprintf(stderr, "SRTP key set-up failed\n"); return 2; }
        srtp = &tx;
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

    // GSO messages: consecutive iovecs of the batch, all packets of one size (the template's,
    // plus the tag with SRTP), at most 64 segments and 65000 bytes each.
    static struct mmsghdr gmsgs[BATCH];
    static uint8_t gctl[BATCH][GSO_CONTROL_SIZE];
    const int wire = size + (srtp ? 10 : 0);
    int per_msg = 65000 / wire;
    if (per_msg > 64) per_msg = 64;

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
                if (srtp && (len = srtp_tx_protect(srtp, p, len)) < 0) { errors++; len = size; }
                iovs[i].iov_len = (size_t)len;
                index++;
            }
            struct mmsghdr *out = msgs;
            int count = n;
            if (gso) {
                count = 0;
                for (int i = 0; i < n; i += per_msg, count++) {
                    struct msghdr *h = &gmsgs[count].msg_hdr;
                    memset(h, 0, sizeof *h);
                    h->msg_name = &dst;
                    h->msg_namelen = sizeof dst;
                    h->msg_iov = &iovs[i];
                    h->msg_iovlen = (size_t)(n - i < per_msg ? n - i : per_msg);
                    if (h->msg_iovlen > 1) set_udp_segment(h, gctl[count], (uint16_t)wire);
                }
                out = gmsgs;
            }
            int off = 0;
            while (off < count) {
                int r = sendmmsg(fd, out + off, (unsigned)(count - off), 0);
                if (r < 0) {
                    if (errno == EINTR) continue;
                    // ENOBUFS and the like: count the packets not sent, go on.
                    for (int k = off; k < count; k++) errors += (uint64_t)out[k].msg_hdr.msg_iovlen;
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
    if (srtp) EVP_CIPHER_CTX_free(srtp->ctr);
    close(fd);
    return 0;
}
