using Mediasoup.Bwe;
using Mediasoup.Rtcp;

namespace Mediasoup.Tests.Bwe;

/// <summary>
/// A sender, a link, a receiver and the way back, in simulated time (steps of
/// <see cref="StepUs"/>): the sender sends 1200-byte video packets paced at
/// min(target − audio, app limit) (or the highest of <see cref="Layers"/> that fits, with key
/// frame bursts), 100-byte audio every 20 ms, and the probes the estimator asks for; the receiver
/// answers with real transport-cc feedback from <see cref="TransportCcFeedbackGenerator"/> every
/// 100 ms, which the estimator gets through the worker's parser.
/// </summary>
internal sealed class BweScenario
{
    public const long StepUs = 500;
    private const int VideoPacket = 1200;
    private const int AudioPacket = 100;
    private const long AudioIntervalUs = 20_000;
    private const long ReceiverClockOffsetUs = 7_777_777_777;

    public LinkSimulator<ushort> Forward { get; }
    public LinkSimulator<byte[]> Backward { get; }
    public SendSideBwe Bwe { get; }

    public Func<long, long> AppLimitBps { get; set; } = _ => long.MaxValue;
    public Func<long, long> DesiredBps { get; set; } = _ => 5_000_000;
    public long[]? Layers { get; set; }
    public long KeyFrameIntervalUs { get; set; }
    public int KeyFramePackets { get; set; } = 12;
    public bool FeedbackEnabled { get; set; } = true;
    /// <summary>Called every step before the sender: inject garbage, change capacity...</summary>
    public Action<long, BweScenario>? OnStep { get; set; }

    public List<(long TimeUs, long Bps)> Samples { get; } = new();
    public long ProbeBytesSent { get; private set; }
    public long MediaBytesSent { get; private set; }
    public long NowUs { get; private set; }
    public ushort LastSequence => (ushort)(_seq - 1);

    private readonly List<(long TimeUs, ushort Seq)> _sequenceSamples = new();

    /// <summary>The next sequence number to be sent at a sample time.</summary>
    public ushort SequenceAt(long timeUs) => _sequenceSamples.First(x => x.TimeUs >= timeUs).Seq;

    private readonly TransportCcFeedbackGenerator _receiver = new(senderSsrc: 0xFEED);
    private readonly ProbePacer _pacer = new();
    private ushort _seq;
    private double _credit;
    private long _nextAudioUs;
    private long _nextFeedbackUs;
    private long _nextProcessUs;
    private long _nextSampleUs;
    private long _nextKeyFrameUs;
    private long _lastStepUs = -1;
    private readonly Dictionary<ushort, int> _sizes = new();

    public BweScenario(long capacityBps, long startBps = 300_000, int seed = 1, ushort firstSeq = 0, long minBps = 30_000, long maxBps = 0)
    {
        Forward = new LinkSimulator<ushort>(seed) { CapacityBps = capacityBps };
        Backward = new LinkSimulator<byte[]>(seed + 1000) { CapacityBps = 0 };
        Bwe = new SendSideBwe(startBps, minBps, maxBps);
        _seq = firstSeq;
        NowUs = 1_000_000;
    }

    public void RunUntil(long endUs)
    {
        for (; NowUs <= endUs; NowUs += StepUs)
            Step(NowUs);
    }

