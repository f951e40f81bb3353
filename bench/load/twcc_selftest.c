// Feeds the sink's transport-cc feedback builder (twcc.h) a synthetic arrival trace that a
// loopback run never produces: random and burst loss, reordering, duplicates, late packets,
// gaps that need large deltas (> 63.75 ms) and a new reference time (> 8 s), a sequence
// wrap, a full ring. Writes every feedback packet with what it was meant to say, for
// `Mediasoup.Worker.Bench --check-twcc FILE` (bench/micro) to read back with the worker's parser.
//
//   twcc_selftest FILE
#include "twcc.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: twcc_selftest FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "wb");
    if (!f) die("fopen");
    static struct twcc_source src;
    src.next_seq = src.max_seq = -1;
    src.media_ssrc = 0x01020304u;
    static uint8_t pkt[TWCC_MAX_BYTES + 64];
    static struct twcc_status_log log[TWCC_MAX_STATUS];
    uint64_t t = 5000000000ull; // ns
    uint16_t seq = 65000;       // wraps early on
    int packets = 0;
    for (int i = 0; i < 60000; i++, seq++) {
        // Spacing: 100 µs ± jitter, with now and then a gap.
        t += 50000 + next_rand() % 100000;
        if (i % 5000 == 4999) t += 100000000;       // 100 ms: a large delta
        if (i == 30000) t += 9000000000ull;          // 9 s: past a large delta, new reference time
        uint32_t r = next_rand() % 1000;
        if (r < 30) continue;                         // 3 % random loss
        if (i % 7000 >= 6960) continue;               // bursts of 40 lost
        if (r < 40 && i > 0) {                        // 1 %: arrives before its predecessor
            twcc_record(&src, seq, t);
            twcc_record(&src, (uint16_t)(seq - 1), t + 20000);
            continue;
        }
        twcc_record(&src, seq, t);
        if (r >= 990) twcc_record(&src, seq, t + 1000); // duplicate
        // Feedback every ~300 packets, sometimes a lot more (several packets at once).
        int every = i > 40000 && i < 43000 ? 2900 : 300;
        if (i % every == every - 1) {
            for (;;) {
                int log_n = 0;
                int len = twcc_build(&src, 0x11111111u, pkt, log, &log_n);
                if (len <= 0) break;
                twcc_dump(f, pkt, len, log, log_n);
                packets++;
            }
            // A packet that comes after its feedback was sent: reported lost, then ignored.
            if (i % 900 == 899) twcc_record(&src, (uint16_t)(seq - 5), t + 500);
        }
    }
    fclose(f);
    printf("%d feedback packets, %llu statuses (%llu received, %llu lost), %llu late\n", packets,
           (unsigned long long)(src.reported_received + src.reported_lost), (unsigned long long)src.reported_received,
           (unsigned long long)src.reported_lost, (unsigned long long)src.late);
    return packets > 0 ? 0 : 1;
}
