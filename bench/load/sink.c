// Load sink: receives every consumer's RTP on one UDP port with recvmmsg and measures,
// over a commanded window: packets and bytes, loss from sequence gaps per SSRC, latency
// (receive time minus the generator's CLOCK_MONOTONIC stamp), and the CPU time and RSS of
// the process under test (read from /proc at the window's edges, so they line up exactly).
//
//   sink --port P [--cpu N] [--max-seconds S] [--sample K] [--wake-us US]
//        [--twcc-id ID [--fb-ms MS] [--dump FILE [--dump-count K]]]
//
// --wake-us (default 250): while a step runs, sleep that long between drains instead of
// waiting on the socket (0: wait, i.e. be woken by every packet after a quiet spell).
// Latency uses the kernel's arrival timestamp either way.
//
// --twcc-id ID: the transport-wide-cc-01 header extension id the consumers negotiated. The
// sink then answers like a receiving browser: per source address (one consumer transport
// each), transport-cc feedback every --fb-ms (default 50) built from the kernel arrival
// times (twcc.h), sent to that address from the sink's socket (rtcp-mux). Probation packets
// (SSRC 1234, padding) count in the feedback but not as forwarded packets. --dump FILE
// writes the first feedback packets with what each status was meant to say, for
// `Mediasoup.Worker.Bench --check-twcc FILE` (bench/micro) to compare with the worker's parser.
//
// Commands on stdin, one per line:
//   rtcpkey PORT HEX60   feedback to the transport at 127.0.0.1:PORT is SRTCP
//                        (AES_CM_128_HMAC_SHA1_80) under this key (the one given to its connect())
//   key SSRC HEX60       packets with this SSRC are SRTP (AES_CM_128_HMAC_SHA1_80) under
//                        this key: every K-th packet (--sample, default 16) is decrypted for
//                        its stamp (the header, hence loss counting, is in the clear)
//   measure WARMUP_MS MEASURE_MS PID INGRESS_PORT [FWD_CPU]
//                        waits WARMUP_MS, measures for MEASURE_MS, prints one JSON line
//                        (FWD_CPU: the CPU the process under test is pinned to, whose
//                        busy time tells how much else ran there)
//   quit                 (or EOF) exit
//
// Packets are processed all the time (SRTP rollover tracking needs continuity); only the
// counting is windowed. RTCP (second byte 192..223) is ignored.
#include "common.h"
#include "twcc.h"
#include <dirent.h>
#include <fcntl.h>
#include <srtp2/srtp.h>

#define BATCH 256
#define BUF_SIZE 2048
#define TABLE 4096
#define HIST_US 200000 /* 1 us buckets up to 200 ms, then one overflow bucket */

struct stream {
    uint32_t ssrc;
    int used;
    srtp_t srtp;
    // Window statistics (RFC 3550 A.1 style extended sequence numbers).
    int active;
    uint32_t base_ext, max_ext, received;
    uint32_t total_seen;
};

#define PROBATION_SSRC 1234u
#define SOURCES 256

static struct stream table[TABLE];

// ---- transport-cc receiver side (--twcc-id) ----

struct source {
    struct twcc_source *twcc; /* NULL: slot free */
    srtp_t srtcp;             /* outbound SRTCP for this transport, if keyed */
};
static struct source sources[SOURCES];
static FILE *dump_file;
static int dump_left = 4000; /* feedback packets written to the dump at most */

static struct source *source_for(const struct sockaddr_in *from)
{
    uint16_t port = ntohs(from->sin_port);
    for (int i = 0; i < SOURCES; i++) {
        struct source *src = &sources[(port + i) & (SOURCES - 1)];
        if (src->twcc && src->twcc->addr.sin_port == from->sin_port && src->twcc->addr.sin_addr.s_addr == from->sin_addr.s_addr)
            return src;
        if (!src->twcc) {
            src->twcc = calloc(1, sizeof *src->twcc);
            if (!src->twcc) die("calloc");
            src->twcc->used = 1;
            src->twcc->addr = *from;
            src->twcc->next_seq = src->twcc->max_seq = -1;
            return src;
        }
    }
    return NULL;
}

