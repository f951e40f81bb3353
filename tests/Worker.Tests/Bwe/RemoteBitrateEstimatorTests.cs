using Mediasoup.Bwe;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Bwe;

public sealed class RemoteBitrateEstimatorTests
{
    private readonly ITestOutputHelper _out;

    public RemoteBitrateEstimatorTests(ITestOutputHelper output) => _out = output;

    /// <summary>
    /// A closed loop on a synthetic path: a video sender that encodes 30 frames a second at the
    /// last REMB it was given (capped by its encoder's maximum), paced at 2.5 times that rate
    /// into a FIFO bottleneck whose capacity can change, then 20 ms of propagation. The
    /// estimator sees each packet's abs-send-time (the pacer's send time, 24 bits, wrapping)
    /// and arrival time; the sender follows the estimate 100 ms later (the REMB's way back).
    /// </summary>
    private sealed class PathSimulation
    {
        private const long PropagationUs = 20_000;
        private const long FeedbackDelayUs = 100_000;
        private const int PacketBytes = 1200;
        private const long FrameIntervalUs = 33_333;
        private const long MaxQueueDelayUs = 300_000;

        private readonly Queue<(long SendUs, long ArrivalUs, int Size)> _inFlight = new();
        private readonly Queue<(long AtUs, long Bitrate)> _feedback = new();
        private readonly long _sendClockOffsetUs;
        private long _linkFreeAtUs;
        private long _pacerFreeAtUs;
        private long _nextFrameUs;

        public PathSimulation(long sendClockOffsetUs = 0) => _sendClockOffsetUs = sendClockOffsetUs;

        public RemoteBitrateEstimator Estimator { get; } = new();

        /// <summary>The bottleneck (bps); a sender without limit when 0.</summary>
        public long CapacityBps { get; set; }

        public long EncoderMaxBps { get; set; } = 5_000_000;

        /// <summary>What the sender targets now (starts at 300 kbit/s, then follows the REMB).</summary>
        public long TargetBps { get; private set; } = 300_000;

        /// <summary>A fixed sending rate instead of following the REMB (0: follow it).</summary>
        public long FixedRateBps { get; set; }

        public long SentBytes { get; private set; }

        public long Dropped { get; private set; }

        public void Run(long fromUs, long toUs, Action<long>? everyMs = null)
        {
            for (long now = fromUs; now < toUs; now += 1000)
            {
                while (_feedback.Count > 0 && _feedback.Peek().AtUs <= now)
                    TargetBps = Math.Min(_feedback.Dequeue().Bitrate, EncoderMaxBps);
                if (now >= _nextFrameUs)
                {
                    SendFrame(now);
                    _nextFrameUs += FrameIntervalUs;
                }
                while (_inFlight.Count > 0 && _inFlight.Peek().ArrivalUs <= now)
                {
                    (long sendUs, long arrivalUs, int size) = _inFlight.Dequeue();
                    uint abs = Mediasoup.Rtp.AbsSendTime.FromMicroseconds(sendUs + _sendClockOffsetUs);
                    Estimator.OnPacket(arrivalUs, abs, size);
                }
                if (now % 100_000 == 0 && Estimator.HasEstimate)
                    _feedback.Enqueue((now + FeedbackDelayUs, Estimator.Estimate));
                everyMs?.Invoke(now);
            }
        }

        private void SendFrame(long now)
        {
            long rate = FixedRateBps > 0 ? FixedRateBps : TargetBps;
            long frameBytes = Math.Max(rate / 8 * FrameIntervalUs / 1_000_000, 100);
            double pacerBps = rate * 2.5;
            long t = Math.Max(now, _pacerFreeAtUs);
            while (frameBytes > 0)
            {
                int size = (int)Math.Min(frameBytes, PacketBytes);
                frameBytes -= size;
                long sendUs = t;
                t += (long)(size * 8 * 1e6 / pacerBps);
                long departure = sendUs;
                if (CapacityBps > 0)
                {
                    // A router's buffer holds so much; what arrives at a full one is dropped.
                    if (_linkFreeAtUs - sendUs > MaxQueueDelayUs)
                    {
                        Dropped++;
                        continue;
                    }
                    departure = Math.Max(sendUs, _linkFreeAtUs) + (long)(size * 8 * 1e6 / CapacityBps);
                    _linkFreeAtUs = departure;
                }
                _inFlight.Enqueue((sendUs, departure + PropagationUs, size));
                SentBytes += size;
            }
            _pacerFreeAtUs = t;
        }
    }

