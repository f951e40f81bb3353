using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class RecvStreamStatsTests
{
    private static RecvStreamOptions Video(bool inactivity = false, bool rtx = false, byte s = 1, byte t = 1, bool dtx = false) => new()
    {
        ClockRate = 90000,
        SpatialLayers = s,
        TemporalLayers = t,
        UseNack = true,
        UsePli = true,
        HasRtx = rtx,
        UseDtx = dtx,
        UseInactivityCheck = inactivity,
    };

    private static RtpPacketInfo Pkt(ushort seq, uint ts = 0, int size = 1000, int payload = 988, byte s = 0, byte t = 0) =>
        new(seq, ts, size, payload, s, t);

    [Fact]
    public void CountsBytesBitrateAndStartsAtScoreTen()
    {
        var st = new RecvStreamStats(Video(), 0);
        Assert.Equal(10, st.Score);
        for (int i = 0; i < 100; i++)
            Assert.Equal(SeqUpdateResult.Accepted, st.ReceivePacket(Pkt((ushort)i, (uint)(i * 900)), i * 10_000L, out _));
        Assert.Equal(100, st.PacketCount);
        Assert.Equal(100_000, st.ByteCount);
        // 100 kB within the 2.5 s window.
        Assert.Equal(320_000, st.GetBitrate(990));
        Assert.False(st.HasLayers);
    }

    [Fact]
    public void PaddingOnlyPacketsCountButCarryNoBytes()
    {
        var st = new RecvStreamStats(Video(), 0);
        st.ReceivePacket(Pkt(1), 0, out _);
        st.ReceivePacket(Pkt(2, size: 300, payload: 0), 0, out _);
        Assert.Equal(2, st.PacketCount);
        Assert.Equal(1000, st.ByteCount);
    }

    [Fact]
    public void InvalidPacketsTouchNothing()
    {
        var st = new RecvStreamStats(Video(), 0);
        st.ReceivePacket(Pkt(100), 0, out _);
        Assert.Equal(SeqUpdateResult.Discarded, st.ReceivePacket(Pkt(40000), 0, out _));
        Assert.Equal(1, st.PacketCount);
        Assert.Equal(1, st.PacketsDiscarded);
    }

    [Fact]
    public void ScoreDropsWithLossOnSenderReportsAndRecovers()
    {
        var st = new RecvStreamStats(Video(), 0);
        ushort seq = 0;
        long now = 0;
        // 100 expected, 90 received.
        for (int i = 0; i < 100; i++, seq++)
        {
            if (i % 10 != 5)
                st.ReceivePacket(Pkt(seq), now, out _);
        }
        Assert.True(st.ReceiveSenderReport(1, 0, 0, now));
        Assert.Equal(6, st.Score); // sample 6 alone
        Assert.Equal(10, st.PreviousScore);

        for (int i = 0; i < 100; i++, seq++)
            st.ReceivePacket(Pkt(seq), now, out _);
        Assert.True(st.ReceiveSenderReport(2, 0, 0, now));
        Assert.Equal(9, st.Score); // (6 + 2*10) / 3 = 8.67
        // An interval without packets expected keeps scoring 10.
        st.ReceiveSenderReport(3, 0, 0, now);
        Assert.Equal(9, st.Score); // (6 + 20 + 30) / 6 = 9.33
    }

    [Fact]
    public void RepairedPacketsSoftenTheScore()
    {
        var withNack = new RecvStreamStats(Video(), 0);
        var without = new RecvStreamStats(Video(), 0);
        for (int i = 0; i < 100; i++)
        {
            if (i % 10 == 5)
                continue;
            withNack.ReceivePacket(Pkt((ushort)i), 0, out _);
            without.ReceivePacket(Pkt((ushort)i), 0, out _);
        }
        // Without RTX the NACKed packets come back on the media SSRC.
        for (int i = 5; i < 100; i += 10)
        {
            withNack.ReceivePacket(Pkt((ushort)i), 0, out _);
            withNack.CountRetransmittedAndRepaired();
        }
        withNack.ReceiveSenderReport(1, 0, 0, 0);
        without.ReceiveSenderReport(1, 0, 0, 0);
        Assert.Equal(10, withNack.PacketsRepaired);
        Assert.Equal(10, withNack.PacketsRetransmitted);
        Assert.True(withNack.Score > without.Score);
    }

    [Fact]
    public void RtxFlowCountsRetransmissionsRepairsAndRtxLoss()
    {
        var st = new RecvStreamStats(Video(rtx: true), 0);
        Assert.True(st.HasRtx);
        st.ReceivePacket(Pkt(1), 0, out _);
        st.ReceivePacket(Pkt(3), 0, out _);
        // RTX packet 500 carrying 2.
        Assert.True(st.ReceiveRtxStreamPacket(500, 0, 0));
        Assert.Equal(SeqUpdateResult.Accepted, st.ReceiveRetransmittedPacket(2, 0, 0));
        st.ReceiveRepairedPacket(Pkt(2), 0, out _);
        Assert.Equal(1, st.PacketsRetransmitted);
        Assert.Equal(1, st.PacketsRepaired);
        Assert.Equal(3, st.PacketCount);
        // Media received count excludes RTX: 3 expected, 2 received on the media SSRC.
        st.BuildReceiverReport(0, 0, out _, out _);
        Assert.Equal(1, st.PacketsLost);

        // RTX SSRC: 500, then 502 (501 lost), then a wild one.
        st.ReceiveRtxStreamPacket(502, 0, 0);
        Assert.False(st.ReceiveRtxStreamPacket(40000, 0, 0));
        Assert.Equal(1, st.RtxPacketsDiscarded);
        Assert.True(st.TryBuildRtxReceiverReport(0, out var rr, out _, out _));
        Assert.Equal(1, rr.TotalLost);
        Assert.Equal(502u, rr.ExtendedHighestSeq);
        Assert.Equal(0u, rr.Jitter);
    }

    [Fact]
    public void NoRtxReportWithoutRtxUntilEnabled()
    {
        var st = new RecvStreamStats(Video(), 0);
        Assert.False(st.TryBuildRtxReceiverReport(0, out _, out _, out _));
        Assert.True(st.ReceiveRtxStreamPacket(1, 0, 0));
        st.EnableRtx();
        Assert.True(st.TryBuildRtxReceiverReport(0, out _, out _, out _));
    }

    [Fact]
    public void ReceiverReportCarriesLsrAndDlsr()
    {
        var st = new RecvStreamStats(Video(), 0);
        st.ReceivePacket(Pkt(1), 0, out _);
        st.BuildReceiverReport(5_000_000, 0, out uint lsr0, out uint dlsr0);
        Assert.Equal(0u, lsr0);
        Assert.Equal(0u, dlsr0);

        st.ReceiveSenderReport(0x12345678, 0x9ABCDEF0, 4242, 10_000_000);
        Assert.True(st.HasSenderReport);
        Assert.Equal(4242u, st.LastSenderReportTs);
        Assert.Equal(0x12345678L * 1_000_000 + 604_444, st.LastSenderReportNtpUs);
        st.BuildReceiverReport(11_500_000, 0, out uint lsr, out uint dlsr);
        Assert.Equal(0x56789ABCu, lsr);
        Assert.Equal(0x18000u, dlsr); // 1.5 s in 1/65536 s

        // A zero NTP time (sender without wall clock) is not remembered, but still scores.
        var st2 = new RecvStreamStats(Video(), 0);
        st2.ReceiveSenderReport(0, 0, 1, 0);
        Assert.False(st2.HasSenderReport);
    }

    [Fact]
    public void InBandFecUsesWorstRemoteFraction()
    {
        var opts = Video();
        opts.UseInBandFec = true;
        var st = new RecvStreamStats(opts, 0);
        for (int i = 0; i < 10; i++)
            st.ReceivePacket(Pkt((ushort)i), 0, out _);
        Assert.Equal(128, st.BuildReceiverReport(0, 128, out _, out _).FractionLost);
        var plain = new RecvStreamStats(Video(), 0);
        plain.ReceivePacket(Pkt(1), 0, out _);
        Assert.Equal(0, plain.BuildReceiverReport(0, 128, out _, out _).FractionLost);
    }

    [Fact]
    public void JitterIsMeasuredAndResetOnPause()
    {
        var st = new RecvStreamStats(Video(), 0);
        st.ReceivePacket(Pkt(1, 0), 1_000_000, out _);
        st.ReceivePacket(Pkt(2, 1800), 1_021_000, out _);
        Assert.Equal(90f / 16f, st.Jitter, 4);
        st.Pause();
        Assert.Equal(0f, st.Jitter);
    }

    [Fact]
    public void InactivityDropsScoreToZeroAndTrafficRestoresIt()
    {
        var st = new RecvStreamStats(Video(inactivity: true), 1000);
        Assert.Equal(2500, st.NextDeadlineMs);
        st.ReceivePacket(Pkt(1), 2000_000, out bool changed);
        Assert.False(changed);
        Assert.Equal(3500, st.NextDeadlineMs);
        Assert.Equal(RecvStreamEvents.None, st.OnTimer(3499));
        Assert.Equal(RecvStreamEvents.ScoreChanged, st.OnTimer(3500));
        Assert.Equal(0, st.Score);
        Assert.True(st.IsInactive);
        Assert.Equal(long.MaxValue, st.NextDeadlineMs);
        // Sender reports while inactive do not score.
        Assert.False(st.ReceiveSenderReport(1, 0, 0, 4_000_000));
        Assert.Equal(0, st.Score);
        // Padding does not wake it up.
        st.ReceivePacket(Pkt(2, size: 200, payload: 0), 5_000_000, out changed);
        Assert.False(changed);
        Assert.True(st.IsInactive);
        st.ReceivePacket(Pkt(3), 6_000_000, out changed);
        Assert.True(changed);
        Assert.Equal(10, st.Score);
        Assert.Equal(6000, st.ActiveSinceMs);
        Assert.Equal(7500, st.NextDeadlineMs);
    }

    [Fact]
    public void InactivityWithDtxWaitsFiveSeconds()
    {
        var st = new RecvStreamStats(Video(inactivity: true, dtx: true), 0);
        Assert.Equal(5000, st.NextDeadlineMs);
    }

    [Fact]
    public void NoInactivityCheckUnlessAsked()
    {
        var st = new RecvStreamStats(Video(), 0);
        Assert.Equal(long.MaxValue, st.NextDeadlineMs);
        Assert.Equal(RecvStreamEvents.None, st.OnTimer(1_000_000));
        Assert.Equal(10, st.Score);
    }

    [Fact]
    public void PauseStopsTheInactivityCheckAndResumeRestartsIt()
    {
        var st = new RecvStreamStats(Video(inactivity: true), 0);
        st.Pause();
        Assert.Equal(long.MaxValue, st.NextDeadlineMs);
        st.Resume(10_000);
        Assert.Equal(11_500, st.NextDeadlineMs);
    }

    [Fact]
    public void LayerBitratesAreCumulative()
    {
        var st = new RecvStreamStats(Video(s: 2, t: 3), 0);
        Assert.True(st.HasLayers);
        // 100 bytes on each of S0T0, S0T1, S1T0; S1T2 above range goes to the top temporal layer.
        st.ReceivePacket(Pkt(1, size: 100, s: 0, t: 0), 0, out _);
        st.ReceivePacket(Pkt(2, size: 100, s: 0, t: 1), 0, out _);
        st.ReceivePacket(Pkt(3, size: 100, s: 1, t: 0), 0, out _);
        st.ReceivePacket(Pkt(4, size: 100, s: 1, t: 7), 0, out _);
        const long one = 320; // 100 B over 2.5 s
        Assert.Equal(one, st.GetLayerBitrate(0, 0, 0));
        Assert.Equal(2 * one, st.GetBitrate(0, 0, 1));
        // S0T2 carries nothing: 0 even though lower layers do.
        Assert.Equal(0, st.GetBitrate(0, 0, 2));
        Assert.Equal(3 * one, st.GetBitrate(0, 1, 0));
        Assert.Equal(4 * one, st.GetBitrate(0, 1, 2));
        Assert.Equal(2 * one, st.GetSpatialLayerBitrate(0, 1));
        Assert.Equal(4 * one, st.GetBitrate(0));
        Assert.Equal(0, st.GetBitrate(0, 5, 0));
    }

    [Fact]
    public void SpatialLayerActivityIsCheckedPeriodically()
    {
        var st = new RecvStreamStats(Video(s: 3), 0);
        Assert.Equal(1500, st.NextDeadlineMs);
        st.ReceivePacket(Pkt(1, s: 0), 1000_000, out _);
        st.ReceivePacket(Pkt(2, s: 2), 1000_000, out _);
        Assert.Equal(RecvStreamEvents.SpatialLayerActivityChanged, st.OnTimer(1500));
        Assert.True(st.SpatialLayerActivityChanged(0));
        Assert.False(st.SpatialLayerActivityChanged(1));
        Assert.True(st.SpatialLayerActivityChanged(2));
        Assert.True(st.IsSpatialLayerActive(2));
        Assert.Equal(3000, st.NextDeadlineMs);
        // Nothing changes while traffic continues.
        st.ReceivePacket(Pkt(3, s: 0), 2900_000, out _);
        st.ReceivePacket(Pkt(4, s: 2), 2900_000, out _);
        Assert.Equal(RecvStreamEvents.None, st.OnTimer(3000));
        // S2 stops: once its window (2.5 s) has passed it reads inactive.
        for (long t = 3000; t <= 6000; t += 100)
            st.ReceivePacket(Pkt((ushort)(5 + t / 100), s: 0), t * 1000, out _);
        Assert.Equal(RecvStreamEvents.None, st.OnTimer(4500));
        Assert.Equal(RecvStreamEvents.SpatialLayerActivityChanged, st.OnTimer(6000));
        Assert.False(st.IsSpatialLayerActive(2));
        Assert.True(st.SpatialLayerActivityChanged(2));
        Assert.False(st.SpatialLayerActivityChanged(0));
    }

    [Fact]
    public void KeyFrameRequestsPreferPliThenFir()
    {
        var pli = new RecvStreamStats(Video(), 0);
        Assert.Equal(KeyFrameRequestKind.Pli, pli.RequestKeyFrame(out _));
        Assert.Equal(1, pli.PliCount);

        var opts = Video();
        opts.UsePli = false;
        opts.UseFir = true;
        var fir = new RecvStreamStats(opts, 0);
        Assert.Equal(KeyFrameRequestKind.Fir, fir.RequestKeyFrame(out byte s1));
        Assert.Equal(KeyFrameRequestKind.Fir, fir.RequestKeyFrame(out byte s2));
        Assert.Equal(1, s1);
        Assert.Equal(2, s2);
        Assert.Equal(2, fir.FirCount);

        opts.UseFir = false;
        Assert.Equal(KeyFrameRequestKind.None, new RecvStreamStats(opts, 0).RequestKeyFrame(out _));
    }

    [Fact]
    public void NackCountersAndRtt()
    {
        var st = new RecvStreamStats(Video(), 0);
        st.CountNackSent(3);
        st.CountNackSent(1);
        Assert.Equal(2, st.NackCount);
        Assert.Equal(4, st.NackPacketCount);
        // LRR 1.0 s, DLRR 0.25 s, arrival 1.5 s (compact NTP): RTT 250 ms.
        float rtt = st.ReceiveXrDelaySinceLastRr(0x10000, 0x4000, 0x18000);
        Assert.Equal(250f, rtt, 3);
        Assert.Equal(250f, st.RoundTripTimeMs, 3);
    }

    [Fact]
    public void RtxIsRefusedWithoutNack()
    {
        var opts = Video(rtx: true);
        opts.UseNack = false;
        var st = new RecvStreamStats(opts, 0);
        Assert.False(st.ReceiveRtxStreamPacket(1, 0, 0));
        Assert.Equal(0, st.RtxPacketsDiscarded);
    }
}