// The transport-wide sequence number from a one-byte (RFC 8285 §4.2) or two-byte (§4.3)
// header extension block; -1 without it.
static int find_twcc(const uint8_t *p, int len, int id)
{
    int cc = p[0] & 0x0F;
    int off = 12 + cc * 4;
    if (!(p[0] & 0x10) || off + 4 > len) return -1;
    uint16_t profile = get16(p + off);
    int end = off + 4 + get16(p + off + 2) * 4;
    if (end > len) return -1;
    int q = off + 4;
    while (q < end) {
        int eid, elen;
        if (profile == 0xBEDE) {
            if (p[q] == 0) { q++; continue; }
            eid = p[q] >> 4;
            elen = (p[q] & 0x0F) + 1;
            if (eid == 15) return -1;
            q++;
        } else if ((profile & 0xFFF0) == 0x1000) {
            if (p[q] == 0) { q++; continue; }
            if (q + 2 > end) return -1;
            eid = p[q];
            elen = p[q + 1];
            q += 2;
        } else {
            return -1;
        }
        if (q + elen > end) return -1;
        if (eid == id) return elen >= 2 ? get16(p + q) : -1;
        q += elen;
    }
    return -1;
}

// Feedback for every source with something unreported; returns the RTCP packets sent.
static uint64_t send_feedback(int fd, uint32_t sender_ssrc)
{
    static uint8_t pkt[TWCC_MAX_BYTES + 64];
    static struct twcc_status_log log[TWCC_MAX_STATUS];
    uint64_t sent = 0;
    for (int i = 0; i < SOURCES; i++) {
        struct source *src = &sources[i];
        if (!src->twcc || !src->twcc->media_ssrc) continue;
        for (int guard = 0; guard < 64; guard++) {
            int log_n = 0;
            int len = twcc_build(src->twcc, sender_ssrc, pkt, dump_file && dump_left > 0 ? log : NULL, &log_n);
            if (len <= 0) break;
            if (dump_file && dump_left > 0) {
                twcc_dump(dump_file, pkt, len, log, log_n);
                if (--dump_left == 0) { fclose(dump_file); dump_file = NULL; }
            }
            if (src->srtcp) {
                int l = len;
                if (srtp_protect_rtcp(src->srtcp, pkt, &l) != srtp_err_status_ok) continue;
                len = l;
            }
            if (sendto(fd, pkt, (size_t)len, 0, (struct sockaddr *)&src->twcc->addr, sizeof src->twcc->addr) == len) sent++;
        }
    }
    return sent;
}

static int srtp_ready(void)
{
    static int done;
    if (!done && srtp_init() != srtp_err_status_ok) { fprintf(stderr, "srtp_init failed\n"); exit(2); }
    done = 1;
    return 1;
}

// An AES_CM_128_HMAC_SHA1_80 session (replacing *session) for one inbound SSRC, or any outbound.
static void srtp_session(srtp_t *session, const char *hex, srtp_ssrc_type_t type, uint32_t ssrc)
{
    uint8_t key[30];
    if (parse_hex(hex, key, 30) != 30) { fprintf(stderr, "sink: bad key\n"); return; }
    srtp_ready();
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    srtp_crypto_policy_set_rtp_default(&policy.rtp);
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
    policy.ssrc.type = type;
    policy.ssrc.value = ssrc;
    policy.key = key;
    policy.window_size = 1024;
    if (*session) srtp_dealloc(*session);
    *session = NULL;
    if (srtp_create(session, &policy) != srtp_err_status_ok) { fprintf(stderr, "srtp_create failed\n"); exit(2); }
}
static uint32_t hist[HIST_US + 1];

static struct stream *lookup(uint32_t ssrc, int create)
{
    uint32_t h = (ssrc * 2654435761u) & (TABLE - 1);
    for (int i = 0; i < TABLE; i++) {
        struct stream *s = &table[(h + (uint32_t)i) & (TABLE - 1)];
        if (s->used && s->ssrc == ssrc) return s;
        if (!s->used) {
            if (!create) return NULL;
            s->used = 1; s->ssrc = ssrc;
            return s;
        }
    }
    return NULL;
}

static long long proc_cpu_ticks(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); // comm may contain spaces
    if (!p) return -1;
    // After ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    unsigned long long utime = 0, stime = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
    return (long long)(utime + stime);
}

// CPU time of all the process's threads in ns (first field of /proc/PID/task/*/schedstat):
// finer than the 10 ms ticks of /proc/PID/stat, for small differences. -1 if unreadable.
static long long proc_cpu_ns(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d) return -1;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p2[320];
        snprintf(p2, sizeof p2, "/proc/%d/task/%s/schedstat", pid, e->d_name);
        FILE *f = fopen(p2, "r");
        if (!f) continue;
        unsigned long long run = 0;
        if (fscanf(f, "%llu", &run) == 1) total += (long long)run;
        fclose(f);
    }
    closedir(d);
    return total;
}

