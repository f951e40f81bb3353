using System;
using System.Collections.Generic;
using Mediasoup.Bwe;
using Mediasoup.Consumers;
using Mediasoup.Logging;
using Mediasoup.Rtp;

namespace Mediasoup.Transports;

/// <summary>How a transport learns what its receiver can take.</summary>
internal enum OutgoingBweType : byte
{
    /// <summary>transport-wide-cc-01 on every packet and transport-cc feedback (draft-holmer).</summary>
    TransportCc = 0,
    /// <summary>The receiver's own estimate in REMB (draft-alvestrand-rmcat-remb).</summary>
    Remb = 1,
}

/// <summary>What <see cref="OutgoingBandwidth"/> needs of its transport.</summary>
internal interface IOutgoingBandwidthHost
{
    Worker.WorkerContext Ctx { get; }
    bool IsConnected { get; }
    Dictionary<string, Consumer>.ValueCollection SendingConsumers { get; }
    /// <summary>Sends a probation packet (SSRC 1234, MID "probator") like any RTP packet.</summary>
    void SendProbation(RtpPacket packet, in RtpRewrite rewrite);
    void EmitBweTrace(OutgoingBweType type, in BweTrace trace);
    void EmitProbationTrace(RtpPacket packet);
}

/// <summary>
/// The send side of one transport's congestion control: stamps a transport-wide sequence
/// number on every packet that leaves and tells the estimator when it left; hands the
/// receiver's transport-cc feedback, REMB and report blocks to it; sends the probe clusters it
/// asks for as padding on the probator stream (the one mediasoup-client sets up in receiving
/// browsers); and shares the estimate among the transport's consumers
/// (<see cref="BitrateAllocator"/>): adaptive ones get layers that fit, what the others send
/// is taken off the top first.
/// </summary>
internal sealed class OutgoingBandwidth : IDisposable
{
    public const uint ProbationSsrc = 1234;
    public const byte ProbationPayloadType = 127;
    public const long DefaultStartBps = 600_000;
    /// <summary>Allocation runs at least this often, and at once when the estimate moves more than
    /// <see cref="ReallocateOnChange"/> or a consumer changed.</summary>
    public const long AllocationIntervalUs = 1_000_000;
    public const double ReallocateOnChange = 0.05;
    /// <summary>A pending climb is refused when the estimate falls this much while it is tried.</summary>
    public const double RefusedDrop = 0.10;
    /// <summary>After a refused climb the consumer's step is kept while the estimate covers this much of it.</summary>
    public const double RefusalHoldCover = 0.75;
    /// <summary>Ramp padding stops by itself this long after the allocation that asked for it.</summary>
    public const long RampHoldUs = 2 * AllocationIntervalUs;
    /// <summary>Ramp padding packets carry about this much of the ramp's rate each.</summary>
    private const long RampPacketUs = 20_000;
    private const int MaxRungs = 32;

    private static ReadOnlySpan<byte> ProbatorMid => "probator"u8;

    private readonly IOutgoingBandwidthHost _host;
    private readonly SendSideBwe _bwe;
    private readonly ProbePacer _pacer = new();
    private readonly BitrateAllocator _allocator = new();
    private readonly Loop.LoopTimer _timer;
    private readonly LayerRung[] _rungs = new LayerRung[MaxRungs];
    private readonly List<Consumer> _participants = new();
    private readonly List<int> _currentRungs = new();
    private readonly List<int> _ladderLengths = new();
    private readonly List<long> _currentBitrates = new();
    private readonly List<long> _currentSpatialBaseBitrates = new();
    private readonly List<(Consumer Consumer, ClimbGuard Guard)> _guards = new();

    private readonly byte[] _probe;
    private readonly RtpPacket _probePacket = new();
    private readonly int _probeHeaderLength;
    private ushort _transportSeq;
    private ushort _probeSeq;
    private uint _probeTimestamp;
    private int _sendingProbeCluster = -1;
    private long _rampBps;
    private long _rampUntilUs;
    private long _rampNextUs;
    private long _lastAllocationUs = long.MinValue;
    private long _allocatedAtBps;
    private bool _allocationWanted = true;
    private bool _disposed;

