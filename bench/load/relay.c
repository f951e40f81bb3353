// Loopback ceiling: the least a forwarder can do. Receives with recvmmsg and sends every
// packet to N copies with sendmmsg, each copy with its own SSRC (original + 1 + i, so the
// sink counts N streams) and the payload untouched. Stands where the worker stands, so the
// same generator and sink measure what the machine's loopback allows.
//
//   relay --port P --dst IP:PORT --fanout N [--cpu C] [--max-seconds S] [--gso 1]
//
// --gso 1: each copy's packets of one received batch leave as UDP GSO messages (runs of
// equal sizes, UDP_SEGMENT), the same kernel-facing trick the worker uses by default.
//
// Runs until stdin reaches EOF (or "quit").
#include "common.h"
#include <fcntl.h>
#define GSO_MAX_SEGMENTS 64
#define GSO_MAX_BYTES 65000

static void send_all(int fd, struct mmsghdr *msgs, int count)
{
    for (int off = 0; off < count;) {
        int r = sendmmsg(fd, msgs + off, (unsigned)(count - off), 0);
        if (r < 0) { if (errno == EINTR) continue; break; }
        off += r;
    }
}

#define RX_BATCH 64
#define TX_BATCH 1024
#define BUF_SIZE 2048
#define MAX_FANOUT 1024

int main(int argc, char **argv)
{
    int port = 0, dst_port = 0, fanout = 1, cpu = -1, max_seconds = 7200, gso = 0;
    char dst_ip[64] = "127.0.0.1";
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--dst")) {
            const char *colon = strrchr(v, ':');
            if (!colon || colon - v >= (long)sizeof dst_ip) { fprintf(stderr, "--dst IP:PORT\n"); return 2; }
            memcpy(dst_ip, v, (size_t)(colon - v)); dst_ip[colon - v] = 0;
            dst_port = atoi(colon + 1);
        }
        else if (!strcmp(a, "--fanout")) fanout = atoi(v);
        else if (!strcmp(a, "--cpu")) cpu = atoi(v);
        else if (!strcmp(a, "--max-seconds")) max_seconds = atoi(v);
        else if (!strcmp(a, "--gso")) gso = atoi(v);
        else { fprintf(stderr, "unknown argument %s\n", a); return 2; }
    }
    if (port <= 0 || dst_port <= 0 || fanout < 1 || fanout > MAX_FANOUT) {
        fprintf(stderr, "usage: relay --port P --dst IP:PORT --fanout 1..%d\n", MAX_FANOUT);
        return 2;
    }
    lifetime_guards(max_seconds);
    pin_cpu(cpu);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

    int fd = udp_socket("127.0.0.1", port, 8 << 20);
    struct sockaddr_in dst = parse_addr(dst_ip, dst_port);

    static uint8_t rx[RX_BATCH][BUF_SIZE];
    static struct mmsghdr rmsg[RX_BATCH];
    static struct iovec riov[RX_BATCH];
    for (int i = 0; i < RX_BATCH; i++) {
        riov[i].iov_base = rx[i];
        riov[i].iov_len = BUF_SIZE;
        rmsg[i].msg_hdr.msg_iov = &riov[i];
        rmsg[i].msg_hdr.msg_iovlen = 1;
    }
    // Each copy: its own 12-byte header, then the received packet's remainder.
    static uint8_t hdr[TX_BATCH][12];
    static struct iovec tiov[TX_BATCH][2];
    static struct mmsghdr tmsg[TX_BATCH];
    for (int i = 0; i < TX_BATCH; i++) {
        tiov[i][0].iov_base = hdr[i];
        tiov[i][0].iov_len = 12;
        tmsg[i].msg_hdr.msg_iov = tiov[i];
        tmsg[i].msg_hdr.msg_iovlen = 2;
        tmsg[i].msg_hdr.msg_name = &dst;
        tmsg[i].msg_hdr.msg_namelen = sizeof dst;
    }

    // GSO mode: per copy, one message per run of equal-sized packets, two iovecs per packet.
    static struct iovec giov[TX_BATCH * 2];
    static struct mmsghdr gmsg[TX_BATCH];
    static uint8_t gctl[TX_BATCH][GSO_CONTROL_SIZE];

    struct line_reader lr = { .len = 0 };
    char line[128];
    for (;;) {
        int n = recvmmsg(fd, rmsg, RX_BATCH, MSG_DONTWAIT, NULL);
        if (n > 0 && gso) {
            int q = 0, m = 0;
            for (int c = 0; c < fanout; c++) {
                int seg = -1, count = 0, total = 0;
                for (int i = 0; i < n; i++) {
                    int len = (int)rmsg[i].msg_len;
                    if (len < 12) continue;
                    if (count > 0 && (q == TX_BATCH || len != seg || count == GSO_MAX_SEGMENTS || total + len > GSO_MAX_BYTES)) {
                        m++; // close the current run
                        count = 0;
                    }
                    if (q == TX_BATCH || m == TX_BATCH) { send_all(fd, gmsg, m); m = 0; q = 0; }
                    if (count == 0) {
                        memset(&gmsg[m].msg_hdr, 0, sizeof gmsg[m].msg_hdr);
                        gmsg[m].msg_hdr.msg_name = &dst;
                        gmsg[m].msg_hdr.msg_namelen = sizeof dst;
                        gmsg[m].msg_hdr.msg_iov = &giov[2 * q];
                        seg = len; total = 0;
                    }
                    memcpy(hdr[q], rx[i], 12);
                    put32(hdr[q] + 8, get32(rx[i] + 8) + 1u + (uint32_t)c);
                    giov[2 * q].iov_base = hdr[q];
                    giov[2 * q].iov_len = 12;
                    giov[2 * q + 1].iov_base = rx[i] + 12;
                    giov[2 * q + 1].iov_len = (size_t)(len - 12);
                    q++; count++; total += len;
                    gmsg[m].msg_hdr.msg_iovlen = (size_t)(2 * count);
                    if (count == 2) set_udp_segment(&gmsg[m].msg_hdr, gctl[m], (uint16_t)seg);
                }
                if (count > 0) m++;
            }
            send_all(fd, gmsg, m);
            continue;
        }
        if (n > 0) {
            int q = 0;
            for (int i = 0; i < n; i++) {
                int len = (int)rmsg[i].msg_len;
                if (len < 12) continue;
                uint32_t ssrc = get32(rx[i] + 8);
                for (int c = 0; c < fanout; c++) {
                    memcpy(hdr[q], rx[i], 12);
                    put32(hdr[q] + 8, ssrc + 1u + (uint32_t)c);
                    tiov[q][1].iov_base = rx[i] + 12;
                    tiov[q][1].iov_len = (size_t)(len - 12);
                    if (++q == TX_BATCH) {
                        for (int off = 0; off < q;) {
                            int r = sendmmsg(fd, tmsg + off, (unsigned)(q - off), 0);
                            if (r < 0) { if (errno == EINTR) continue; break; }
                            off += r;
                        }
                        q = 0;
                    }
                }
            }
            for (int off = 0; off < q;) {
                int r = sendmmsg(fd, tmsg + off, (unsigned)(q - off), 0);
                if (r < 0) { if (errno == EINTR) continue; break; }
                off += r;
            }
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) die("recvmmsg");
        struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
        if (poll(pfd, 2, 1000) < 0 && errno != EINTR) die("poll");
        if (pfd[1].revents) {
            int rc;
            while ((rc = read_line(&lr, line, sizeof line)) > 0)
                if (!strncmp(line, "quit", 4)) return 0;
            if (rc < 0) return 0;
        }
    }
}