static long proc_rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) { kb = atol(line + 6); break; }
    fclose(f);
    return kb;
}

// Kernel drop counter of the IPv4 UDP socket bound to 127.0.0.1:port or 0.0.0.0:port
// (last column of /proc/net/udp). -1 if none.
static long long udp_drops(int port)
{
    if (port <= 0) return -1;
    FILE *f = fopen("/proc/net/udp", "r");
    if (!f) return -1;
    char line[512];
    long long total = -1;
    fgets(line, sizeof line, f);
    while (fgets(line, sizeof line, f)) {
        unsigned ip, p;
        if (sscanf(line, " %*d: %x:%x", &ip, &p) != 2 || (int)p != port) continue;
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
        char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
        for (int field = 0; tok && field < 12; field++) tok = strtok_r(NULL, " \t\n", &save);
        if (!tok) continue;
        if (total < 0) total = 0;
        total += atoll(tok);
    }
    fclose(f);
    return total;
}

// Machine-wide: UDP receive-buffer errors (/proc/net/snmp) + loopback backlog drops
// (/proc/net/softnet_stat, second column, all CPUs). Catches drops at any socket.
static long long kernel_drops(void)
{
    long long total = 0;
    char line[1024];
    FILE *f = fopen("/proc/net/snmp", "r");
    if (f) {
        int seen_header = 0;
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "Udp: ", 5)) continue;
            if (!seen_header) { seen_header = 1; continue; }
            long long in, noports, inerr, out, rcvbuf;
            if (sscanf(line + 5, "%lld %lld %lld %lld %lld", &in, &noports, &inerr, &out, &rcvbuf) == 5) total += rcvbuf;
            break;
        }
        fclose(f);
    }
    f = fopen("/proc/net/softnet_stat", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            unsigned processed, dropped;
            if (sscanf(line, "%x %x", &processed, &dropped) == 2) total += dropped;
        }
        fclose(f);
    }
    return total;
}

// Busy and steal ticks of one CPU ("cpuN" line of /proc/stat; cpu < 0: all CPUs).
static void cpu_busy(int cpu, long long *busy, long long *steal)
{
    char want[16], line[512];
    if (cpu < 0) snprintf(want, sizeof want, "cpu ");
    else snprintf(want, sizeof want, "cpu%d ", cpu);
    *busy = *steal = -1;
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want))) continue;
        long long user, nice, sys, idle, iowait, irq, softirq, st;
        if (sscanf(line + strlen(want), "%lld %lld %lld %lld %lld %lld %lld %lld",
                   &user, &nice, &sys, &idle, &iowait, &irq, &softirq, &st) == 8) {
            *busy = user + nice + sys + irq + softirq + st;
            *steal = st;
        }
        break;
    }
    fclose(f);
}

static uint32_t percentile(uint64_t count, double q)
{
    if (!count) return 0;
    uint64_t want = (uint64_t)((double)count * q);
    if (want >= count) want = count - 1;
    uint64_t acc = 0;
    for (uint32_t i = 0; i <= HIST_US; i++) {
        acc += hist[i];
        if (acc > want) return i;
    }
    return HIST_US;
}