    public OutgoingBandwidth(IOutgoingBandwidthHost host, OutgoingBweType type, long startBps, long minBps, long maxBps)
    {
        _host = host;
        Type = type;
        _bwe = new SendSideBwe(startBps > 0 ? startBps : DefaultStartBps, minBps, maxBps);
        _timer = host.Ctx.Loop.CreateTimer(OnTimer);
        _probeSeq = (ushort)host.Ctx.Random.Next(0, 65536);
        _probeTimestamp = (uint)host.Ctx.Random.Next();
        _probe = GC.AllocateArray<byte>(Net.PacketBufferPool.BufferSize, pinned: true);
        _probeHeaderLength = BuildProbeHeader(_probe);
        _timer.Start(1);
    }

    public OutgoingBweType Type { get; }

    /// <summary>What the estimator allows now (bit/s).</summary>
    public long AvailableBitrate => _bwe.AvailableBitrate;

    public ulong ProbationBytesSent { get; private set; }
    private readonly Rtp.Streams.RateCalculator _probationRate = new();
    public long ProbationSendBitrate(long nowMs) => _probationRate.GetRate(nowMs);

    public void SetBounds(long minBps, long maxBps)
    {
        _bwe.SetBounds(minBps, maxBps);
        _allocationWanted = true;
    }

    /// <summary>A consumer came, went or changed its priority or preferred layers.</summary>
    public void RequestAllocation() => _allocationWanted = true;

    /// <summary>
    /// The packet is about to leave (after the consumer's rewrite, before protection): give it
    /// the next transport-wide sequence number if it has the slot, and register the send.
    /// </summary>
    public void OnSend(RtpPacket packet, long nowUs)
    {
        ushort next = unchecked((ushort)(_transportSeq + 1));
        if (Type != OutgoingBweType.TransportCc || !packet.UpdateTransportWideCc01(next))
            return;
        _transportSeq = next;
        _bwe.OnPacketSent(next, packet.Length, nowUs, _sendingProbeCluster);
    }

    public void OnTransportFeedback(in Rtcp.TransportCcFeedback feedback, long nowUs)
    {
        if (Type != OutgoingBweType.TransportCc)
            return;
        long before = _bwe.AvailableBitrate;
        long probeAt = _bwe.LastProbeResult.AtUs;
        _bwe.OnTransportFeedback(feedback, nowUs);
        NoteEstimate(before);
        if (_bwe.LastProbeResult.AtUs != probeAt)
        {
            (int id, long bps, _) = _bwe.LastProbeResult;
            _host.Ctx.Logger.Debug(LogTags.Bwe, $"probe {id} result {bps} bps, estimate {before} -> {_bwe.AvailableBitrate} bps");
        }
    }

    public void OnRemb(long bitrateBps, long nowUs)
    {
        long before = _bwe.AvailableBitrate;
        _bwe.OnRemb(bitrateBps, nowUs);
        NoteEstimate(before);
    }

    public void OnReceiverReport(byte fractionLost, long rttUs, long nowUs)
    {
        long before = _bwe.AvailableBitrate;
        _bwe.OnReceiverReport(fractionLost, rttUs, nowUs);
        NoteEstimate(before);
    }

    private void NoteEstimate(long before)
    {
        long now = _bwe.AvailableBitrate;
        // A drop is acted on at once: the next packets should already fit.
        if (now < before && _allocatedAtBps > 0 && now < _allocatedAtBps * (1 - ReallocateOnChange))
            _allocationWanted = true;
    }

