using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

/// <summary>The per-packet paths must not allocate once constructed.</summary>
public sealed class StreamsAllocationTests
{
    private static long Measure(Action<int> body) => AllocationProbe.Measure(body, 20_000);

    [Fact]
    public void ReceivePathDoesNotAllocate()
    {
        var opts = new RecvStreamOptions
        {
            ClockRate = 90000, SpatialLayers = 3, TemporalLayers = 3, UseNack = true, UsePli = true,
            HasRtx = true, UseInactivityCheck = true,
        };
        var stats = new RecvStreamStats(opts, 0);
        var nack = new NackGenerator();
        var kfm = new KeyFrameRequestManager(100);
        var nackOut = new ushort[NackGenerator.MaxNackPackets];
        var kfOut = new uint[4];
        long bytes = Measure(i =>
        {
            long nowUs = i * 5_000L;
            long nowMs = nowUs / 1000;
            ushort seq = (ushort)(i + i / 7); // a loss every 7 packets
            var p = new RtpPacketInfo(seq, (uint)(i * 450), 1100, 1088, (byte)(i % 3), (byte)(i % 2));
            stats.ReceivePacket(p, nowUs, out _);
            var r = nack.ReceivePacket(seq, i % 300 == 0, false, nowMs, nackOut);
            if (r.NackCount > 0)
                stats.CountNackSent(r.NackCount);
            if (i % 50 == 0)
            {
                stats.ReceiveRtxStreamPacket((ushort)i, 0, nowUs);
                stats.ReceiveRetransmittedPacket((ushort)(seq - 3), 0, nowUs);
                stats.ReceiveRepairedPacket(p, nowUs, out _);
            }
            if (nowMs >= nack.NextDeadlineMs)
                nack.OnTimer(nowMs, nackOut);
            if (nowMs >= stats.NextDeadlineMs)
                stats.OnTimer(nowMs);
            if (i % 200 == 0)
            {
                stats.ReceiveSenderReport((uint)i, 0, 0, nowUs);
                stats.BuildReceiverReport(nowUs, 0, out _, out _);
                stats.TryBuildRtxReceiverReport(nowUs, out _, out _, out _);
                stats.GetBitrate(nowMs, 1, 1);
                kfm.KeyFrameNeeded(1234, nowMs);
            }
            if (nowMs >= kfm.NextDeadlineMs)
                kfm.OnTimer(nowMs, kfOut);
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void SendPathDoesNotAllocate()
    {
        int released = 0;
        var buffer = new RetransmissionBuffer<int>(2500, 2000, 90000, _ => released++);
        var stats = new SendStreamStats(90000, 0);
        var seqs = new SeqManager(1234);
        var resend = new int[RetransmissionBuffer<int>.MaxPacketsPerNackItem];
        long bytes = Measure(i =>
        {
            long nowUs = i * 4_000L;
            ushort input = (ushort)i;
            if (i % 9 == 0)
            {
                seqs.Drop(input);
                return;
            }
            if (!seqs.Input(input, out ushort seq))
                return;
            uint ts = (uint)(i * 360);
            if (SeqTracker.IsValid(stats.OnPacket(seq, ts, nowUs)) && !buffer.Contains(seq))
            {
                buffer.Insert(seq, ts, i);
                stats.CountSent(1100, 1088, nowUs / 1000);
            }
            if (i % 40 == 0)
            {
                int n = buffer.ResolveNack((ushort)(seq - 20), 0xFFFF, nowUs / 1000, 50f, resend, out int first);
                stats.CountNackReceived(17);
                stats.CountRetransmitted(n, first);
            }
            if (i % 250 == 0)
            {
                stats.ReceiveReceiverReport(3, i / 100, 10, 42f, nowUs / 1000);
                stats.TryGetSenderReport(nowUs, out _, out _, out _);
            }
        });
        Assert.Equal(0, bytes);
        Assert.True(released > 0);
    }
}
