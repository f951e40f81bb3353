// Transport-cc feedback for the load sink (bench/load/sink.c): what a receiving browser
// answers a sender that stamps transport-wide sequence numbers. Per sending transport (one
// source address) the sink records each packet's transport-wide sequence number and kernel
// arrival time; every few tens of milliseconds it sends RTCP RTPFB FMT 15
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) back to that address, covering
// every sequence number since the previous feedback: received or not, run-length and
// status-vector chunks, receive deltas in 250 µs ticks.
// Loopback benchmark plumbing, not product code.
#ifndef MSW_BENCH_TWCC_H
#define MSW_BENCH_TWCC_H

#include "common.h"

#define TWCC_RING 32768          /* sequence numbers held per transport between feedbacks */
#define TWCC_MAX_BYTES 1200      /* one feedback packet at most (RTCP header included) */
#define TWCC_MAX_STATUS 8191     /* statuses per feedback packet at most */
#define TWCC_NOT_RECEIVED INT64_MIN

struct twcc_source {
    int used;
    struct sockaddr_in addr;     /* where its RTP comes from = where its RTCP goes (rtcp-mux) */
    uint32_t media_ssrc;         /* an SSRC it sends, named as the media source */
    int64_t next_seq;            /* first unwrapped sequence not reported yet (-1: none seen) */
    int64_t max_seq;             /* highest unwrapped sequence seen */
    uint8_t fb_count;            /* feedback packet count (§3.1) */
    int64_t arrival_ticks[TWCC_RING]; /* per sequence: arrival in 250 µs ticks, or TWCC_NOT_RECEIVED */
    // Totals (not windowed).
    uint64_t fb_packets, fb_bytes, reported_received, reported_lost, late, seen;
};

// Record one arrival. seq16 is the packet's transport-wide sequence number.
static __attribute__((unused)) void twcc_record(struct twcc_source *s, uint16_t seq16, uint64_t arrival_ns)
{
    s->seen++;
    int64_t seq;
    if (s->next_seq < 0) {
        seq = 0x10000 + seq16; // room below for a little reordering
        s->next_seq = s->max_seq = seq;
        for (int i = 0; i < TWCC_RING; i++) s->arrival_ticks[i] = TWCC_NOT_RECEIVED;
    } else {
        int16_t d = (int16_t)(seq16 - (uint16_t)s->max_seq);
        seq = s->max_seq + d;
    }
    if (seq < s->next_seq || seq <= s->max_seq - TWCC_RING) { s->late++; return; }
    if (seq - s->max_seq >= TWCC_RING) {
        // A jump beyond the ring: what was not reported before it is given up.
        for (int i = 0; i < TWCC_RING; i++) s->arrival_ticks[i] = TWCC_NOT_RECEIVED;
        s->next_seq = s->max_seq = seq;
    } else if (seq > s->max_seq) {
        // Slots between the old maximum and this one are not received (yet).
        for (int64_t q = s->max_seq + 1; q < seq; q++) s->arrival_ticks[q & (TWCC_RING - 1)] = TWCC_NOT_RECEIVED;
        s->max_seq = seq;
        // A ring full of unreported packets: give up the oldest (never happens at 50 ms).
        if (s->max_seq - s->next_seq >= TWCC_RING) s->next_seq = s->max_seq - TWCC_RING + 1;
    }
    s->arrival_ticks[seq & (TWCC_RING - 1)] = (int64_t)(arrival_ns / 250000u);
}

// ---- chunk encoder (§3.1.3 run length, §3.1.4 status vector) ----

struct twcc_chunks {
    uint8_t *out;      /* chunk bytes go here */
    int len;           /* bytes written */
    uint8_t sym[14];   /* pending symbols (all of them while < 14; runs keep only the first) */
    int size;          /* pending symbol count */
    int all_same, has_large;
};

static void twcc_chunk_reset(struct twcc_chunks *c) { c->size = 0; c->all_same = 1; c->has_large = 0; }

static int twcc_chunk_can_add(const struct twcc_chunks *c, uint8_t s)
{
    if (c->size < 7) return 1;
    if (c->size < 14 && !c->has_large && s != 2) return 1;
    return c->all_same && s == c->sym[0] && c->size < 0x1FFF;
}

static void twcc_chunk_put(struct twcc_chunks *c, uint16_t v) { put16(c->out + c->len, v); c->len += 2; }

static void twcc_chunk_add(struct twcc_chunks *c, uint8_t s)
{
    if (c->size < 14) c->sym[c->size] = s;
    if (c->size > 0 && s != c->sym[0]) c->all_same = 0;
    if (s == 2) c->has_large = 1;
    c->size++;
}

// Writes one chunk from the front of the pending symbols. `final`: no more symbols follow,
// so a vector may be partly filled (the status count clips it).
static void twcc_chunk_emit(struct twcc_chunks *c, int final)
{
    if (c->all_same) {
        twcc_chunk_put(c, (uint16_t)(c->sym[0] << 13 | c->size)); // T=0, S, run length
        twcc_chunk_reset(c);
        return;
    }
    if (!c->has_large && (c->size == 14 || (final && c->size > 7))) {
        uint16_t v = 0x8000; // T=1, S=0: 14 one-bit symbols
        for (int i = 0; i < c->size; i++) v |= (uint16_t)((c->sym[i] & 1) << (13 - i));
        twcc_chunk_put(c, v);
        twcc_chunk_reset(c);
        return;
    }
    // T=1, S=1: 7 two-bit symbols; what is left stays pending.
    int n = c->size < 7 ? c->size : 7;
    uint16_t v = 0xC000;
    for (int i = 0; i < n; i++) v |= (uint16_t)(c->sym[i] << (12 - 2 * i));
    twcc_chunk_put(c, v);
    uint8_t rest[14];
    int left = c->size - n;
    memcpy(rest, c->sym + n, (size_t)left);
    twcc_chunk_reset(c);
    for (int i = 0; i < left; i++) twcc_chunk_add(c, rest[i]);
}