    private void OnTimer()
    {
        if (_disposed)
            return;
        long nowUs = _host.Ctx.Loop.NowUs;
        long deadline = _bwe.Process(nowUs);
        if (_host.IsConnected)
        {
            long available = _bwe.AvailableBitrate;
            if (_allocationWanted || nowUs - _lastAllocationUs >= AllocationIntervalUs
                || Math.Abs(available - _allocatedAtBps) > _allocatedAtBps * ReallocateOnChange)
                Allocate(nowUs);
            SendProbes(nowUs);
            if (_pacer.IsActive)
                deadline = Math.Min(deadline, _pacer.NextDeadlineUs);
            else if (SendRamp(nowUs))
                deadline = Math.Min(deadline, _rampNextUs);
        }
        long waitUs = Math.Clamp(deadline - nowUs, 1000, 100_000);
        _timer.Start((waitUs + 999) / 1000);
    }

    // ---- allocation ----

    private void Allocate(long nowUs)
    {
        long nowMs = nowUs / 1000;
        _allocationWanted = false;
        _lastAllocationUs = nowUs;
        long available = _bwe.AvailableBitrate;
        _allocatedAtBps = available;

        _allocator.Clear();
        _participants.Clear();
        _currentRungs.Clear();
        _ladderLengths.Clear();
        _currentBitrates.Clear();
        _currentSpatialBaseBitrates.Clear();
        long fixedRate = 0;
        long desired = 0;
        Span<LayerRung> rungs = _rungs;
        foreach (Consumer c in _host.SendingConsumers)
        {
            int n = c.FillLadder(rungs);
            if (n == 0)
            {
                // Audio, plain video, pipes: what they send is not ours to change.
                long rate = c.SendBitrate(nowMs);
                fixedRate += rate;
                desired += rate;
                continue;
            }
            int current = IndexOf(rungs[..n], c.CurrentLayers);
            _allocator.Add(c.Priority, rungs[..n], current, GuardOf(c, create: false)?.Ceiling(available, nowUs) ?? long.MaxValue);
            _participants.Add(c);
            _currentRungs.Add(current);
            _ladderLengths.Add(n);
            _currentBitrates.Add(current >= 0 ? rungs[current].Bitrate : 0);
            _currentSpatialBaseBitrates.Add(current >= 0 ? SpatialBase(rungs[..n], current) : 0);
            // Below its top step, climbing there takes the headroom too: probing must be able to
            // show that much (else a consumer on 2/1 never reaches 2/2: the estimate stopped at
            // 1.1 × the top step's rate, under the 1.25 × a climb needs).
            desired += current == n - 1 ? rungs[n - 1].Bitrate : (long)(rungs[n - 1].Bitrate * BitrateAllocator.UpHeadroom);
        }
        for (int i = _guards.Count - 1; i >= 0; i--)
        {
            (Consumer gc, ClimbGuard g) = _guards[i];
            if (g.IsIdle(nowUs) || !_participants.Contains(gc) && g.BackoffsOver(nowUs))
                _guards.RemoveAt(i);
        }
        _allocator.Allocate(Math.Max(0, available - fixedRate));
        long ramp = 0;
        for (int i = 0; i < _participants.Count; i++)
        {
            Consumer c = _participants[i];
            int chosen = _allocator.Chosen(i);
            int current = _currentRungs[i];
            ClimbGuard? pending = GuardOf(c, create: false);
            if (pending is { ClimbPending: true } && available < pending.PendingFromAvailable * (1 - RefusedDrop))
            {
                // The link refused the step being tried: that step backs off, and the fall the
                // trial's own padding caused does not cost the step the consumer is on. Even when
                // a smaller climb would still fit the lower estimate: that one was not tried (seen
                // over ICE-TCP: a trial for 2/0 over-used the link and 1/1 was then taken
                // mid-over-use on the strength of it).
                pending.RefuseClimb(nowUs);
                chosen = current;
            }
            else if (pending != null && chosen < current && current >= 0 && pending.HoldsCurrent(nowUs)
                && available >= RefusalHoldCover * _currentBitrates[i])
            {
                chosen = current;
            }
            if (chosen < 0)
            {
                c.SetBitrateCap(VideoLayers.None);
                continue;
            }
            LayerRung rung = _allocator.RungOf(i, chosen);
            if (chosen > current && current >= 0 && !GuardOf(c, create: true)!.ConfirmClimb(nowUs, AllocationIntervalUs, rung.Bitrate, available))
            {
                // Keeps its cap until the headroom has lasted; meanwhile the link is tried at
                // the rate the step needs, with padding.
                ramp += Math.Max(0, (long)(rung.Bitrate * BitrateAllocator.UpHeadroom) - _currentBitrates[i]);
                continue;
            }
            // Lost a spatial layer: that whole layer waits, its base step included.
            long failed = _currentBitrates[i];
            if (current >= 0 && rung.Spatial < c.CurrentLayers.Spatial)
                failed = _currentSpatialBaseBitrates[i];
            NoteOutcome(c, current, failed, chosen, nowUs);
            // Even the top of its ladder caps the spatial layer: one whose rate read 0 (not
            // flowing a moment ago) is not in the ladder and must not be reached without a
            // price. Temporal layers of the top step's spatial layer stay open: a temporal
            // layer's own rate can read 0 while it flows (sparse frames, codecs whose layer ids
            // come late), and capping it would freeze the consumer at a lower frame rate.
            bool top = chosen == _ladderLengths[i] - 1;
            c.SetBitrateCap(new VideoLayers(rung.Spatial, top ? short.MaxValue : rung.Temporal));
        }
        SetRamp(ramp, nowUs);
        _bwe.SetDesiredBitrate(desired, nowUs);
        BweTrace trace = _bwe.Trace;
        _host.EmitBweTrace(Type, trace);
        _host.Ctx.Logger.Debug(LogTags.Bwe, $"allocated {available} bps: delay {_bwe.DelayState} {_bwe.DelayBasedBitrate}, loss {_bwe.LastLoss:F3} bound {_bwe.LossBasedBound}, acked {_bwe.AcknowledgedBitrate}, sent {_bwe.SendBitrate}, alr {_bwe.InAlr}, ramp {_rampBps}, probing suspended {_bwe.ProbingSuspended}");
    }