int main(int argc, char **argv)
{
    int port = 0, cpu = -1, max_seconds = 7200, sample = 16, wake_us = 250, twcc_id = 0, fb_ms = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cpu")) cpu = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--max-seconds")) max_seconds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--sample")) sample = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--wake-us")) wake_us = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--twcc-id")) twcc_id = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--fb-ms")) fb_ms = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dump-count")) dump_left = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dump")) { dump_file = fopen(argv[i + 1], "wb"); if (!dump_file) die("dump"); }
        else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
    }
    if (port <= 0 || sample < 1 || twcc_id < 0 || twcc_id > 255 || fb_ms < 1) { fprintf(stderr, "usage: sink --port P [--cpu N] [--sample K]\n"); return 2; }
    lifetime_guards(max_seconds);
    pin_cpu(cpu);
    int have_srtp = 0;
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

    int fd = udp_socket("127.0.0.1", port, 16 << 20);
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) die("SO_TIMESTAMPNS");
    int rcvbuf = 0; socklen_t sl = sizeof rcvbuf;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &sl);

    static uint8_t bufs[BATCH][BUF_SIZE];
    static struct mmsghdr msgs[BATCH];
    static struct iovec iovs[BATCH];
    static struct sockaddr_in names[BATCH];
    static uint8_t ctrl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
    for (int i = 0; i < BATCH; i++) {
        iovs[i].iov_base = bufs[i];
        iovs[i].iov_len = BUF_SIZE;
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const uint32_t sender_ssrc = 0x5EEDFB00u;
    uint64_t next_fb = now_ns() + (uint64_t)fb_ms * 1000000ull;

    // Window state.
    enum { IDLE, WARMUP, MEASURING } state = IDLE;
    uint64_t t_start = 0, t_end = 0, w_start = 0;
    int pid = 0, ingress_port = 0, fwd_cpu = -1;
    long long fbusy0 = 0, fsteal0 = 0, abusy0 = 0, asteal0 = 0;
    long long fwd_ns0 = 0;
    long long ticks0 = 0, sink_drops0 = 0, ingress_drops0 = 0, kernel_drops0 = 0;
    uint64_t cpu0 = 0;
    uint64_t pkts = 0, bytes = 0, lat_n = 0, lat_sum_us = 0, srtp_fail = 0, bad = 0, unknown_key = 0, sample_ctr = 0;
    uint64_t probation = 0, fb_sent = 0, twcc_missing = 0;
    uint32_t lat_max = 0;

    struct line_reader lr = { .len = 0 };
    char line[512];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            msgs[i].msg_hdr.msg_control = ctrl[i];
            msgs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
            msgs[i].msg_hdr.msg_name = &names[i];
            msgs[i].msg_hdr.msg_namelen = sizeof names[i];
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        uint64_t t = now_ns();
        // Arrival times come from the kernel (SO_TIMESTAMPNS, CLOCK_REALTIME): mapped onto
        // CLOCK_MONOTONIC with an offset read now, they leave out the sink's own wake-up delay.
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        int64_t rt_to_mono = (int64_t)t - ((int64_t)rt.tv_sec * 1000000000ll + rt.tv_nsec);
        if (n > 0) {
            int counting = state == MEASURING && t < t_end;
            for (int i = 0; i < n; i++) {
                uint8_t *p = bufs[i];
                int len = (int)msgs[i].msg_len;
                if (len < 12 || (p[0] & 0xC0) != 0x80) { if (counting) bad++; continue; }
                if (p[1] >= 192 && p[1] <= 223) continue; // RTCP
                uint32_t ssrc = get32(p + 8);
                uint64_t arrival = t;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
                    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                        struct timespec k;
                        memcpy(&k, CMSG_DATA(c), sizeof k);
                        arrival = (uint64_t)((int64_t)k.tv_sec * 1000000000ll + k.tv_nsec + rt_to_mono);
                    }
                }
                if (twcc_id) {
                    int tseq = find_twcc(p, len, twcc_id);
                    struct source *src = tseq >= 0 ? source_for(&names[i]) : NULL;
                    if (src) {
                        twcc_record(src->twcc, (uint16_t)tseq, arrival);
                        if (!src->twcc->media_ssrc && ssrc != PROBATION_SSRC) src->twcc->media_ssrc = ssrc;
                    } else if (counting && ssrc != PROBATION_SSRC) {
                        twcc_missing++;
                    }
                }
                if (ssrc == PROBATION_SSRC) { if (counting) probation++; continue; }
                struct stream *s = lookup(ssrc, 1);
                if (!s) { if (counting) bad++; continue; }
                uint16_t seq = get16(p + 2);
                s->total_seen++;
                if (counting) {
                    pkts++;
                    bytes += (uint64_t)len;
                    if (!s->active) {
                        s->active = 1;
                        s->base_ext = s->max_ext = 0x10000u + seq; // room for a little reordering
                        s->received = 1;
                    } else {
                        uint32_t cur = s->max_ext;
                        int16_t delta = (int16_t)(seq - (uint16_t)cur);
                        uint32_t ext = cur + (uint32_t)(int32_t)delta;
                        if ((int32_t)(ext - cur) > 0) s->max_ext = ext;
                        s->received++;
                    }
                }
                // Stamp: find the payload (CSRCs, header extension).
                int srtp_packet = s->srtp != NULL;
                if (srtp_packet) {
                    if (sample_ctr++ % (uint64_t)sample != 0) continue;
                    int l = len;
                    if (srtp_unprotect(s->srtp, p, &l) != srtp_err_status_ok) { if (counting) srtp_fail++; continue; }
                    len = l;
                } else if (have_srtp) {
                    if (counting) unknown_key++;
                    continue;
                }
                int off = 12 + (p[0] & 0x0F) * 4;
                if (p[0] & 0x10) {
                    if (off + 4 > len) continue;
                    off += 4 + get16(p + off + 2) * 4;
                }
                if (off + STAMP_OFFSET + STAMP_LENGTH > len) continue;
                const uint8_t *st = p + off + STAMP_OFFSET;
                if (get32(st) != STAMP_MAGIC) continue;
                uint64_t sent;
                memcpy(&sent, st + 4, 8);
                if (!counting || sent > arrival) continue;
                uint64_t us = (arrival - sent) / 1000;
                if (us > HIST_US) us = HIST_US;
                hist[us]++;
                lat_n++;
                lat_sum_us += us;
                if (us > lat_max) lat_max = (uint32_t)us;
            }
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            die("recvmmsg");
        }

        if (twcc_id && t >= next_fb) {
            uint64_t k = send_feedback(fd, sender_ssrc);
            if (state == MEASURING && t < t_end) fb_sent += k;
            next_fb = t + (uint64_t)fb_ms * 1000000ull;
        }
        if (n == BATCH) continue;

        // Window transitions.
        if (state == WARMUP && t >= t_start) {
            state = MEASURING;
            memset(hist, 0, sizeof hist);
            for (int i = 0; i < TABLE; i++) table[i].active = 0;
            pkts = bytes = lat_n = lat_sum_us = srtp_fail = bad = unknown_key = 0;
            probation = fb_sent = twcc_missing = 0;
            lat_max = 0;
            ticks0 = proc_cpu_ticks(pid);
            fwd_ns0 = proc_cpu_ns(pid);
            sink_drops0 = udp_drops(port);
            ingress_drops0 = udp_drops(ingress_port);
            kernel_drops0 = kernel_drops();
            cpu_busy(fwd_cpu, &fbusy0, &fsteal0);
            cpu_busy(-1, &abusy0, &asteal0);
            cpu0 = cpu_ns();
            w_start = now_ns();
            t_end = w_start + (t_end - t_start);
        } else if (state == MEASURING && t >= t_end) {
            uint64_t wall = now_ns() - w_start;
            long long ticks1 = proc_cpu_ticks(pid);
            long long fwd_ns1 = proc_cpu_ns(pid);
            long long sink_drops1 = udp_drops(port), ingress_drops1 = udp_drops(ingress_port);
            long long kernel_drops1 = kernel_drops();
            long long fbusy1, fsteal1, abusy1, asteal1;
            cpu_busy(fwd_cpu, &fbusy1, &fsteal1);
            cpu_busy(-1, &abusy1, &asteal1);
            uint64_t expected = 0, received = 0;
            int streams = 0;
            struct { int sources; uint64_t seen, fb_packets, fb_bytes, reported_received, reported_lost, late; } tw = { 0 };
            for (int i = 0; i < SOURCES; i++) {
                const struct twcc_source *ts = sources[i].twcc;
                if (!ts) continue;
                tw.sources++;
                tw.seen += ts->seen; tw.fb_packets += ts->fb_packets; tw.fb_bytes += ts->fb_bytes;
                tw.reported_received += ts->reported_received; tw.reported_lost += ts->reported_lost; tw.late += ts->late;
            }
            for (int i = 0; i < TABLE; i++) {
                if (!table[i].used || !table[i].active) continue;
                streams++;
                expected += (uint64_t)(table[i].max_ext - table[i].base_ext) + 1;
                received += table[i].received;
            }
            long long lost = (long long)expected - (long long)received;
            printf("{\"wall_ns\":%llu,\"pkts\":%llu,\"bytes\":%llu,\"streams\":%d,\"expected\":%llu,\"lost\":%lld,"
                   "\"lat_n\":%llu,\"p50_us\":%u,\"p99_us\":%u,\"max_us\":%u,\"mean_us\":%.1f,"
                   "\"srtp_fail\":%llu,\"unknown_key\":%llu,\"bad\":%llu,"
                   "\"cpu_ticks\":%lld,\"clk_tck\":%ld,\"rss_kb\":%ld,\"sink_cpu_ns\":%llu,"
                   "\"sink_drops\":%lld,\"ingress_drops\":%lld,\"kernel_drops\":%lld,\"sink_rcvbuf\":%d,"
                   "\"fwd_cpu_busy\":%lld,\"fwd_cpu_steal\":%lld,\"all_busy\":%lld,\"all_steal\":%lld,\"ncpu\":%ld,"
                   "\"probation\":%llu,\"fb_sent\":%llu,\"twcc_missing\":%llu,\"twcc_sources\":%d,\"twcc_seen\":%llu,"
                   "\"fwd_cpu_ns\":%lld,\"fb_total\":%llu,\"fb_bytes\":%llu,\"reported_received\":%llu,\"reported_lost\":%llu,\"twcc_late\":%llu}\n",
                   (unsigned long long)wall, (unsigned long long)pkts, (unsigned long long)bytes, streams,
                   (unsigned long long)expected, lost, (unsigned long long)lat_n,
                   percentile(lat_n, 0.50), percentile(lat_n, 0.99), lat_max,
                   lat_n ? (double)lat_sum_us / (double)lat_n : 0.0,
                   (unsigned long long)srtp_fail, (unsigned long long)unknown_key, (unsigned long long)bad,
                   (ticks0 >= 0 && ticks1 >= 0) ? ticks1 - ticks0 : -1LL, sysconf(_SC_CLK_TCK), proc_rss_kb(pid),
                   (unsigned long long)(cpu_ns() - cpu0),
                   (sink_drops0 >= 0 && sink_drops1 >= 0) ? sink_drops1 - sink_drops0 : -1LL,
                   (ingress_drops0 >= 0 && ingress_drops1 >= 0) ? ingress_drops1 - ingress_drops0 : -1LL,
                   kernel_drops1 - kernel_drops0, rcvbuf,
                   fbusy1 - fbusy0, fsteal1 - fsteal0, abusy1 - abusy0, asteal1 - asteal0, sysconf(_SC_NPROCESSORS_ONLN),
                   (unsigned long long)probation, (unsigned long long)fb_sent, (unsigned long long)twcc_missing,
                   tw.sources, (unsigned long long)tw.seen, (fwd_ns0 >= 0 && fwd_ns1 >= 0) ? fwd_ns1 - fwd_ns0 : -1LL, (unsigned long long)tw.fb_packets, (unsigned long long)tw.fb_bytes,
                   (unsigned long long)tw.reported_received, (unsigned long long)tw.reported_lost, (unsigned long long)tw.late);
            fflush(stdout);
            state = IDLE;
        }
        if (n > 0) continue;

        // Idle: wait for packets or a command.
        // With --wake-us > 0 the sink never waits on the socket: it sleeps that long and
        // drains again. A waiting receiver would make every forwarded packet wake it, a cost
        // (cross-CPU wake-ups, ~25 % of a forwarder's CPU in this VM) that a forwarder sending
        // to remote receivers through a NIC does not pay.
        struct pollfd pfd[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
        int timeout = state == IDLE ? (twcc_id && fb_ms < 100 ? fb_ms : 100) : 1;
        if (wake_us > 0 && state != IDLE) {
            struct timespec d = { .tv_sec = 0, .tv_nsec = (long)wake_us * 1000L };
            nanosleep(&d, NULL);
            timeout = 0;
        }
        if (poll(pfd, wake_us > 0 && state != IDLE ? 1 : 2, timeout) < 0 && errno != EINTR) die("poll");
        if (pfd[0].revents) {
            int rc;
            while ((rc = read_line(&lr, line, sizeof line)) > 0) {
                unsigned long ssrc; char hex[128];
                long warm, meas;
                unsigned rport;
                if (!strncmp(line, "quit", 4)) { if (dump_file) fclose(dump_file); return 0; }
                if (sscanf(line, "rtcpkey %u %127s", &rport, hex) == 2) {
                    struct sockaddr_in a = parse_addr("127.0.0.1", (int)rport);
                    struct source *src = source_for(&a);
                    if (src) srtp_session(&src->srtcp, hex, ssrc_any_outbound, 0);
                    else fprintf(stderr, "sink: too many sources\n");
                    continue;
                }
                if (sscanf(line, "key %lu %127s", &ssrc, hex) == 2) {
                    have_srtp = srtp_ready();
                    struct stream *s = lookup((uint32_t)ssrc, 1);
                    srtp_session(&s->srtp, hex, ssrc_specific, (uint32_t)ssrc);
                } else if (sscanf(line, "measure %ld %ld %d %d %d", &warm, &meas, &pid, &ingress_port, &fwd_cpu) >= 4) {
                    t_start = now_ns() + (uint64_t)warm * 1000000ull;
                    t_end = t_start + (uint64_t)meas * 1000000ull;
                    state = WARMUP;
                } else {
                    fprintf(stderr, "sink: bad command '%s'\n", line);
                }
            }
            if (rc < 0) return 0;
        }
    }
}
