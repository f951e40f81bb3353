using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class ProbeTests
{
    [Fact]
    public void Pacer_SpacesPacketsAtTheTarget_AndStopsAtTheClusterMinimum()
    {
        var pacer = new ProbePacer();
        var cluster = new ProbeCluster(9, 2_000_000, 5, 3750);
        pacer.Start(cluster, 1000);
        var sends = new List<(long T, int Size)>();
        for (long t = 1000; t < 200_000; t += 100)
        {
            while (pacer.TryNext(t, out int size))
            {
                Assert.Equal(9, pacer.ClusterId);
                sends.Add((t, size));
            }
        }
        Assert.False(pacer.IsActive);
        Assert.Equal(long.MaxValue, pacer.NextDeadlineUs);
        Assert.True(sends.Count >= 5);
        Assert.True(sends.Sum(s => s.Size) >= 3750);
        Assert.True(sends.Sum(s => s.Size) < 3750 + ProbePacer.MaxPacketSize);
        // Rate over the cluster (bytes but the last over the span) within 10 % of the target.
        double bps = sends.Take(sends.Count - 1).Sum(s => s.Size) * 8e6 / (sends[^1].T - sends[0].T);
        Assert.InRange(bps, 1_800_000, 2_200_000);
    }

    [Fact]
    public void Controller_ProbesAtStart_ThenOnlyWithFeedback()
    {
        var c = new ProbeController();
        var est = new ProbeBitrateEstimator();
        c.Process(0, 600_000, 600_000, 0, 0, true, long.MinValue, est);
        Assert.True(c.TryTake(out ProbeCluster a));
        Assert.True(c.TryTake(out ProbeCluster b));
        Assert.Equal(1_200_000, a.TargetBps);
        Assert.Equal(1_800_000, b.TargetBps);
        Assert.False(c.TryTake(out _));
        // Desired far above, but no feedback ever: suspended after the timeout.
        c.Process(ProbeController.FeedbackTimeoutUs, 600_000, 600_000, 5_000_000, 0, true, long.MinValue, est);
        Assert.True(c.Suspended);
        Assert.False(c.TryTake(out _));
        // Feedback comes: probing toward the desired rate resumes, at 2 × the estimate.
        c.OnFeedback(3_000_000);
        c.Process(3_000_000, 600_000, 600_000, 5_000_000, 0, true, long.MinValue, est);
        Assert.True(c.TryTake(out ProbeCluster d));
        Assert.Equal(1_200_000, d.TargetBps);
    }

    [Fact]
    public void Controller_DoesNotProbeWhenTheDesiredRateFits_OrTheLinkIsOverused()
    {
        var c = new ProbeController();
        var est = new ProbeBitrateEstimator();
        c.Process(0, 600_000, 600_000, 0, 0, true, long.MinValue, est);
        while (c.TryTake(out _)) { }
        c.OnFeedback(2_000_000);
        c.Process(2_000_000, 600_000, 1_000_000, 1_050_000, 0, true, long.MinValue, est);
        Assert.False(c.TryTake(out _)); // desired within 10 % of the estimate
        c.Process(2_100_000, 600_000, 1_000_000, 3_000_000, 0, false, long.MinValue, est);
        Assert.False(c.TryTake(out _)); // over-use or loss
        c.Process(2_200_000, 600_000, 1_000_000, 3_000_000, 0, true, 1_000_000, est);
        Assert.False(c.TryTake(out _)); // decreased 1.2 s ago
        c.Process(3_100_000, 600_000, 1_000_000, 3_000_000, 0, true, 1_000_000, est);
        Assert.True(c.TryTake(out ProbeCluster p));
        Assert.Equal(2_000_000, p.TargetBps);
    }

    [Fact]
    public void BitrateEstimator_TakesTheReceiveRateOfASaturatedLink()
    {
        var est = new ProbeBitrateEstimator();
        est.Register(new ProbeCluster(4, 2_000_000, 5, 5000));
        long result = 0;
        // 10 packets of 1000 bytes sent 4 ms apart (2 Mbit/s), received 8 ms apart (1 Mbit/s).
        for (int i = 0; i < 10; i++)
            result = est.OnPacket(new PacketResult(i, 1000 + i * 4000, 50_000 + i * 8000, 1000, 4, true));
        Assert.InRange(result, 0.95 * 1_000_000 * 0.97, 0.95 * 1_000_000 * 1.03);
        Assert.Equal(result, est.ResultOf(4));
        Assert.Equal(0, est.OnPacket(new PacketResult(11, 0, 0, 1000, 5, true))); // unknown cluster
    }
}