    private ClimbGuard? GuardOf(Consumer c, bool create)
    {
        for (int i = 0; i < _guards.Count; i++)
        {
            if (_guards[i].Consumer == c)
                return _guards[i].Guard;
        }
        if (!create)
            return null;
        var g = new ClimbGuard();
        _guards.Add((c, g));
        return g;
    }

    private void NoteOutcome(Consumer c, int current, long lostBitrate, int chosen, long nowUs)
    {
        ClimbGuard? g = GuardOf(c, create: current >= 0 && chosen < current);
        if (g == null)
            return;
        if (chosen <= current)
            g.CancelClimb();
        if (current < 0 || chosen == current)
            return;
        if (chosen > current)
            g.OnGranted(nowUs);
        else
            g.OnLost(lostBitrate, nowUs);
    }

    // The cheapest step of the spatial layer of step index.
    private static long SpatialBase(ReadOnlySpan<LayerRung> rungs, int index)
    {
        short spatial = rungs[index].Spatial;
        long min = rungs[index].Bitrate;
        for (int i = 0; i < rungs.Length; i++)
        {
            if (rungs[i].Spatial == spatial && rungs[i].Bitrate < min)
                min = rungs[i].Bitrate;
        }
        return min;
    }

    private static int IndexOf(ReadOnlySpan<LayerRung> rungs, VideoLayers layers)
    {
        if (!layers.IsSet)
            return -1;
        for (int i = 0; i < rungs.Length; i++)
        {
            if (rungs[i].Spatial == layers.Spatial && rungs[i].Temporal == layers.Temporal)
                return i;
        }
        // Between steps (a layer that does not flow any more): the highest step below it.
        int best = -1;
        for (int i = 0; i < rungs.Length; i++)
        {
            if (rungs[i].Spatial < layers.Spatial || (rungs[i].Spatial == layers.Spatial && rungs[i].Temporal < layers.Temporal))
                best = i;
        }
        return best;
    }

    // ---- probation ----