    private void Step(long now)
    {
        OnStep?.Invoke(now, this);

        while (Forward.TryReceive(now, out ushort seq, out long arrival))
        {
            Forward.Delivered(_sizes.TryGetValue(seq, out int sz) ? sz : 0);
            _receiver.OnPacket(0xABCD, seq, arrival + ReceiverClockOffsetUs, SendFeedback);
        }
        if (now >= _nextFeedbackUs)
        {
            _nextFeedbackUs = now + TransportCcFeedbackGenerator.IntervalMs * 1000;
            _receiver.OnInterval(SendFeedback);
        }
        while (Backward.TryReceive(now, out byte[] fb, out _))
            DeliverFeedback(fb, now);

        if (now >= _nextProcessUs)
        {
            Bwe.SetDesiredBitrate(DesiredBps(now), now);
            _nextProcessUs = Math.Min(Bwe.Process(now), now + 25_000);
        }
        if (now >= _nextSampleUs)
        {
            _nextSampleUs = now + 100_000;
            Samples.Add((now, Bwe.AvailableBitrate));
            _sequenceSamples.Add((now, _seq));
        }

        // Probes first: they are sent on their own timer.
        if (!_pacer.IsActive && Bwe.TryTakeProbe(out ProbeCluster cluster))
            _pacer.Start(cluster, now);
        while (_pacer.TryNext(now, out int padding))
        {
            SendPacket(now, padding, _pacer.ClusterId);
            ProbeBytesSent += padding;
        }

        if (now >= _nextAudioUs)
        {
            _nextAudioUs = now + AudioIntervalUs;
            SendPacket(now, AudioPacket, -1);
        }
        long audioBps = AudioPacket * 8 * 1_000_000 / AudioIntervalUs;
        long budget = Math.Max(Bwe.AvailableBitrate - audioBps, 0);
        long rate = Math.Min(budget, AppLimitBps(now));
        if (Layers != null)
        {
            long chosen = 0;
            foreach (long layer in Layers)
                if (layer <= budget && layer <= AppLimitBps(now))
                    chosen = layer;
            rate = chosen;
            if (KeyFrameIntervalUs > 0 && rate > 0 && now >= _nextKeyFrameUs)
            {
                _nextKeyFrameUs = now + KeyFrameIntervalUs;
                for (int i = 0; i < KeyFramePackets; i++)
                    SendPacket(now, VideoPacket, -1);
                _credit -= KeyFramePackets * VideoPacket * 8; // the average rate stays the layer's
            }
        }
        long dt = _lastStepUs < 0 ? 0 : now - _lastStepUs;
        _lastStepUs = now;
        _credit = Math.Min(_credit + rate * dt / 1e6, 2 * VideoPacket * 8);
        while (_credit >= VideoPacket * 8)
        {
            _credit -= VideoPacket * 8;
            SendPacket(now, VideoPacket, -1);
        }
    }

    private void SendPacket(long now, int size, int probeClusterId)
    {
        ushort seq = _seq++;
        _sizes[seq] = size;
        if (probeClusterId < 0)
            MediaBytesSent += size;
        Bwe.OnPacketSent(seq, size, now, probeClusterId);
        Forward.Send(now, seq, size);
    }

    private void SendFeedback(ReadOnlyMemory<byte> packet)
    {
        if (FeedbackEnabled)
            Backward.Send(NowUs, packet.ToArray(), packet.Length);
    }

    public void DeliverFeedback(byte[] compound, long now)
    {
        var reader = new RtcpCompoundReader(compound);
        while (reader.MoveNext())
        {
            if (TransportCcFeedback.TryRead(reader.Current, out TransportCcFeedback fb))
                Bwe.OnTransportFeedback(fb, now);
        }
    }

    // ---- Measurements over the samples (one every 100 ms).

    public IEnumerable<long> Between(long fromUs, long toUs) => Samples.Where(s => s.TimeUs >= fromUs && s.TimeUs < toUs).Select(s => s.Bps);

    public double Mean(long fromUs, long toUs) => Between(fromUs, toUs).Average();

    public double FractionWithin(long fromUs, long toUs, double lo, double hi) => Between(fromUs, toUs).Count(v => v >= lo && v <= hi) / (double)Between(fromUs, toUs).Count();

    /// <summary>First sample time at or after <paramref name="fromUs"/> whose value satisfies the predicate (-1: never).</summary>
    public long FirstTime(long fromUs, Func<long, bool> predicate)
    {
        foreach (var s in Samples)
            if (s.TimeUs >= fromUs && predicate(s.Bps))
                return s.TimeUs;
        return -1;
    }

    /// <summary>Turns of direction of at least <paramref name="fraction"/> of the value (a zig-zag count).</summary>
    public int DirectionChanges(long fromUs, long toUs, double fraction)
    {
        var values = Between(fromUs, toUs).ToList();
        if (values.Count == 0)
            return 0;
        int changes = 0, direction = 0;
        double extreme = values[0];
        foreach (long v in values)
        {
            if (direction == 0)
            {
                if (Math.Abs(v - extreme) >= fraction * extreme)
                {
                    direction = v > extreme ? 1 : -1;
                    extreme = v;
                }
            }
            else if (direction > 0 ? v > extreme : v < extreme)
            {
                extreme = v;
            }
            else if (Math.Abs(v - extreme) >= fraction * extreme)
            {
                changes++;
                direction = -direction;
                extreme = v;
            }
        }
        return changes;
    }

    public string Describe(long fromUs, long toUs)
    {
        var v = Between(fromUs, toUs).ToList();
        return $"mean {v.Average() / 1000:F0} k, min {v.Min() / 1000} k, max {v.Max() / 1000} k";
    }
}
