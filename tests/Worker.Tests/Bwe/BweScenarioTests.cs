using Mediasoup.Bwe;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Bwe;

/// <summary>
/// The send-side estimator against the simulated link (<see cref="BweScenario"/>): real
/// feedback bytes, a drop-tail bottleneck, 25 ms one way. Every threshold is stated here; the
/// measured values are printed. Simulated time, so the busy machine does not matter.
/// </summary>
public sealed class BweScenarioTests
{
    private const long S = 1_000_000;
    private readonly ITestOutputHelper _out;

    public BweScenarioTests(ITestOutputHelper output) => _out = output;

    // Steady state: mean within ±12 % of capacity, at least 65 % of the samples (every 100 ms)
    // within ±15 % (the AIMD saw-tooth runs from 0.85 × capacity to slightly above it), never
    // under 75 %, and at most 8 turns of direction of 5 % per 10 s.
    private void AssertSteady(BweScenario s, long capacity, long fromUs, long toUs)
    {
        double mean = s.Mean(fromUs, toUs);
        double within = s.FractionWithin(fromUs, toUs, capacity * 0.85, capacity * 1.15);
        long min = s.Between(fromUs, toUs).Min();
        int turns = s.DirectionChanges(fromUs, toUs, 0.05);
        double turnsPer10s = turns * 10.0 * S / (toUs - fromUs);
        _out.WriteLine($"capacity {capacity / 1000} k: {s.Describe(fromUs, toUs)}, error of mean {(mean / capacity - 1) * 100:F1} %, within ±15 %: {within * 100:F0} %, turns {turnsPer10s:F1} per 10 s, probe bytes {s.ProbeBytesSent}");
        Assert.InRange(mean, capacity * 0.88, capacity * 1.12);
        Assert.True(within >= 0.65, $"only {within:P0} of the samples within ±15 %");
        Assert.True(min >= capacity * 0.75, $"dropped to {min}");
        Assert.True(turnsPer10s <= 8, $"{turnsPer10s} turns per 10 s");
    }

    private BweScenario RunSteady(long capacity, int seed, Action<BweScenario> setup, ushort firstSeq = 0)
    {
        var s = new BweScenario(capacity, seed: seed, firstSeq: firstSeq);
        setup(s);
        s.RunUntil(40 * S);
        AssertSteady(s, capacity, 20 * S, 40 * S);
        return s;
    }

    [Theory]
    [InlineData(400_000)]
    [InlineData(1_000_000)]
    [InlineData(2_500_000)]
    public void SteadyCapacity_EstimateConvergesAndHolds(long capacity)
    {
        RunSteady(capacity, 1, _ => { });
    }

    private BweScenario StepScenario()
    {
        var s = new BweScenario(2_500_000);
        s.OnStep = (t, sc) => sc.Forward.CapacityBps = t < 20 * S ? 2_500_000 : t < 40 * S ? 600_000 : 2_500_000;
        s.DesiredBps = _ => 2_000_000;
        s.AppLimitBps = _ => 2_000_000;
        s.RunUntil(60 * S);
        return s;
    }

    // 2.5 Mbit/s → 600 kbit/s at 20 s: the estimate must be under 115 % of the new capacity
    // within 1.5 s, and must not collapse afterwards (never under 50 % of it, mean within ±20 %).
    [Fact]
    public void StepDown_ReactsWithinOnePointFiveSeconds()
    {
        BweScenario s = StepScenario();
        long reactUs = s.FirstTime(20 * S, v => v <= 690_000) - 20 * S;
        _out.WriteLine($"reaction to 2.5 M → 600 k: {reactUs / 1000} ms; 22–40 s: {s.Describe(22 * S, 40 * S)}");
        Assert.InRange(reactUs, 0, 1_500_000);
        Assert.True(s.Between(22 * S, 40 * S).Min() >= 300_000);
        Assert.InRange(s.Mean(22 * S, 40 * S), 480_000, 720_000);
    }

    // 600 kbit/s → 2.5 Mbit/s at 40 s with 2 Mbit/s desired: at least 85 % of the desired rate within 5 s.
    [Fact]
    public void StepUp_RecoversWithinFiveSeconds()
    {
        BweScenario s = StepScenario();
        long recoverUs = s.FirstTime(40 * S, v => v >= 1_700_000) - 40 * S;
        _out.WriteLine($"recovery after 600 k → 2.5 M: {recoverUs / 1000} ms; 50–60 s: {s.Describe(50 * S, 60 * S)}");
        Assert.InRange(recoverUs, 0, 5_000_000);
        Assert.True(s.Between(50 * S, 60 * S).Min() >= 1_700_000);
    }

