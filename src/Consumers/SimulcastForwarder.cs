using System;
using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;
using Mediasoup.Transports;

namespace Mediasoup.Consumers;

/// <summary>
/// A simulcast consumer: one encoding of the producer at a time (the spatial layer the
/// <see cref="SimulcastLayerSelector"/> picks, switched at a key frame of the new one), and of
/// it the temporal layers up to the target, all under the consumer's one SSRC. Sequence
/// numbers, RTP timestamps and VP8 picture ids stay continuous across switches and drops;
/// after a switch in the middle of a frame a one-number gap tells the receiver that frame is
/// incomplete; packets of the new encoding older than the switch are dropped.
/// </summary>
internal sealed class SimulcastForwarder : IRtpForwarder
{
    private readonly IForwarderHost _host;
    private readonly SimulcastLayerSelector _selector;
    private readonly TemporalLayerFilter _temporal;
    private readonly LayeredOutput _out;
    private readonly short _maxTemporal;
    private bool _keyFrameRequested;
    private SyncPoint _switch;
    private bool _lastSentEndedFrame = true;
    private const long MaxReportSpanUs = 60_000_000;
    private readonly KeyFrameHold _hold = new();
    private readonly uint _clockRate;
    private VideoLayers _preferred;
    private VideoLayers _cap = VideoLayers.None;
    private readonly int _encodings;

    public SimulcastForwarder(IForwarderHost host, CodecKind codec, int encodings, byte temporalLayers, VideoLayers preferred,
        uint clockRate, ushort initialSeq)
    {
        _host = host;
        _preferred = preferred;
        _encodings = encodings;
        _maxTemporal = (short)Math.Max(0, temporalLayers - 1);
        _selector = new SimulcastLayerSelector(encodings, preferred.Spatial, clockRate);
        _clockRate = clockRate == 0 ? 90000 : clockRate;
        _temporal = new TemporalLayerFilter(Math.Clamp(preferred.Temporal, (short)0, _maxTemporal));
        _out = new LayeredOutput(codec, initialSeq);
    }

    public VideoLayers CurrentLayers => _out.Reported;
    public VideoLayers TargetLayers => _selector.Target >= 0 ? new VideoLayers(_selector.Target, _temporal.Target) : VideoLayers.None;
    public int ForwardedEncoding => _selector.Current;
    public int KeyFrameEncoding => _selector.Target >= 0 ? _selector.Target : _selector.Current;

    public bool TryTakeHeld(out RtpPacket packet, out LayerInfo layers, out int encoding) =>
        _hold.TryTake(out packet, out layers, out encoding);

    public void Restart()
    {
        _hold.Clear();
        _selector.Reset();
        _temporal.Reset();
        _keyFrameRequested = false;
        Report();
    }

    public void SetPreferredLayers(VideoLayers preferred)
    {
        _preferred = preferred;
        ApplyTargets();
    }

    public void SetBitrateCap(VideoLayers cap)
    {
        _cap = cap;
        ApplyTargets();
    }

    private void ApplyTargets()
    {
        VideoLayers target = LayerCap.Apply(_preferred, _cap);
        bool changed = _selector.SetPreferred(target.Spatial);
        UpdateTemporalTarget();
        if (changed)
            AskForKeyFrame();
    }

    // The capped temporal layer holds for the capped encoding; an encoding the selector had to
    // fall back to (the capped one inactive) gets the preferred temporal layer.
    // While a step down for bandwidth waits for the lower encoding's key frame, the current
    // (higher) one goes on at its base temporal layer only: the receiver's link gets relief at once.
    private void UpdateTemporalTarget()
    {
        VideoLayers target = LayerCap.Apply(_preferred, _cap);
        short t = _selector.Target == target.Spatial ? target.Temporal : _preferred.Temporal;
        if (_cap.IsSet && _cap.Spatial < _selector.Current && _selector.Target >= 0 && _selector.Target < _selector.Current)
            t = 0;
        _temporal.Target = Math.Clamp(t, (short)0, _maxTemporal);
    }

    public int FillLadder(Span<Bwe.LayerRung> rungs)
    {
        int n = 0;
        short preferredSpatial = Math.Clamp(_preferred.Spatial, (short)0, (short)(_encodings - 1));
        for (short s = 0; s <= preferredSpatial; s++)
        {
            short top = s == preferredSpatial ? Math.Clamp(_preferred.Temporal, (short)0, _maxTemporal) : _maxTemporal;
            for (short t = 0; t <= top && n < rungs.Length; t++)
            {
                long bitrate = _host.LayerBitrate(s, 0, t);
                if (bitrate > 0)
                    rungs[n++] = new Bwe.LayerRung(s, t, bitrate);
            }
        }
        return n;
    }

