using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class NackGeneratorTests
{
    private readonly ushort[] _out = new ushort[NackGenerator.MaxNackPackets];

    // (seq, keyFrame, firstNacked, numNacked, keyFrameRequired, pendingAfter)
    private void Run(params (ushort seq, bool kf, ushort first, int num, bool kfReq, int pending)[] steps)
    {
        var g = new NackGenerator(sendNackDelayMs: 0);
        foreach (var s in steps)
        {
            var r = g.ReceivePacket(s.seq, s.kf, isRecovered: false, nowMs: 1000, _out);
            Assert.Equal(s.num, r.NackCount);
            if (s.num > 0)
                Assert.Equal(s.first, _out[0]);
            Assert.Equal(s.kfReq, r.KeyFrameRequired);
            Assert.Equal(s.pending, g.PendingCount);
        }
    }

    [Fact]
    public void InOrderAndOldPacketsNackNothing() =>
        Run((2371, false, 0, 0, false, 0), (2372, false, 0, 0, false, 0), (2373, false, 0, 0, false, 0),
            (2380, false, 2374, 6, false, 6), (2254, false, 0, 0, false, 6), (2250, false, 0, 0, false, 6));

    [Fact]
    public void OneMissing() => Run((2381, false, 0, 0, false, 0), (2383, false, 2382, 1, false, 1));

    [Fact]
    public void WrapIsNotALoss() =>
        Run((65534, false, 0, 0, false, 0), (65535, false, 0, 0, false, 0), (0, false, 0, 0, false, 0));

    [Fact]
    public void LossAcrossTheWrap() =>
        Run((65534, false, 0, 0, false, 0), (65535, false, 0, 0, false, 0), (1, false, 0, 1, false, 1),
            (11, false, 2, 9, false, 10), (12, true, 0, 0, false, 10), (13, true, 0, 0, false, 10));

    [Fact]
    public void IntercalatedLosses() =>
        Run((1, false, 0, 0, false, 0), (3, false, 2, 1, false, 1), (5, false, 4, 1, false, 2),
            (7, false, 6, 1, false, 3), (9, false, 8, 1, false, 4));

    [Fact]
    public void NonContiguousLosses() =>
        Run((1, false, 0, 0, false, 0), (3, false, 2, 1, false, 1), (7, false, 4, 3, false, 4), (9, false, 8, 1, false, 5));

    [Fact]
    public void BigJumpThenRecoveries() =>
        Run((1, false, 0, 0, false, 0), (300, false, 2, 298, false, 298), (3, false, 0, 0, false, 297),
            (4, false, 0, 0, false, 296), (5, false, 0, 0, false, 295));

    [Fact]
    public void TooManyMissingRequestsAKeyFrame() =>
        Run((1, false, 0, 0, false, 0), (3000, false, 0, 0, true, 0));

    [Fact]
    public void RecoveredPacketIsReportedAndRemoved()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(100, false, false, 0, _out);
        g.ReceivePacket(105, false, false, 0, _out);
        Assert.Equal(4, g.PendingCount);
        var r = g.ReceivePacket(102, false, isRecovered: true, 5, _out);
        Assert.True(r.Recovered);
        Assert.False(g.IsPending(102));
        Assert.Equal(3, g.PendingCount);
        // Once more: no longer missing.
        Assert.False(g.ReceivePacket(102, false, true, 6, _out).Recovered);
        // A reordered packet that was never missing is not "recovered".
        Assert.False(g.ReceivePacket(99, false, false, 6, _out).Recovered);
    }

    [Fact]
    public void RtxPacketAheadOfTheNewestCountsAsRecovered()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(10, false, false, 0, _out);
        Assert.True(g.ReceivePacket(11, false, isRecovered: true, 0, _out).Recovered);
        Assert.False(g.ReceivePacket(12, false, isRecovered: false, 0, _out).Recovered);
    }

    [Fact]
    public void FirstNackWaitsForTheReorderDelayThenRetriesEveryRtt()
    {
        var g = new NackGenerator(sendNackDelayMs: 10);
        long t = 1000;
        g.ReceivePacket(1, false, false, t, _out);
        var r = g.ReceivePacket(3, false, false, t, _out);
        // Held back for reordering.
        Assert.Equal(0, r.NackCount);
        Assert.Equal(t + NackGenerator.TimerIntervalMs, g.NextDeadlineMs);

        // Timer calls before the deadline do nothing.
        Assert.Equal(0, g.OnTimer(t + 39, _out).NackCount);

        var sends = new List<long>();
        for (long now = t + 40; now <= t + 3000; now += 40)
        {
            Assert.Equal(now, g.NextDeadlineMs == long.MaxValue ? now : g.NextDeadlineMs);
            var tr = g.OnTimer(now, _out);
            if (tr.NackCount > 0)
            {
                Assert.Equal(1, tr.NackCount);
                Assert.Equal(2, _out[0]);
                sends.Add(now - t);
            }
        }
        // First at the first tick past the delay, then whenever a tick is >= 100 ms (default
        // RTT) after the previous send: 40, 160, 280, ... up to 10 times.
        Assert.Equal(new long[] { 40, 160, 280, 400, 520, 640, 760, 880, 1000, 1120 }, sends);
        Assert.Equal(0, g.PendingCount);
        Assert.Equal(long.MaxValue, g.NextDeadlineMs);
    }

    [Fact]
    public void WithoutDelayTheFirstNackIsImmediate()
    {
        var g = new NackGenerator(sendNackDelayMs: 0);
        g.ReceivePacket(1, false, false, 0, _out);
        var r = g.ReceivePacket(4, false, false, 0, _out);
        Assert.Equal(2, r.NackCount);
        Assert.Equal(new ushort[] { 2, 3 }, _out[..2]);
        // Not again within the RTT.
        Assert.Equal(0, g.OnTimer(40, _out).NackCount);
        Assert.Equal(0, g.OnTimer(80, _out).NackCount);
        Assert.Equal(2, g.OnTimer(120, _out).NackCount);
    }

    [Fact]
    public void RetriesFollowTheMeasuredRtt()
    {
        var g = new NackGenerator(0);
        g.UpdateRtt(250);
        g.ReceivePacket(1, false, false, 0, _out);
        Assert.Equal(1, g.ReceivePacket(3, false, false, 0, _out).NackCount);
        var sends = new List<long>();
        for (long now = 40; now <= 1000; now += 40)
        {
            if (g.OnTimer(now, _out).NackCount > 0)
                sends.Add(now);
        }
        Assert.Equal(new long[] { 280, 560, 840 }, sends);
    }

    [Fact]
    public void ArrivalStopsRetries()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(1, false, false, 0, _out);
        g.ReceivePacket(3, false, false, 0, _out);
        Assert.True(g.ReceivePacket(2, false, true, 50, _out).Recovered);
        for (long now = 40; now <= 1000; now += 40)
            Assert.Equal(0, g.OnTimer(now, _out).NackCount);
        Assert.Equal(long.MaxValue, g.NextDeadlineMs);
    }

    [Fact]
    public void ReorderedPacketWithinDelayIsNeverNacked()
    {
        var g = new NackGenerator(10);
        g.ReceivePacket(1, false, false, 0, _out);
        g.ReceivePacket(3, false, false, 0, _out);
        Assert.True(g.ReceivePacket(2, false, false, 5, _out).Recovered);
        Assert.Equal(0, g.OnTimer(40, _out).NackCount);
    }

    [Fact]
    public void OverflowTrimsToTheNewestKeyFrameFirst()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(0, false, false, 0, _out);
        // 600 missing (1..600).
        g.ReceivePacket(601, false, false, 0, _out);
        Assert.Equal(600, g.PendingCount);
        // A key frame at 602, then 500 more missing: 1100 > 1000, so everything before the
        // key frame goes and no key frame is requested.
        g.ReceivePacket(602, true, false, 0, _out);
        var r = g.ReceivePacket(1103, false, false, 0, _out);
        Assert.False(r.KeyFrameRequired);
        Assert.Equal(500, g.PendingCount);
        Assert.False(g.IsPending(600));
        Assert.True(g.IsPending(603));
        Assert.True(g.IsPending(1102));
    }

    [Fact]
    public void OverflowWithoutUsefulKeyFrameClearsAndRequestsOne()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(0, true, false, 0, _out);
        g.ReceivePacket(601, false, false, 0, _out);
        var r = g.ReceivePacket(1102, false, false, 0, _out);
        Assert.True(r.KeyFrameRequired);
        Assert.Equal(0, r.NackCount);
        Assert.Equal(0, g.PendingCount);
        // Continues normally afterwards.
        Assert.Equal(1, g.ReceivePacket(1104, false, false, 0, _out).NackCount);
    }

    [Fact]
    public void PacketsOlderThanMaxAgeAreForgotten()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(0, false, false, 0, _out);
        g.ReceivePacket(2, false, false, 0, _out); // 1 missing
        ushort seq = 2;
        for (int i = 0; i < NackGenerator.MaxPacketAge - 1; i++)
            g.ReceivePacket(++seq, false, false, 0, _out);
        Assert.True(g.IsPending(1));
        g.ReceivePacket(++seq, false, false, 0, _out);
        Assert.False(g.IsPending(1));
    }

    [Fact]
    public void SmallOutputSpanLeavesTheRestForTheNextTick()
    {
        var g = new NackGenerator(0);
        Span<ushort> small = stackalloc ushort[3];
        g.ReceivePacket(1, false, false, 0, small);
        var r = g.ReceivePacket(10, false, false, 0, small);
        Assert.Equal(3, r.NackCount);
        Assert.Equal(new ushort[] { 2, 3, 4 }, small.ToArray());
        r = g.OnTimer(40, small);
        Assert.Equal(3, r.NackCount);
        Assert.Equal(new ushort[] { 5, 6, 7 }, small.ToArray());
    }

    [Fact]
    public void ManyLossesAndRecoveriesKeepTheListConsistent()
    {
        // Exercises tombstones and compaction: 30% loss, recoveries arriving out of order.
        var rng = new Random(5);
        var g = new NackGenerator(0);
        var missing = new HashSet<ushort>();
        ushort seq = 60000;
        long now = 0;
        g.ReceivePacket(seq, false, false, now, _out);
        for (int i = 0; i < 200_000; i++)
        {
            now += 1;
            ushort next = (ushort)(seq + 1);
            while (rng.NextDouble() < 0.3)
            {
                missing.Add(next);
                next++;
            }
            g.ReceivePacket(next, false, false, now, _out);
            seq = next;
            if (missing.Count > 0 && rng.NextDouble() < 0.5)
            {
                ushort rec = missing.ElementAt(rng.Next(missing.Count));
                missing.Remove(rec);
                Assert.True(g.ReceivePacket(rec, false, true, now, _out).Recovered || !g.IsPending(rec));
            }
            if (now >= g.NextDeadlineMs)
                g.OnTimer(now, _out);
            // Anything the generator still tracks must really be missing.
            if (i % 5000 == 0)
                foreach (ushort m in missing.ToArray())
                    if (!g.IsPending(m))
                        missing.Remove(m); // aged out, retried out or trimmed
            Assert.True(g.PendingCount <= NackGenerator.MaxNackPackets);
        }
    }

    [Fact]
    public void ResetForgetsEverything()
    {
        var g = new NackGenerator(0);
        g.ReceivePacket(1, false, false, 0, _out);
        g.ReceivePacket(5, false, false, 0, _out);
        g.Reset();
        Assert.Equal(0, g.PendingCount);
        Assert.Equal(long.MaxValue, g.NextDeadlineMs);
        Assert.Equal(0, g.ReceivePacket(9, false, false, 0, _out).NackCount);
    }
}