    private void SendProbes(long nowUs)
    {
        if (!_pacer.IsActive && _bwe.TryTakeProbe(out ProbeCluster cluster))
        {
            _pacer.Start(cluster, nowUs);
            _host.Ctx.Logger.Debug(LogTags.Bwe, $"probe {cluster.Id} target {cluster.TargetBps} bps, {cluster.MinPackets} packets, {cluster.MinBytes} bytes");
        }
        if (!_pacer.IsActive)
            return;
        // Everything due now (the timer has millisecond resolution; the pacer spaces the rest).
        for (int guard = 0; guard < 64 && _pacer.TryNext(nowUs, out int bytes); guard++)
            SendProbePacket(bytes, nowUs, _pacer.ClusterId);
    }

    // ---- ramp: padding up to the rate of steps waiting to be climbed ----

    private void SetRamp(long bps, long nowUs)
    {
        if (Type != OutgoingBweType.TransportCc)
            bps = 0;
        if (bps > 0 && _rampBps == 0)
            _rampNextUs = nowUs;
        _rampBps = bps;
        _rampUntilUs = nowUs + RampHoldUs;
    }

    /// <summary>Sends the ramp padding due now; false when no ramp runs.</summary>
    private bool SendRamp(long nowUs)
    {
        if (_rampBps <= 0 || nowUs >= _rampUntilUs)
            return false;
        // A late timer does not turn into a burst: what was missed is not caught up.
        if (_rampNextUs < nowUs - RampPacketUs)
            _rampNextUs = nowUs;
        int size = (int)Math.Clamp(_rampBps * RampPacketUs / 8_000_000, ProbePacer.MinPacketSize, ProbePacer.MaxPacketSize);
        for (int guard = 0; guard < 16 && _rampNextUs <= nowUs; guard++)
        {
            SendProbePacket(size, nowUs, -1);
            _rampNextUs += size * 8_000_000L / _rampBps;
        }
        return true;
    }

    private void SendProbePacket(int paddingBytes, long nowUs, int clusterId)
    {
        int payload = Math.Clamp(paddingBytes - _probeHeaderLength, 0, _probe.Length - _probeHeaderLength - Srtp.SrtpSession.MaxTrailerLength - 64);
        if (!_probePacket.TryParse(_probe, _probeHeaderLength + payload))
            return;
        _probePacket.ExtensionIds = HeaderExtensionIds.Internal;
        _probeSeq++;
        // 90 kHz clock, advanced by wall time so a receiver's jitter stats stay sane.
        uint ts = _probeTimestamp + (uint)(nowUs * 9 / 100);
        var rewrite = new RtpRewrite("", ProbationSsrc, _probeSeq, ts, ProbationPayloadType, ProbatorMid);
        _sendingProbeCluster = clusterId;
        try
        {
            _host.SendProbation(_probePacket, rewrite);
        }
        finally
        {
            _sendingProbeCluster = -1;
        }
        ProbationBytesSent += (ulong)_probePacket.Length;
        _probationRate.Update(_probePacket.Length, nowUs / 1000);
        _host.EmitProbationTrace(_probePacket);
    }

    // RTP header with one-byte extensions MID (8), abs-send-time (3), transport-wide-cc (2), zero payload after.
    private static int BuildProbeHeader(byte[] b)
    {
        Array.Clear(b);
        b[0] = 0x90; // V=2, X=1
        b[1] = ProbationPayloadType;
        HeaderExtensionIds ids = HeaderExtensionIds.Internal;
        int p = 12;
        b[p++] = 0xBE;
        b[p++] = 0xDE;
        // 1 + 8, 1 + 3, 1 + 2 = 16 bytes of elements: 4 words.
        b[p++] = 0;
        b[p++] = 4;
        b[p++] = (byte)((ids.Mid << 4) | (HeaderExtensionIds.MidMaxLength - 1));
        ProbatorMid.CopyTo(b.AsSpan(p));
        p += HeaderExtensionIds.MidMaxLength;
        b[p++] = (byte)((ids.AbsSendTime << 4) | 2);
        p += 3;
        b[p++] = (byte)((ids.TransportWideCc01 << 4) | 1);
        p += 2;
        return p;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _timer.Stop();
        _pacer.Stop();
    }
}