static void twcc_chunk_push(struct twcc_chunks *c, uint8_t s)
{
    while (!twcc_chunk_can_add(c, s)) twcc_chunk_emit(c, 0);
    twcc_chunk_add(c, s);
}

static void twcc_chunk_flush(struct twcc_chunks *c)
{
    while (c->size > 0) twcc_chunk_emit(c, 1);
}

// Upper bound of the chunk bytes for the pending symbols (at most 2 chunks: ≤ 14 symbols, or a run).
static int twcc_chunk_pending_bytes(const struct twcc_chunks *c) { return c->size == 0 ? 0 : (c->size > 7 && !c->all_same ? 4 : 2); }

// Builds one feedback packet into out (≥ TWCC_MAX_BYTES) from s->next_seq on, at most up to
// s->max_seq, and advances s->next_seq past what it covers. Returns its length (0: nothing to
// report). sender_ssrc: ours. If log is not NULL, what each status said is written to it
// (seq, received, arrival ticks) for the dump.
struct twcc_status_log { uint16_t seq; uint8_t received; int64_t ticks; };

static __attribute__((unused)) int twcc_build(struct twcc_source *s, uint32_t sender_ssrc, uint8_t *out,
                                              struct twcc_status_log *log, int *log_n)
{
    if (s->next_seq < 0 || s->next_seq > s->max_seq) return 0;
    // The reference time comes from the first received packet of the range; a range with
    // none is not reported yet (its packets may still come).
    int64_t first = -1;
    for (int64_t q = s->next_seq; q <= s->max_seq; q++)
        if (s->arrival_ticks[q & (TWCC_RING - 1)] != TWCC_NOT_RECEIVED) { first = q; break; }
    if (first < 0) return 0;
    int64_t ref64 = s->arrival_ticks[first & (TWCC_RING - 1)] / 256; // 64 ms = 256 ticks
    int64_t prev = ref64 * 256;

    static uint8_t chunk_buf[TWCC_MAX_BYTES], delta_buf[TWCC_MAX_BYTES];
    struct twcc_chunks c = { .out = chunk_buf };
    twcc_chunk_reset(&c);
    int delta_len = 0, count = 0, received = 0;
    const int fixed = 4 + 8 + 8; // RTCP header + SSRCs, FCI fixed part
    int64_t q = s->next_seq;
    for (; q <= s->max_seq && count < TWCC_MAX_STATUS; q++) {
        int64_t t = s->arrival_ticks[q & (TWCC_RING - 1)];
        uint8_t sym;
        int64_t d = 0;
        if (t == TWCC_NOT_RECEIVED) {
            sym = 0;
        } else {
            d = t - prev;
            if (d >= 0 && d <= 255) sym = 1;
            else if (d >= -32768 && d <= 32767) sym = 2;
            else break; // needs a new reference time: next packet
        }
        // Room for this status: its delta, the pending chunks and one more chunk, padding.
        int need = fixed + c.len + twcc_chunk_pending_bytes(&c) + 2 + delta_len + sym + 3;
        if (need > TWCC_MAX_BYTES) break;
        twcc_chunk_push(&c, sym);
        if (sym == 1) delta_buf[delta_len++] = (uint8_t)d;
        else if (sym == 2) { put16(delta_buf + delta_len, (uint16_t)(int16_t)d); delta_len += 2; }
        if (sym) { prev = t; received++; }
        if (log) log[(*log_n)++] = (struct twcc_status_log){ (uint16_t)q, (uint8_t)(sym != 0), t };
        count++;
    }
    twcc_chunk_flush(&c);
    int len = fixed + c.len + delta_len;
    int pad = (4 - (len & 3)) & 3;
    out[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | 15); // V=2, P, FMT=15
    out[1] = 205;                                      // RTPFB
    put16(out + 2, (uint16_t)((len + pad) / 4 - 1));
    put32(out + 4, sender_ssrc);
    put32(out + 8, s->media_ssrc);
    put16(out + 12, (uint16_t)s->next_seq);
    put16(out + 14, (uint16_t)count);
    put32(out + 16, (uint32_t)(ref64 & 0xFFFFFF) << 8 | s->fb_count++);
    memcpy(out + fixed, chunk_buf, (size_t)c.len);
    memcpy(out + fixed + c.len, delta_buf, (size_t)delta_len);
    if (pad) {
        memset(out + len, 0, (size_t)pad);
        out[len + pad - 1] = (uint8_t)pad;
    }
    s->next_seq = q;
    s->fb_packets++;
    s->fb_bytes += (uint64_t)(len + pad);
    s->reported_received += (uint64_t)received;
    s->reported_lost += (uint64_t)(count - received);
    return len + pad;
}

// One dump record (read by bench/micro TwccDumpCheck): u16 length, the packet, u16 status
// count, per status u16 sequence, u8 received, i64 arrival ticks (host byte order).
static __attribute__((unused)) void twcc_dump(FILE *f, const uint8_t *pkt, int len, const struct twcc_status_log *log, int log_n)
{
    uint16_t l16 = (uint16_t)len, n16 = (uint16_t)log_n;
    fwrite(&l16, 2, 1, f);
    fwrite(pkt, 1, (size_t)len, f);
    fwrite(&n16, 2, 1, f);
    for (int k = 0; k < log_n; k++) {
        fwrite(&log[k].seq, 2, 1, f);
        fwrite(&log[k].received, 1, 1, f);
        fwrite(&log[k].ticks, 8, 1, f);
    }
}

#endif