    // Bursts of 30 % loss for 200 ms every 2 s on a 1.5 Mbit/s link: mean stays above 60 % of
    // the capacity and never runs above 120 % of it.
    [Fact]
    public void BurstyLoss_DoesNotCollapseTheEstimate()
    {
        var s = new BweScenario(1_500_000);
        s.Forward.LossAt = t => t % (2 * S) < 200_000 ? 0.30 : 0;
        s.RunUntil(40 * S);
        _out.WriteLine($"bursty loss: {s.Describe(10 * S, 40 * S)}, random drops {s.Forward.RandomDrops}");
        Assert.True(s.Forward.RandomDrops > 100);
        Assert.True(s.Mean(10 * S, 40 * S) >= 0.6 * 1_500_000);
        Assert.True(s.Between(10 * S, 40 * S).Max() <= 1.2 * 1_500_000);
    }

    // 1 % random loss is under the 2 % the loss controller reacts to: steady-state criteria hold.
    [Fact]
    public void LightRandomLoss_IsIgnored()
    {
        RunSteady(1_000_000, 3, s => s.Forward.LossRate = 0.01);
    }

    // 5 % of the packets held back by up to 10 ms (arriving after later ones): steady-state criteria hold.
    [Fact]
    public void Reordering_DoesNotDisturbTheEstimate()
    {
        RunSteady(1_000_000, 4, s => s.Forward.ReorderRate = 0.05);
    }

    // 20 % of the feedback packets lost (their packets are never reported): steady-state criteria hold.
    [Fact]
    public void FeedbackLoss_DoesNotDisturbTheEstimate()
    {
        RunSteady(1_000_000, 5, s => s.Backward.LossRate = 0.20);
    }

    // 30 % of the feedback packets arrive twice, the copy up to 200 ms later (after newer ones),
    // and 10 % are held back by up to 150 ms: duplicates count once, steady-state criteria hold.
    [Fact]
    public void DuplicateAndOutOfOrderFeedback_CountOnce()
    {
        RunSteady(1_000_000, 6, s =>
        {
            s.Backward.DuplicateRate = 0.30;
            s.Backward.ReorderRate = 0.10;
            s.Backward.ReorderMaxExtraUs = 150_000;
        });
    }

    // The sequence starts at 56000 so that it wraps around 30 s, inside the measured 20–40 s.
    [Fact]
    public void SequenceWrap_IsTransparent()
    {
        BweScenario s = RunSteady(2_500_000, 1, _ => { }, firstSeq: 56_000);
        Assert.True(s.LastSequence < 56_000); // it wrapped
        Assert.True(s.SequenceAt(20 * S) > 56_000); // after 20 s
    }

    // Every 300 ms a garbage feedback: sequence ahead of what was sent (20000 and 40000 ahead)
    // or far behind with a huge time jump; or random bytes. Nothing throws, steady-state criteria hold.
    [Fact]
    public void GarbageFeedback_DoesNotCrashOrPoison()
    {
        var s = new BweScenario(1_000_000, seed: 7);
        var rng = new Random(7);
        int injected = 0;
        s.OnStep = (t, sc) =>
        {
            if (t % 300_000 != 0)
                return;
            ushort next = (ushort)(sc.LastSequence + 1);
            int kind = injected++ % 4;
            byte[] bytes = kind switch
            {
                0 => FeedbackTestUtil.Build((ushort)(next + 20_000), t, ((ushort)(next + 20_000), t + 1000)),
                1 => FeedbackTestUtil.Build((ushort)(next + 40_000), t, ((ushort)(next + 40_000), t + 1000), ((ushort)(next + 40_100), t + 900_000)),
                2 => FeedbackTestUtil.Build((ushort)(sc.LastSequence - 30_000), t, ((ushort)(sc.LastSequence - 30_000 + 3000), t + 5_000_000)),
                _ => RandomRtcp(rng),
            };
            sc.DeliverFeedback(bytes, t);
        };
        s.RunUntil(40 * S);
        Assert.True(injected > 100);
        AssertSteady(s, 1_000_000, 20 * S, 40 * S);
    }

    private static byte[] RandomRtcp(Random rng)
    {
        // A transport-cc header with random FCI: most are rejected by the parser, some parse as garbage.
        var b = new byte[12 + 4 * rng.Next(2, 20)];
        rng.NextBytes(b);
        b[0] = 0x8F; b[1] = 205;
        int words = b.Length / 4 - 1;
        b[2] = (byte)(words >> 8); b[3] = (byte)words;
        return b;
    }

