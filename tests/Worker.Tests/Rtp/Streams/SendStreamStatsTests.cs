using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class SendStreamStatsTests
{
    private static void Send(SendStreamStats st, int count, ushort firstSeq = 0, long nowUs = 0)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(SeqTracker.IsValid(st.OnPacket((ushort)(firstSeq + i), (uint)(i * 3000), nowUs)));
            st.CountSent(1200, 1188, nowUs / 1000);
        }
    }

    [Fact]
    public void CountsAndBitrate()
    {
        var st = new SendStreamStats(90000, 0);
        Send(st, 50);
        Assert.Equal(50, st.PacketCount);
        Assert.Equal(60_000, st.ByteCount);
        Assert.Equal(192_000, st.GetBitrate(0));
        Assert.Equal(10, st.Score);
    }

    [Fact]
    public void ReceiverReportUpdatesLossJitterRttAndScore()
    {
        var st = new SendStreamStats(90000, 0);
        Send(st, 100);
        Assert.True(st.ReceiveReceiverReport(fractionLost: 25, totalLost: 10, jitter: 77, rttMs: 42.5f, nowMs: 1000));
        Assert.Equal(10, st.PacketsLost);
        Assert.Equal(25, st.FractionLost);
        Assert.Equal(77f, st.Jitter);
        Assert.Equal(42.5f, st.RoundTripTimeMs);
        Assert.Equal(7, st.Score); // (90 / 100)^4 * 10 = 6.56
        // Next RR with no new loss: cumulative stays 10.
        Send(st, 100, 100);
        st.ReceiveReceiverReport(0, 10, 0, 40, 2000);
        Assert.Equal(9, st.Score); // (7 + 10*2) / 3
    }

    [Fact]
    public void NoTrafficScoresTenAndNegativeInputsAreSane()
    {
        var st = new SendStreamStats(48000, 0);
        Assert.False(st.ReceiveReceiverReport(0, -5, 0, float.NaN, 0));
        Assert.Equal(10, st.Score);
        Assert.Equal(0f, st.RoundTripTimeMs);
        // Cumulative loss going down (receiver restarted) counts as no loss.
        Send(st, 10);
        st.ReceiveReceiverReport(0, 3, 0, 0, 0);
        Send(st, 10, 10);
        st.ReceiveReceiverReport(0, 1, 0, 0, 0);
        Assert.Equal(1, st.PacketsLost);
    }

    [Fact]
    public void RetransmissionsRepairLosses()
    {
        var plain = new SendStreamStats(90000, 0);
        var repaired = new SendStreamStats(90000, 0);
        Send(plain, 100);
        Send(repaired, 100);
        repaired.CountNackReceived(10);
        repaired.CountRetransmitted(10, 10);
        Assert.Equal(1, repaired.NackCount);
        Assert.Equal(10, repaired.NackPacketCount);
        Assert.Equal(10, repaired.PacketsRetransmitted);
        Assert.Equal(10, repaired.PacketsRepaired);
        plain.ReceiveReceiverReport(0, 10, 0, 0, 0);
        repaired.ReceiveReceiverReport(0, 10, 0, 0, 0);
        Assert.True(repaired.Score > plain.Score);
    }

    [Fact]
    public void DiscardsOutOfRangeSequenceAndReportsRestart()
    {
        var st = new SendStreamStats(90000, 0);
        Send(st, 10, 1000);
        Assert.Equal(SeqUpdateResult.Discarded, st.OnPacket(30000, 0, 0));
        Assert.Equal(1, st.PacketsDiscarded);
        Assert.Equal(SeqUpdateResult.Restarted, st.OnPacket(30001, 0, 0));
    }

    [Fact]
    public void SenderReportExtrapolatesFromTheNewestPacket()
    {
        var st = new SendStreamStats(90000, 0);
        Assert.False(st.TryGetSenderReport(0, out _, out _, out _));
        st.OnPacket(1, 900_000, 10_000_000);
        st.CountSent(1000, 900, 10_000);
        // 100 ms after it was sent: +9000 ticks.
        Assert.True(st.TryGetSenderReport(10_100_000, out uint ts, out uint packets, out uint octets));
        Assert.Equal(909_000u, ts);
        Assert.Equal(1u, packets);
        Assert.Equal(1000u, octets);
        // More than 2 s idle: no SR.
        Assert.False(st.TryGetSenderReport(12_100_000, out _, out _, out _));
    }

    [Fact]
    public void SenderReportUsesCaptureTimeWhenKnown()
    {
        var st = new SendStreamStats(48000, 0);
        st.OnPacket(1, 48_000, nowUs: 10_000_000, captureAtUs: 9_950_000);
        st.CountSent(100, 80, 10_000);
        Assert.True(st.TryGetSenderReport(10_000_000, out uint ts, out _, out _));
        Assert.Equal(48_000u + 2400, ts); // 50 ms after capture
        // A capture estimate ahead of now extrapolates nothing.
        st.OnPacket(2, 48_960, nowUs: 10_020_000, captureAtUs: 10_500_000);
        Assert.True(st.TryGetSenderReport(10_020_000, out ts, out _, out _));
        Assert.Equal(48_960u, ts);
    }

    [Fact]
    public void DelaySinceLastReceiverReferenceTime()
    {
        var st = new SendStreamStats(90000, 0);
        Assert.False(st.TryGetDelaySinceLastRr(0, out _, out _));
        st.ReceiveXrReceiverReferenceTime(0x00011234, 0x80000000, 1_000_000);
        Assert.True(st.TryGetDelaySinceLastRr(1_500_000, out uint lrr, out uint dlrr));
        Assert.Equal(0x12348000u, lrr);
        Assert.Equal(0x8000u, dlrr); // 0.5 s
    }

    [Fact]
    public void KeyFrameRequestCountersPauseAndReset()
    {
        var st = new SendStreamStats(90000, 0);
        st.CountPli();
        st.CountFir();
        st.CountFir();
        Assert.Equal(1, st.PliCount);
        Assert.Equal(2, st.FirCount);
        st.ReceiveReceiverReport(0, 0, 50, 0, 0);
        st.Pause();
        Assert.Equal(0f, st.Jitter);
        Assert.True(st.ResetScore(0, 5));
        Assert.True(st.ResetScore(10, 9));
        Assert.Equal(9, st.ActiveSinceMs);
    }
}
