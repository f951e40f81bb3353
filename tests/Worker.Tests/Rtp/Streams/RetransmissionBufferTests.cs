using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class RetransmissionBufferTests
{
    // Handle = the packet's own seq/ts in a struct, so tests can check what was released.
    private readonly record struct H(ushort Seq, uint Ts);

    private readonly List<H> _released = new();

    private RetransmissionBuffer<H> New(int maxItems = 2500, long maxDelayMs = 2000, uint clock = 90000) =>
        new(maxItems, maxDelayMs, clock, h => _released.Add(h));

    private static bool Ins(RetransmissionBuffer<H> b, ushort seq, uint ts) => b.Insert(seq, ts, new H(seq, ts));

    // Layout from oldest to newest: (seq, ts) or null for an empty slot.
    private static void AssertLayout(RetransmissionBuffer<H> b, params (ushort seq, uint ts)?[] expected)
    {
        Assert.Equal(expected.Length, b.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            ushort seq = (ushort)(b.OldestSeq + i);
            bool present = b.TryGet(seq, out H h, out uint ts);
            Assert.Equal(expected[i].HasValue, present);
            if (present)
            {
                Assert.Equal(expected[i]!.Value.seq, seq);
                Assert.Equal(expected[i]!.Value.ts, ts);
                Assert.Equal(new H(seq, ts), h);
            }
        }
    }

    [Fact]
    public void InOrder()
    {
        var b = New(4);
        Assert.True(Ins(b, 10001, 1000000000));
        Assert.True(Ins(b, 10002, 1000000000));
        Assert.True(Ins(b, 10003, 1000000200));
        Assert.True(Ins(b, 10004, 1000000200));
        AssertLayout(b, (10001, 1000000000), (10002, 1000000000), (10003, 1000000200), (10004, 1000000200));
    }

    [Fact]
    public void OutOfOrder()
    {
        var b = New(4);
        Ins(b, 20004, 2000000200);
        Ins(b, 20001, 2000000000);
        Ins(b, 20003, 2000000200);
        Ins(b, 20002, 2000000000);
        AssertLayout(b, (20001, 2000000000), (20002, 2000000000), (20003, 2000000200), (20004, 2000000200));
    }

    [Fact]
    public void JumpWiderThanTheBufferEmptiesIt()
    {
        var b = New(4);
        Ins(b, 30001, 3000000000);
        Ins(b, 30002, 3000000000);
        Ins(b, 30003, 3000000200);
        Assert.True(Ins(b, 40000, 3000003000));
        AssertLayout(b, (40000, 3000003000));
        Assert.Equal(3, _released.Count);
    }

    [Fact]
    public void BlankSlotsDuplicatesAndTimestampOrder()
    {
        var b = New(10);
        Assert.True(Ins(b, 40002, 4000000002));
        Assert.False(Ins(b, 40003, 4000000001)); // newer seq, older timestamp
        Assert.True(Ins(b, 40004, 4000000004));
        Assert.False(Ins(b, 40002, 4000000002)); // duplicate
        Assert.True(Ins(b, 40008, 4000000008));
        Assert.True(Ins(b, 40006, 4000000006));
        Assert.True(Ins(b, 40000, 4000000000)); // one blank at the front
        AssertLayout(b, (40000, 4000000000), null, (40002, 4000000002), null, (40004, 4000000004), null,
            (40006, 4000000006), null, (40008, 4000000008));
        // In-between packets must fit their neighbours' timestamps.
        Assert.False(Ins(b, 40005, 4000000007));
        Assert.False(Ins(b, 40003, 4000000001));
        Assert.True(Ins(b, 40003, 4000000003));
        Assert.Empty(_released);
    }

    [Fact]
    public void OldSeqThatDoesNotFitIsDiscarded()
    {
        var b = New(4);
        Ins(b, 10001, 1000000001);
        Ins(b, 10002, 1000000002);
        Ins(b, 10003, 1000000003);
        Assert.False(Ins(b, 40000, 1000000000));
        // Prepending would exceed the max items.
        Assert.False(Ins(b, 9999, 1000000000));
        AssertLayout(b, (10001, 1000000001), (10002, 1000000002), (10003, 1000000003));
    }

    [Fact]
    public void OldTimestampIsDiscarded()
    {
        var b = New(4);
        Ins(b, 10001, 1000000001);
        Ins(b, 10002, 1000000002);
        Ins(b, 10003, 1000000003);
        Assert.False(Ins(b, 10000, 1000000003 - 180000 - 100));
        // Lower seq with a timestamp above the oldest one does not fit either.
        Assert.False(Ins(b, 10000, 1000000002));
        AssertLayout(b, (10001, 1000000001), (10002, 1000000002), (10003, 1000000003));
    }

    [Fact]
    public void MuchNewerTimestampWithOlderSeqRestartsTheBuffer()
    {
        var b = New();
        Ins(b, 24816, 1024930187);
        Ins(b, 24980, 1025106407);
        Assert.True(Ins(b, 18365, 1026593387));
        AssertLayout(b, (18365, 1026593387));
    }

    [Fact]
    public void LowerSeqHigherTimestampRestartsTheBuffer()
    {
        var b = New(4);
        Ins(b, 33331, 1000000001);
        Ins(b, 33332, 1000000002);
        Assert.True(Ins(b, 33330, 1000000003));
        AssertLayout(b, (33330, 1000000003));
        Assert.Equal(2, _released.Count);
    }

    [Fact]
    public void VideoPacketsOlderThanTwoSecondsAreEvicted()
    {
        var b = New(2500, RetransmissionBuffer<H>.MaxDelayVideoMs, 90000);
        // 30 fps, 3000 ticks per frame, one packet per frame.
        for (int i = 0; i <= 60; i++)
            Assert.True(Ins(b, (ushort)(100 + i), (uint)(i * 3000)));
        // Frame 0 is exactly 2000 ms old: kept ("older than" the max delay is evicted).
        Assert.True(b.Contains(100));
        Ins(b, 161, 61 * 3000);
        Assert.False(b.Contains(100));
        Assert.True(b.Contains(101));
        Assert.Equal(new H(100, 0), _released.Single());
    }

    [Fact]
    public void AudioPacketsOlderThanOneSecondAreEvicted()
    {
        var b = New(2500, RetransmissionBuffer<H>.MaxDelayAudioMs, 48000);
        for (int i = 0; i < 100; i++)
            Ins(b, (ushort)i, (uint)(i * 960)); // 20 ms
        // Newest is 1980 ms; everything older than 980 ms is gone.
        Assert.Equal(51, b.Length);
        Assert.Equal(49, b.OldestSeq);
    }

    [Fact]
    public void CapacityEvictsTheOldest()
    {
        var b = New(2500, 2000, 90000);
        for (int i = 0; i < 3000; i++)
            Ins(b, (ushort)i, 1000);
        Assert.Equal(2500, b.Length);
        Assert.Equal(500, b.OldestSeq);
        Assert.Equal(500, _released.Count);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (ushort)i), _released.Select(h => h.Seq));
    }

    [Fact]
    public void GapsCountTowardsCapacityAndEvictionSkipsBlanks()
    {
        var b = New(10);
        Ins(b, 1, 0);
        Ins(b, 5, 0);  // blanks 2..4
        Ins(b, 10, 0); // blanks 6..9, length 10
        Assert.Equal(10, b.Length);
        Ins(b, 11, 0); // must drop 1, then the blanks before 5
        Assert.Equal(5, b.OldestSeq);
        Assert.Equal(7, b.Length);
    }

    [Fact]
    public void SequenceWrap()
    {
        var b = New(100);
        for (int i = 0; i < 20; i++)
            Assert.True(Ins(b, (ushort)(65530 + i), (uint)(i * 10)));
        Assert.Equal(65530, b.OldestSeq);
        Assert.Equal(13, b.NewestSeq);
        Assert.True(b.TryGet(65535, out var h, out _));
        Assert.Equal(65535, h.Seq);
        Assert.True(b.TryGet(2, out h, out _));
        Assert.Equal(2, h.Seq);
        Assert.False(b.Contains(14));
        Assert.False(b.Contains(65529));
        // A late packet from before the wrap fits in front.
        Assert.True(Ins(b, 65528, 0));
        Assert.Equal(65528, b.OldestSeq);
        Assert.False(b.Contains(65529));
    }

    [Fact]
    public void ResendAtMostOncePerRtt()
    {
        var b = New();
        Ins(b, 7, 0);
        Assert.True(b.TryGetForResend(7, 1000, 0f, out var h, out bool first));
        Assert.True(first);
        Assert.Equal(7, h.Seq);
        // Default RTT 100 ms: too soon at +100, fine at +101.
        Assert.False(b.TryGetForResend(7, 1100, 0f, out _, out _));
        Assert.True(b.TryGetForResend(7, 1101, 0f, out _, out first));
        Assert.False(first);
        // Measured RTT.
        Assert.False(b.TryGetForResend(7, 1300, 250f, out _, out _));
        Assert.True(b.TryGetForResend(7, 1352, 250f, out _, out _));
        Assert.False(b.TryGetForResend(8, 5000, 0f, out _, out _));
    }

    [Fact]
    public void ResolveNackWalksTheBitmask()
    {
        var b = New();
        for (ushort s = 100; s < 120; s++)
        {
            if (s != 103)
                Ins(b, s, 0);
        }
        var outHandles = new H[RetransmissionBuffer<H>.MaxPacketsPerNackItem];
        // pid 100, bitmask: 101, 103, 116 (bit 15).
        int n = b.ResolveNack(100, 0b1000_0000_0000_0101, 0, 0f, outHandles, out int first);
        Assert.Equal(new ushort[] { 100, 101, 116 }, outHandles.Take(n).Select(h => h.Seq));
        Assert.Equal(3, first);
        // Asked again right away: all resent within the RTT.
        Assert.Equal(0, b.ResolveNack(100, 0b1000_0000_0000_0101, 10, 0f, outHandles, out first));
        // Only the pid, no bitmask.
        Assert.Equal(1, b.ResolveNack(110, 0, 10, 0f, outHandles, out first));
        Assert.Equal(110, outHandles[0].Seq);
    }

    [Fact]
    public void ClearReleasesEverythingOnce()
    {
        var b = New();
        for (int i = 0; i < 50; i += 2)
            Ins(b, (ushort)i, (uint)i);
        b.Clear();
        Assert.True(b.IsEmpty);
        Assert.Equal(25, _released.Count);
        Assert.Equal(25, _released.Distinct().Count());
        b.Clear();
        Assert.Equal(25, _released.Count);
    }

    [Fact]
    public void RandomTrafficReleasesEachStoredHandleExactlyOnce()
    {
        var rng = new Random(3);
        var b = New(300, 2000, 90000);
        var stored = new List<H>();
        ushort seq = 65000;
        uint ts = 4_000_000_000;
        for (int i = 0; i < 200_000; i++)
        {
            ushort s;
            uint t;
            double p = rng.NextDouble();
            if (p < 0.8)
            {
                seq += (ushort)(rng.NextDouble() < 0.1 ? rng.Next(1, 50) : 1);
                ts += (uint)rng.Next(0, 3000);
                (s, t) = (seq, ts);
            }
            else if (p < 0.95)
            {
                (s, t) = ((ushort)(seq - rng.Next(0, 400)), ts - (uint)rng.Next(0, 300_000));
            }
            else
            {
                (s, t) = ((ushort)rng.Next(65536), (uint)rng.Next());
            }
            if (b.Insert(s, t, new H(s, t)))
                stored.Add(new H(s, t));
            Assert.True(b.Length <= 300);
            if (rng.NextDouble() < 0.01)
                b.TryGetForResend((ushort)(seq - rng.Next(0, 300)), i, 0f, out _, out _);
        }
        b.Clear();
        Assert.Equal(stored.Count, _released.Count);
        Assert.Equal(stored.OrderBy(h => h.Seq).ThenBy(h => h.Ts), _released.OrderBy(h => h.Seq).ThenBy(h => h.Ts));
    }

    [Fact]
    public void ZeroClockRateNeverAges()
    {
        var b = New(10, 1000, 0);
        Ins(b, 1, 0);
        Ins(b, 2, 4_000_000);
        Assert.Equal(2, b.Length);
    }

    [Fact]
    public void GrowingFromASmallCapacityBehavesTheSame()
    {
        var rng = new Random(9);
        var full = new RetransmissionBuffer<int>(500, 1000, 48000);
        var small = new RetransmissionBuffer<int>(500, 1000, 48000, initialCapacity: 2);
        Assert.Equal(2, small.Capacity);
        ushort seq = 65400;
        uint ts = 0;
        for (int i = 0; i < 50_000; i++)
        {
            ushort s;
            uint t;
            if (rng.NextDouble() < 0.85)
            {
                seq += (ushort)(rng.NextDouble() < 0.05 ? rng.Next(1, 40) : 1);
                ts += (uint)rng.Next(0, 960);
                (s, t) = (seq, ts);
            }
            else
            {
                (s, t) = ((ushort)(seq - rng.Next(0, 600)), ts - (uint)rng.Next(0, 60_000));
            }
            Assert.Equal(full.Insert(s, t, i), small.Insert(s, t, i));
            Assert.Equal(full.Length, small.Length);
            Assert.Equal(full.OldestSeq, small.OldestSeq);
            if (i % 101 == 0)
            {
                for (int k = 0; k < full.Length; k++)
                {
                    ushort q = (ushort)(full.OldestSeq + k);
                    Assert.Equal(full.TryGet(q, out int a, out _), small.TryGet(q, out int b, out _));
                    Assert.Equal(a, b);
                }
            }
        }
        Assert.True(small.Capacity <= 500);
    }
}
