using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class SeqTrackerTests
{
    private static SeqUpdateResult Feed(SeqTracker t, ushort seq, uint ts = 0, long nowUs = 0) => t.Update(seq, ts, nowUs);

    private static void FeedAll(SeqTracker t, IEnumerable<int> seqs)
    {
        foreach (int s in seqs)
            Assert.True(SeqTracker.IsValid(Feed(t, (ushort)s)), $"seq {s}");
    }

    [Fact]
    public void InOrderStreamHasNoLoss()
    {
        var t = new SeqTracker();
        FeedAll(t, Enumerable.Range(1000, 100));
        Assert.Equal(100u, t.Expected);
        Assert.Equal(100, t.Received);
        var r = t.BuildReport();
        Assert.Equal(0, r.FractionLost);
        Assert.Equal(0, r.TotalLost);
        Assert.Equal(1099u, r.ExtendedHighestSeq);
    }

    [Fact]
    public void FirstPacketZeroDoesNotCountAWrap()
    {
        var t = new SeqTracker();
        Feed(t, 0);
        Assert.Equal(0u, t.Cycles);
        Assert.Equal(1u, t.Expected);
    }

    [Fact]
    public void LossGivesFractionAndCumulativeLostPerInterval()
    {
        var t = new SeqTracker();
        FeedAll(t, new[] { 0, 1, 2, 4, 6, 7, 8, 9 }); // 3 and 5 lost
        var r = t.BuildReport();
        Assert.Equal(10u, t.Expected);
        Assert.Equal(2, r.TotalLost);
        Assert.Equal(51, r.FractionLost); // round(2 * 256 / 10)
        Assert.Equal(2, t.PacketsLost);

        // Next interval: 10..29 with one loss (20 expected, 19 received).
        FeedAll(t, Enumerable.Range(10, 20).Where(s => s != 15));
        r = t.BuildReport();
        Assert.Equal(3, r.TotalLost);
        Assert.Equal(13, r.FractionLost); // round(256 / 20) = round(12.8)
        Assert.Equal(29u, r.ExtendedHighestSeq);

        // A late arrival of 15 in the next interval: nothing lost in it.
        FeedAll(t, new[] { 15, 30 });
        r = t.BuildReport();
        Assert.Equal(0, r.FractionLost);
        Assert.Equal(2, r.TotalLost);
    }

    [Fact]
    public void DuplicatesNeverMakeLossNegative()
    {
        var t = new SeqTracker();
        FeedAll(t, new[] { 5, 6, 6, 6, 7 });
        Assert.Equal(3u, t.Expected);
        Assert.Equal(5, t.Received);
        var r = t.BuildReport();
        Assert.Equal(0, r.TotalLost);
        Assert.Equal(0, r.FractionLost);
    }

    [Fact]
    public void ReorderingIsAccepted()
    {
        var t = new SeqTracker();
        FeedAll(t, new[] { 0, 1, 3, 2, 4 });
        Assert.Equal(4, t.MaxSeq);
        Assert.Equal(0, t.BuildReport().TotalLost);
    }

    [Fact]
    public void WrapCountsACycle()
    {
        var t = new SeqTracker();
        FeedAll(t, Enumerable.Range(65530, 6).Concat(Enumerable.Range(0, 6)));
        Assert.Equal(65536u, t.Cycles);
        Assert.Equal(65536u + 5, t.ExtendedHighestSeq);
        Assert.Equal(12u, t.Expected);
        // A straggler from before the wrap does not undo it.
        Assert.True(SeqTracker.IsValid(Feed(t, 65533)));
        Assert.Equal(65536u + 5, t.ExtendedHighestSeq);
    }

    [Fact]
    public void ManyWrapsKeepCounting()
    {
        var t = new SeqTracker();
        for (int i = 0; i < 3 * 65536 + 10; i++)
            Feed(t, (ushort)(1000 + i));
        Assert.Equal(3u * 65536, t.Cycles);
        Assert.Equal((uint)(3 * 65536 + 10), t.Expected);
    }

    [Fact]
    public void BigJumpIsDiscardedUntilConfirmedThenRestarts()
    {
        var t = new SeqTracker();
        FeedAll(t, Enumerable.Range(100, 10)); // up to 109
        Assert.Equal(SeqUpdateResult.Discarded, Feed(t, 20000));
        Assert.Equal(1, t.PacketsDiscarded);
        Assert.Equal(109, t.MaxSeq);
        // The next in-sequence packet confirms the restart.
        Assert.Equal(SeqUpdateResult.Restarted, Feed(t, 20001, ts: 777));
        Assert.Equal(20001u, t.BaseSeq);
        Assert.Equal(1u, t.Expected);
        Assert.Equal(1, t.Received);
        Assert.Equal(777u, t.MaxPacketTs);
        FeedAll(t, new[] { 20002, 20003 });
        Assert.Equal(3u, t.Expected);
        Assert.Equal(0, t.BuildReport().TotalLost);
    }

    [Fact]
    public void UnconfirmedJumpsAreJustDropped()
    {
        var t = new SeqTracker();
        FeedAll(t, new[] { 100, 101 });
        Assert.Equal(SeqUpdateResult.Discarded, Feed(t, 9000));
        Assert.Equal(SeqUpdateResult.Discarded, Feed(t, 12000));
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 102));
        Assert.Equal(2, t.PacketsDiscarded);
        Assert.Equal(102, t.MaxSeq);
    }

    [Fact]
    public void DropoutAndMisorderLimits()
    {
        var t = new SeqTracker();
        Feed(t, 10000);
        // Up to max dropout - 1 ahead is a gap.
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 10000 + 2999));
        Assert.Equal(12999, t.MaxSeq);
        // Exactly max misorder behind is too old; one less is a reordered packet.
        Assert.Equal(SeqUpdateResult.Discarded, Feed(t, 12999 - 1500));
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 12999 - 1499));
        // Max dropout ahead is a jump.
        Assert.Equal(SeqUpdateResult.Discarded, Feed(t, 12999 + 3000));
    }

    [Fact]
    public void CustomLimitsLikeRfcDefaults()
    {
        var t = new SeqTracker(maxDropout: 3000, maxMisorder: 100);
        Feed(t, 1000);
        Assert.Equal(SeqUpdateResult.Discarded, Feed(t, 900));
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 901));
    }

    [Fact]
    public void ProbationNeedsSequentialPackets()
    {
        var t = new SeqTracker(minSequential: 2);
        Assert.Equal(SeqUpdateResult.Probation, Feed(t, 500));
        Assert.False(t.Started);
        // Not sequential: probation starts over from 700.
        Assert.Equal(SeqUpdateResult.Probation, Feed(t, 700));
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 701));
        Assert.True(t.Started);
        Assert.Equal(701u, t.BaseSeq);
        Assert.Equal(1, t.Received);
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 702));
        Assert.Equal(2u, t.Expected);
    }

    [Fact]
    public void ProbationOfThree()
    {
        var t = new SeqTracker(minSequential: 3);
        Assert.Equal(SeqUpdateResult.Probation, Feed(t, 10));
        Assert.Equal(SeqUpdateResult.Probation, Feed(t, 11));
        Assert.Equal(SeqUpdateResult.Accepted, Feed(t, 12));
        Assert.Equal(12u, t.BaseSeq);
    }

    [Fact]
    public void NotCountedPacketsMoveTheSequenceOnly()
    {
        var t = new SeqTracker();
        Feed(t, 1);
        Assert.True(SeqTracker.IsValid(t.Update(3, 0, 0, countReceived: false)));
        Assert.Equal(3, t.MaxSeq);
        Assert.Equal(3u, t.Expected);
        Assert.Equal(1, t.Received);
    }

    [Fact]
    public void MaxTimestampFollowsNewestAndBackwardsJumps()
    {
        var t = new SeqTracker();
        t.Update(1, 1000, 10);
        t.Update(2, 2000, 20);
        Assert.True(t.MaxPacketTsUpdated);
        // Reordered older packet with an older timestamp: no change.
        t.Update(0, 500, 30);
        Assert.False(t.MaxPacketTsUpdated);
        Assert.Equal(2000u, t.MaxPacketTs);
        Assert.Equal(20, t.MaxPacketAtUs);
        // In-order seq but timestamp went back (sender paused overnight): follow it.
        t.Update(3, 100, 40);
        Assert.Equal(100u, t.MaxPacketTs);
        Assert.Equal(40, t.MaxPacketAtUs);
        // Timestamps wrap.
        t.Update(4, 0xFFFF_FF00, 50);
        t.Update(5, 0x10, 60);
        Assert.Equal(0x10u, t.MaxPacketTs);
    }

    [Fact]
    public void JitterIsZeroForPerfectPacing()
    {
        var t = new SeqTracker();
        for (int i = 0; i < 50; i++)
            t.UpdateJitter((uint)(1234 + i * 1800), 5_000_000 + i * 20_000L, 90000);
        Assert.Equal(0f, t.Jitter);
    }

    [Fact]
    public void JitterFollowsRfc3550()
    {
        var t = new SeqTracker();
        const uint clock = 90000;
        // 20 ms frames; the second arrives 1 ms late, the third on time.
        t.UpdateJitter(0, 1_000_000, clock);
        t.UpdateJitter(1800, 1_021_000, clock); // D = 90
        Assert.Equal(90f / 16f, t.Jitter, 4);
        t.UpdateJitter(3600, 1_040_000, clock); // D = 90 again
        float expected = 90f / 16f;
        expected += (90f - expected) / 16f;
        Assert.Equal(expected, t.Jitter, 4);
        Assert.Equal((uint)expected, t.BuildReport().Jitter);
    }

    [Fact]
    public void JitterHandlesTimestampWrapAndIgnoresZeroClock()
    {
        var t = new SeqTracker();
        t.UpdateJitter(0xFFFF_FF00, 1_000_000, 48000);
        t.UpdateJitter(unchecked(0xFFFF_FF00 + 960), 1_020_000, 48000); // wraps, perfect pacing
        Assert.Equal(0f, t.Jitter);
        var z = new SeqTracker();
        z.UpdateJitter(1, 1, 0);
        z.UpdateJitter(100, 2, 0);
        Assert.Equal(0f, z.Jitter);
        t.ResetJitter();
        Assert.Equal(0f, t.Jitter);
    }

    [Fact]
    public void WorseRemoteFractionReplacesOurs()
    {
        var t = new SeqTracker();
        FeedAll(t, Enumerable.Range(0, 100));
        var r = t.BuildReport(worstRemoteFractionLost: 64);
        Assert.Equal(64, r.FractionLost);
        Assert.Equal(25, r.TotalLost); // (64 * 100) >> 8
        Assert.Equal(0, t.PacketsLost);
    }

    [Fact]
    public void RestartCarriesLossAlready()
    {
        var t = new SeqTracker();
        FeedAll(t, new[] { 0, 1, 4 }); // 2 lost
        Feed(t, 30000);
        Assert.Equal(SeqUpdateResult.Restarted, Feed(t, 30001));
        Feed(t, 30002);
        var r = t.BuildReport();
        Assert.Equal(2, r.TotalLost);
        Assert.Equal(30002u, r.ExtendedHighestSeq);
    }

    [Fact]
    public void OddInputNeverThrows()
    {
        var t = new SeqTracker(maxDropout: -5, maxMisorder: 100000, minSequential: -1);
        var rng = new Random(1);
        for (int i = 0; i < 100_000; i++)
        {
            t.Update((ushort)rng.Next(65536), (uint)rng.Next(), rng.NextInt64(long.MinValue, long.MaxValue));
            t.UpdateJitter((uint)rng.Next(), rng.NextInt64(long.MinValue, long.MaxValue), (uint)rng.Next());
            if (i % 100 == 0)
                t.BuildReport((byte)rng.Next(256));
        }
    }
}
