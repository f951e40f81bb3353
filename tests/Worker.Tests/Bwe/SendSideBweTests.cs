using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class SendSideBweTests
{
    [Fact]
    public void Bounds_CapAndFloorTheTarget()
    {
        var bwe = new SendSideBwe(600_000, 100_000, 0);
        Assert.Equal(600_000, bwe.AvailableBitrate);
        bwe.SetBounds(100_000, 400_000);
        Assert.Equal(400_000, bwe.AvailableBitrate);
        bwe.OnRemb(50_000, 0);
        Assert.Equal(100_000, bwe.AvailableBitrate); // REMB lower than the min: the min wins
        bwe.SetBounds(0, 0);
        Assert.Equal(50_000, bwe.AvailableBitrate);
        BweTrace t = bwe.Trace;
        Assert.Equal(600_000, t.StartBitrate);
        Assert.Equal(SendSideBwe.AbsoluteMinBps, t.MinBitrate);
        Assert.Equal(0, t.MaxBitrate);
    }

    [Fact]
    public void Remb_IsTheTargetWithoutTransportCc_AndReceiverReportLossLowersIt()
    {
        var bwe = new SendSideBwe(300_000, 30_000, 0);
        bwe.OnRemb(1_200_000, 1_000_000);
        Assert.Equal(1_200_000, bwe.AvailableBitrate);
        bwe.OnReceiverReport(64, 50_000, 2_000_000); // 25 % lost
        Assert.True(bwe.AvailableBitrate < 1_200_000 * 0.9, bwe.AvailableBitrate.ToString());
        long afterLoss = bwe.AvailableBitrate;
        bwe.OnReceiverReport(10, 50_000, 3_000_000); // ~4 %: hold (creeping up at most 3 %/s)
        Assert.InRange(bwe.AvailableBitrate, afterLoss, afterLoss * 1.04);
        bwe.OnReceiverReport(0, 50_000, 4_000_000); // no loss: grows 8 %/s
        Assert.InRange(bwe.AvailableBitrate, afterLoss * 1.06, afterLoss * 1.15);
    }

    [Fact]
    public void EffectiveDesired_RisesAtOnce_AndDecaysSlowly()
    {
        var bwe = new SendSideBwe(300_000, 30_000, 0);
        bwe.SetDesiredBitrate(1_000_000, 0);
        Assert.Equal(1_000_000, bwe.Trace.EffectiveDesiredBitrate);
        bwe.SetDesiredBitrate(200_000, 1_000_000);
        Assert.Equal(200_000, bwe.Trace.DesiredBitrate);
        Assert.Equal(1_000_000, bwe.Trace.EffectiveDesiredBitrate);
        bwe.Process(2_000_000); // 10 %/s
        Assert.InRange(bwe.Trace.EffectiveDesiredBitrate, 890_000, 910_000);
        bwe.Process(60_000_000);
        Assert.Equal(200_000, bwe.Trace.EffectiveDesiredBitrate);
    }

    [Fact]
    public void PerPacketAndPerFeedbackWork_AllocatesNothing()
    {
        var bwe = new SendSideBwe(600_000, 30_000, 0);
        var gen = new Mediasoup.Rtcp.TransportCcFeedbackGenerator(1);
        byte[] fb = new byte[1500];
        int fbLength = 0;
        Action<ReadOnlyMemory<byte>> capture = m => { m.Span.CopyTo(fb); fbLength = m.Length; };
        long allocated = AllocationProbe.Measure(i =>
        {
            long now = 1_000_000 + i * 1000L;
            bwe.OnPacketSent((ushort)i, 1200, now, i % 50 == 0 ? 3 : -1);
            gen.OnPacket(5, (ushort)i, now + 30_000, capture);
            if (i % 100 == 99)
            {
                gen.OnInterval(capture);
                var reader = new Mediasoup.Rtcp.RtcpCompoundReader(fb.AsSpan(0, fbLength));
                while (reader.MoveNext())
                    if (Mediasoup.Rtcp.TransportCcFeedback.TryRead(reader.Current, out var f))
                        bwe.OnTransportFeedback(f, now + 60_000);
                bwe.SetDesiredBitrate(2_000_000, now);
                bwe.Process(now);
                bwe.TryTakeProbe(out _);
            }
        });
        Assert.Equal(0, allocated);
    }
}