    private static (double Mean, long Min, long Max) Observe(PathSimulation sim, long fromUs, long toUs)
    {
        double sum = 0;
        long n = 0, min = long.MaxValue, max = 0;
        sim.Run(fromUs, toUs, now =>
        {
            if (now % 10_000 != 0)
                return;
            long e = sim.Estimator.Estimate;
            sum += e;
            n++;
            min = Math.Min(min, e);
            max = Math.Max(max, e);
        });
        return (sum / n, min, max);
    }

    [Theory]
    [InlineData(500_000)]
    [InlineData(1_000_000)]
    [InlineData(2_500_000)]
    public void SteadyCapacity_EstimateWithin15PercentAndNoGrowthBeyond(long capacity)
    {
        // The send clock starts 60 s in: abs-send-time wraps (64 s) during the run.
        var sim = new PathSimulation(sendClockOffsetUs: 60_000_000) { CapacityBps = capacity };
        sim.Run(0, 30_000_000);
        (double mean, long min, long max) = Observe(sim, 30_000_000, 90_000_000);
        _out.WriteLine($"capacity {capacity}: mean {mean:F0} ({mean / capacity:P1}), min {min} ({(double)min / capacity:P1}), max {max} ({(double)max / capacity:P1})");
        Assert.InRange(mean, capacity * 0.85, capacity * 1.15);
        // It probes a little above the capacity before backing off, never far above.
        Assert.True(max <= capacity * 1.2, $"max {max}");
        // And it never collapses far below what the link carries.
        Assert.True(min >= capacity * 0.6, $"min {min}");
    }

    [Fact]
    public void StepDown_ReactsWithin2SecondsAndSettlesNearTheNewCapacity()
    {
        var sim = new PathSimulation { CapacityBps = 2_000_000 };
        sim.Run(0, 40_000_000);
        Assert.InRange(sim.Estimator.Estimate, 2_000_000 * 0.8, 2_000_000 * 1.2);
        sim.CapacityBps = 700_000;
        long reactedAtUs = -1;
        sim.Run(40_000_000, 45_000_000, now =>
        {
            if (reactedAtUs < 0 && sim.Estimator.Estimate <= 700_000 * 1.15)
                reactedAtUs = now;
        });
        _out.WriteLine($"step 2 Mbit/s -> 700 kbit/s: estimate under 805 kbit/s after {(reactedAtUs - 40_000_000) / 1000} ms");
        Assert.InRange(reactedAtUs, 40_000_000, 42_000_000);
        sim.Run(45_000_000, 50_000_000);
        (double mean, long min, long max) = Observe(sim, 50_000_000, 80_000_000);
        _out.WriteLine($"after the step: mean {mean:F0}, min {min}, max {max}");
        Assert.InRange(mean, 700_000 * 0.85, 700_000 * 1.15);
        Assert.True(min >= 700_000 * 0.75, $"min {min}: collapsed");
    }

    [Fact]
    public void StepUp_RecoversTowardsTheNewCapacity()
    {
        var sim = new PathSimulation { CapacityBps = 600_000 };
        sim.Run(0, 30_000_000);
        sim.CapacityBps = 1_500_000;
        long recoveredAtUs = -1;
        sim.Run(30_000_000, 60_000_000, now =>
        {
            if (recoveredAtUs < 0 && sim.Estimator.Estimate >= 1_500_000 * 0.85)
                recoveredAtUs = now;
        });
        _out.WriteLine($"step 600 kbit/s -> 1.5 Mbit/s: estimate over 1.275 Mbit/s after {(recoveredAtUs - 30_000_000) / 1000} ms");
        Assert.InRange(recoveredAtUs, 30_000_000, 50_000_000);
    }