    public void OnProducerScore(int encoding, byte score)
    {
        bool changed = _selector.SetScore(encoding, score);
        UpdateTemporalTarget();
        if (changed)
            AskForKeyFrame();
        if (_selector.Target < 0 && _selector.Current >= 0)
        {
            // Every encoding is gone: nothing flows until one comes back.
            _selector.Reset();
            _temporal.Reset();
            Report();
        }
    }

    private void AskForKeyFrame()
    {
        if (_selector.Target >= 0 && _selector.Target != _selector.Current)
        {
            _keyFrameRequested = true;
            _host.RequestKeyFrame(_selector.Target);
        }
    }

    public bool OnPacket(RtpPacket packet, in LayerInfo layers, int encoding, long nowUs, out ForwardedPacket output)
    {
        output = default;
        ushort seq = packet.SequenceNumber;
        bool candidate = encoding == _selector.Target && encoding != _selector.Current;
        int? captureDelta = candidate && layers.IsKeyFrame ? CaptureDelta(encoding, packet.Timestamp) : null;
        SimulcastDecision decision = _selector.OnPacket(encoding, candidate && layers.IsKeyFrame, packet.Timestamp, nowUs, captureDelta);
        if (candidate && !layers.IsKeyFrame)
        {
            // Maybe a later packet of the key frame, ahead of its first one.
            _hold.Hold(packet, layers, encoding);
            if (!_keyFrameRequested)
            {
                _keyFrameRequested = true;
                _host.RequestKeyFrame(encoding);
            }
        }
        if (decision == SimulcastDecision.Drop)
            return false;
        if (decision == SimulcastDecision.SwitchAndForward)
        {
            _keyFrameRequested = false;
            // Continue right after the last number sent; leave one number free when the
            // previous encoding's frame was cut short, so the receiver does not wait for it.
            _out.Restart(seq, _lastSentEndedFrame ? 0 : 1);
            _switch.Set(seq);
            UpdateTemporalTarget();
            _temporal.StartAtKeyFrame();
            _hold.Release(encoding, packet.Timestamp, seq);
        }
        else if (_switch.IsBefore(seq))
        {
            return false; // the new encoding's packets from before its key frame
        }

        bool forward = _temporal.Accept(layers, out _);
        if (!forward || packet.PayloadLength == 0)
        {
            _out.Drop(packet, wholeFrame: !forward);
            Report();
            return false;
        }
        if (!_out.Place(packet, out ushort outSeq, out output.Payload))
            return false;
        output.SequenceNumber = outSeq;
        output.Timestamp = packet.Timestamp + _selector.TimestampOffset;
        if (!SeqMath.IsHigher(_out.MaxOutput, outSeq))
            _lastSentEndedFrame = packet.Marker;
        Report();
        return true;
    }

    /// <summary>
    /// From both senders' reports: the previous encoding's timestamp for the capture instant of
    /// <paramref name="timestamp"/> on <paramref name="encoding"/>'s clock, minus that timestamp.
    /// </summary>
    private int? CaptureDelta(int encoding, uint timestamp)
    {
        int previous = _selector.Previous;
        if (previous < 0 || previous == encoding
            || !_host.TryGetSenderClock(encoding, out long ntpNew, out uint rtpNew)
            || !_host.TryGetSenderClock(previous, out long ntpOld, out uint rtpOld))
            return null;
        // capture instant (µs) = ntpNew + (timestamp - rtpNew) / clockRate
        long captureUs = ntpNew + (long)(int)(timestamp - rtpNew) * 1_000_000 / _clockRate;
        // Reports of one sender lie seconds apart; anything else (a bogus SR) is not trusted.
        if (Math.Abs(captureUs - ntpOld) > MaxReportSpanUs)
            return null;
        long oldTicks = (captureUs - ntpOld) * _clockRate / 1_000_000;
        uint oldTimestamp = rtpOld + (uint)oldTicks;
        return (int)(oldTimestamp - timestamp);
    }

    // layerschange when what flows changed.
    private void Report()
    {
        if (_out.Report(_selector.Current, _temporal.Current))
            _host.OnLayersChanged();
    }
}
