// Shared bits of the load generator, sink and relay (bench/load/*.c).
// Everything here is loopback-only benchmark plumbing, not product code.
#ifndef MSW_BENCH_COMMON_H
#define MSW_BENCH_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

// Where the generator stamps every packet, counted from the start of the RTP payload:
// after the VP8 payload descriptor (1 byte) and a 10-byte key frame header, with room.
#define STAMP_OFFSET 16
#define STAMP_MAGIC 0x4D535742u /* "MSWB" */
#define STAMP_LENGTH 16         /* magic (4) + CLOCK_MONOTONIC ns (8) + packet index (4) */

static inline __attribute__((unused)) uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline __attribute__((unused)) uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline __attribute__((unused)) void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline __attribute__((unused)) void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static inline __attribute__((unused)) uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline __attribute__((unused)) uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static __attribute__((unused)) void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    exit(2);
}

// Pins the whole process to one CPU (-1: leave as is).
static __attribute__((unused)) void pin_cpu(int cpu)
{
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

// Every helper ends by itself: when its controller goes away (stdin EOF, parent death)
// and, as a last resort, after max_seconds.
static __attribute__((unused)) void lifetime_guards(int max_seconds)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (max_seconds > 0) alarm((unsigned)max_seconds);
    // Sleeps wake within ~1 us instead of the default 50 us slack: pacing needs it.
    prctl(PR_SET_TIMERSLACK, 1000UL);
}

static __attribute__((unused)) int udp_socket(const char *ip, int port, int bufsize)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bufsize > 0) {
        // FORCE passes net.core.[rw]mem_max when we are root; plain SO_*BUF otherwise.
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof bufsize) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsize, sizeof bufsize) != 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "bad ip %s\n", ip); exit(2); }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) die("bind");
    return fd;
}

static __attribute__((unused)) struct sockaddr_in parse_addr(const char *ip, int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "bad ip %s\n", ip); exit(2); }
    return a;
}

static __attribute__((unused)) int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Hex string to bytes; returns the byte count or -1.
static __attribute__((unused)) int parse_hex(const char *hex, uint8_t *out, int max)
{
    int n = 0;
    while (hex[0] && hex[1] && hex[0] != '\n' && n < max) {
        int hi = hexval(hex[0]), lo = hexval(hex[1]);
        if (hi < 0 || lo < 0) return -1;
        out[n++] = (uint8_t)(hi << 4 | lo);
        hex += 2;
    }
    return n;
}

// A line from stdin, non-blocking use: call when poll says readable. Returns 1 with a
// complete line in `line`, 0 when none yet, -1 on EOF.
struct line_reader { char buf[4096]; int len; };

static __attribute__((unused)) int read_line(struct line_reader *r, char *line, int max)
{
    for (;;) {
        char *nl = memchr(r->buf, '\n', (size_t)r->len);
        if (nl) {
            int n = (int)(nl - r->buf);
            if (n >= max) n = max - 1;
            memcpy(line, r->buf, (size_t)n);
            line[n] = 0;
            int used = (int)(nl - r->buf) + 1;
            memmove(r->buf, r->buf + used, (size_t)(r->len - used));
            r->len -= used;
            return 1;
        }
        if (r->len == (int)sizeof r->buf) r->len = 0; // overlong garbage: drop
        ssize_t got = read(0, r->buf + r->len, sizeof r->buf - (size_t)r->len);
        if (got == 0) return -1;
        if (got < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        r->len += (int)got;
        if (!memchr(r->buf, '\n', (size_t)r->len)) return 0;
    }
}

// Blocking variant for helpers that only wait for commands between runs.
static __attribute__((unused)) int read_line_blocking(struct line_reader *r, char *line, int max)
{
    for (;;) {
        int rc = read_line(r, line, max);
        if (rc != 0) return rc;
        struct pollfd p = { .fd = 0, .events = POLLIN };
        poll(&p, 1, -1);
    }
}

// UDP generic segmentation offload: marks msg (whose iovecs hold segments of `segment` bytes,
// the last one possibly shorter) as one UDP_SEGMENT message, using ctl as its control buffer.
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define GSO_CONTROL_SIZE CMSG_SPACE(sizeof(uint16_t))
static inline __attribute__((unused)) void set_udp_segment(struct msghdr *msg, uint8_t *ctl, uint16_t segment)
{
    struct cmsghdr *cm = (struct cmsghdr *)ctl;
    cm->cmsg_level = IPPROTO_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(cm), &segment, sizeof segment);
    msg->msg_control = ctl;
    msg->msg_controllen = GSO_CONTROL_SIZE;
}

#endif