    [Fact]
    public void SenderBelowCapacity_EstimateLeadsItButDoesNotRunAway()
    {
        // No bottleneck: the sender stays at 400 kbit/s whatever it is told.
        var sim = new PathSimulation { FixedRateBps = 400_000 };
        sim.Run(0, 10_000_000);
        (double mean, long min, long max) = Observe(sim, 10_000_000, 40_000_000);
        _out.WriteLine($"fixed 400 kbit/s: mean {mean:F0}, min {min}, max {max}");
        Assert.InRange(min, 400_000 * 0.9, 400_000 * 1.6);
        Assert.True(max <= 400_000 * 1.5 + 10_000 + 20_000, $"max {max}");
    }

    [Fact]
    public void NoEstimate_BeforeAFullRateWindow()
    {
        var e = new RemoteBitrateEstimator();
        // 150-byte packets every 3 ms (400 kbit/s): too small to be read as probes.
        long window = RemoteBitrateEstimator.RateWindowMs * 1000;
        long t = 0;
        for (; t < window - 3000; t += 3000)
            e.OnPacket(t, Mediasoup.Rtp.AbsSendTime.FromMicroseconds(t), 150);
        Assert.False(e.HasEstimate);
        Assert.Equal(0, e.Estimate);
        for (; t < 2 * window; t += 3000)
            e.OnPacket(t, Mediasoup.Rtp.AbsSendTime.FromMicroseconds(t), 150);
        Assert.True(e.HasEstimate);
        Assert.InRange(e.Estimate, 360_000, 440_000 * 1.5);
    }

    /// <summary>A 300 kbit/s stream (small packets) with, 300 ms in, a cluster of seven
    /// 1200-byte packets sent 8 ms apart (1.2 Mbit/s); arriving as spaced, or spread out by a
    /// path that carries only 600 kbit/s.</summary>
    private static RemoteBitrateEstimator StartWithProbe(long pathBps)
    {
        var e = new RemoteBitrateEstimator();
        long linkFree = 0;
        void Send(long sendUs, int size)
        {
            long arrival = Math.Max(sendUs, linkFree) + size * 8 * 1_000_000L / pathBps;
            linkFree = arrival;
            e.OnPacket(arrival + 20_000, Mediasoup.Rtp.AbsSendTime.FromMicroseconds(sendUs), size);
        }
        long t = 0;
        for (; t < 300_000; t += 5_000)
            Send(t, 187); // 300 kbit/s in packets too small to be probes
        for (int i = 0; i < 7; i++)
            Send(t + i * 8_000, 1200);
        for (t += 60_000; t < 1_200_000; t += 5_000)
            Send(t, 187);
        return e;
    }

    [Fact]
    public void StartUpProbe_SetsTheEstimateAtOnce()
    {
        RemoteBitrateEstimator e = StartWithProbe(pathBps: 100_000_000);
        // Before the first full rate window (no estimate from the arriving rate yet).
        Assert.True(e.HasEstimate);
        Assert.InRange(e.Estimate, 1_200_000 * 0.9, 1_200_000 * 1.1);
    }

    [Fact]
    public void StartUpProbe_ThatThePathSpreadShowsThePathsRate()
    {
        RemoteBitrateEstimator e = StartWithProbe(pathBps: 600_000);
        Assert.True(e.Estimate <= 700_000, $"{e.Estimate}");
    }

    [Fact]
    public void OnPacket_AllocatesNothing()
    {
        var e = new RemoteBitrateEstimator();
        long allocated = AllocationProbe.Measure(i =>
        {
            long t = i * 3_000L;
            e.OnPacket(t + (i % 7) * 100, Mediasoup.Rtp.AbsSendTime.FromMicroseconds(t), 1100);
        }, 20_000);
        Assert.Equal(0, allocated);
    }
}