    // Consumers use 500 kbit/s on a 3 Mbit/s link (desired 500 k): the estimate neither
    // collapses under what is sent (≥ 0.9 × it) nor runs away: never above the capacity (what
    // the initial probes measured is fine) and not drifting up while nothing is probed (the
    // maximum over 20–40 s is not above the maximum over 5–20 s).
    [Fact]
    public void AppLimitedSender_EstimateNeitherCollapsesNorExplodes()
    {
        var s = new BweScenario(3_000_000, startBps: 600_000);
        s.AppLimitBps = _ => 500_000;
        s.DesiredBps = _ => 500_000;
        s.RunUntil(40 * S);
        long sent = 540_000; // video + audio
        _out.WriteLine($"app-limited at {sent / 1000} k on 3 M: {s.Describe(5 * S, 40 * S)}, in ALR at the end: {s.Bwe.InAlr}");
        Assert.True(s.Between(5 * S, 40 * S).Min() >= 0.9 * sent);
        Assert.True(s.Between(5 * S, 40 * S).Max() <= 3_000_000);
        Assert.True(s.Between(20 * S, 40 * S).Max() <= s.Between(5 * S, 20 * S).Max());
    }

    // The reference's weak spot: a 400 kbit/s link, layers of 150 k / 500 k / 1.2 M, key frames
    // of 12 packets sent at once every 3 s. The estimate must keep the 150 k layer (+ audio)
    // fitting at all times: never under 240 k (60 % of the capacity), mean at least 70 %.
    [Fact]
    public void LayeredSender_OnFourHundredKilobits_DoesNotCollapse()
    {
        var s = new BweScenario(400_000, startBps: 600_000);
        s.Layers = [150_000, 500_000, 1_200_000];
        s.KeyFrameIntervalUs = 3 * S;
        s.DesiredBps = _ => 1_300_000;
        s.RunUntil(60 * S);
        _out.WriteLine($"layers on 400 k: {s.Describe(5 * S, 60 * S)}, turns {s.DirectionChanges(5 * S, 60 * S, 0.05)}, probe bytes {s.ProbeBytesSent}, queue drops {s.Forward.QueueDrops}");
        Assert.True(s.Between(5 * S, 60 * S).Min() >= 240_000);
        Assert.True(s.Mean(5 * S, 60 * S) >= 0.7 * 400_000);
    }

    // A receiver that never sends feedback: after the two initial clusters nothing more is
    // probed, at most 20 kB of padding in a minute, and the estimate stays at the start value.
    [Fact]
    public void ReceiverWithoutFeedback_IsNotFlooded()
    {
        var s = new BweScenario(2_000_000, startBps: 600_000) { FeedbackEnabled = false };
        s.RunUntil(60 * S);
        _out.WriteLine($"no feedback: {s.ProbeBytesSent} probe bytes in 60 s, suspended {s.Bwe.ProbingSuspended}");
        Assert.InRange(s.ProbeBytesSent, 1, 20_000);
        Assert.True(s.Bwe.ProbingSuspended);
        Assert.Equal(600_000, s.Bwe.AvailableBitrate);
    }

    // Feedback stops at 10 s (receiver gone silent): no probe bytes after 12.5 s.
    [Fact]
    public void FeedbackThatStops_StopsProbing()
    {
        var s = new BweScenario(2_000_000, startBps: 600_000);
        s.DesiredBps = _ => 10_000_000;
        s.OnStep = (t, sc) => sc.FeedbackEnabled = t < 10 * S;
        s.RunUntil(12_500_000);
        long atStop = s.ProbeBytesSent;
        s.RunUntil(60 * S);
        _out.WriteLine($"probe bytes until 12.5 s: {atStop}, after: {s.ProbeBytesSent - atStop}");
        Assert.True(atStop > 0);
        Assert.Equal(atStop, s.ProbeBytesSent);
    }

    // Without the initial probes' measurement (start at the sent rate, capacity unknown) an
    // app-limited sender must not push the estimate past 1.5 × what it sends (+ 10 k).
    [Fact]
    public void AppLimitedSender_WithoutProbes_StaysNearWhatItSends()
    {
        var s = new BweScenario(3_000_000, startBps: 100_000);
        s.AppLimitBps = _ => 200_000;
        s.DesiredBps = _ => 0;
        s.RunUntil(40 * S);
        _out.WriteLine($"app-limited at 240 k, start 100 k (initial probes at 200 k / 300 k): {s.Describe(10 * S, 40 * S)}");
        Assert.True(s.Between(10 * S, 40 * S).Min() >= 0.9 * 240_000);
        Assert.True(s.Between(10 * S, 40 * S).Max() <= 1.5 * 240_000 + 10_000 + 20_000);
    }
}
