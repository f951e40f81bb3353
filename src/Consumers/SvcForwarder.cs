using System;
using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;
using Mediasoup.Transports;

namespace Mediasoup.Consumers;

/// <summary>
/// An SVC consumer: one producer stream carrying several spatial and/or temporal layers
/// (VP9 K-SVC and full SVC, VP8/H264 with temporal layers only). Forwards the layers up to the
/// current ones, heading for the target (the preferred layers capped by what the stream has):
/// spatial steps up at a frame of the new layer that predicts from no earlier picture of it
/// (asking the producer for a key frame when needed), steps down at the next picture; temporal
/// steps up at switching points. Sequence numbers close the gaps of dropped packets; VP8
/// picture ids close the gaps of dropped frames; with spatial layers dropped, the marker moves
/// to the end of the highest forwarded layer's frame.
/// </summary>
internal sealed class SvcForwarder : IRtpForwarder
{
    private readonly IForwarderHost _host;
    private readonly SpatialLayerFilter _spatial;
    private readonly TemporalLayerFilter _temporal;
    private readonly LayeredOutput _out;
    private readonly short _maxSpatial, _maxTemporal;
    private bool _active;
    private bool _syncRequired = true;
    private bool _keyFrameRequested;
    private SyncPoint _sync;
    private VideoLayers _preferred;
    private VideoLayers _cap = VideoLayers.None;

    public SvcForwarder(IForwarderHost host, CodecKind codec, byte spatialLayers, byte temporalLayers, VideoLayers preferred, ushort initialSeq)
    {
        _host = host;
        _preferred = preferred;
        _maxSpatial = (short)Math.Max(0, spatialLayers - 1);
        _maxTemporal = (short)Math.Max(0, temporalLayers - 1);
        _spatial = new SpatialLayerFilter(Math.Clamp(preferred.Spatial, (short)0, _maxSpatial));
        _temporal = new TemporalLayerFilter(Math.Clamp(preferred.Temporal, (short)0, _maxTemporal));
        _out = new LayeredOutput(codec, initialSeq);
    }

    public VideoLayers CurrentLayers => _out.Reported;
    public VideoLayers TargetLayers => _active ? new VideoLayers(_spatial.Target, _temporal.Target) : VideoLayers.None;
    public int ForwardedEncoding => _spatial.Current >= 0 ? 0 : -1;
    public int KeyFrameEncoding => 0;

    public void Restart()
    {
        _syncRequired = true;
        _spatial.Reset();
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
        _spatial.Target = Math.Clamp(target.Spatial, (short)0, _maxSpatial);
        _temporal.Target = Math.Clamp(target.Temporal, (short)0, _maxTemporal);
        if (_spatial.Current >= 0 && _spatial.Target > _spatial.Current && !_keyFrameRequested)
            AskForKeyFrame();
    }

    public int FillLadder(Span<Bwe.LayerRung> rungs)
    {
        int n = 0;
        short preferredSpatial = Math.Clamp(_preferred.Spatial, (short)0, _maxSpatial);
        for (short s = 0; s <= preferredSpatial; s++)
        {
            short top = s == preferredSpatial ? Math.Clamp(_preferred.Temporal, (short)0, _maxTemporal) : _maxTemporal;
            for (short t = 0; t <= top && n < rungs.Length; t++)
            {
                long bitrate = _host.LayerBitrate(0, s, t);
                if (bitrate > 0)
                    rungs[n++] = new Bwe.LayerRung(s, t, bitrate);
            }
        }
        return n;
    }

    public void OnProducerScore(int encoding, byte score)
    {
        bool active = score > 0;
        if (active == _active)
            return;
        _active = active;
        if (!active)
        {
            // The stream stopped: nothing flows until it comes back (at a key frame).
            _syncRequired = true;
            _spatial.Reset();
            _temporal.Reset();
            Report();
        }
        else
        {
            AskForKeyFrame();
        }
    }

    private void AskForKeyFrame()
    {
        _keyFrameRequested = true;
        _host.RequestKeyFrame(0);
    }

    public bool OnPacket(RtpPacket packet, in LayerInfo layers, int encoding, long nowUs, out ForwardedPacket output)
    {
        output = default;
        if (encoding != 0)
            return false;
        _active = true;
        ushort seq = packet.SequenceNumber;
        if (!_syncRequired && _sync.IsBefore(seq))
            return false;

        short spatialBefore = _spatial.Current;
        bool forward = _spatial.Accept(layers, _temporal.Target, out _);
        if (_syncRequired)
        {
            if (!forward)
            {
                if (!_keyFrameRequested)
                    AskForKeyFrame();
                return false;
            }
            // The stream (re)starts at this key picture.
            _syncRequired = false;
            _keyFrameRequested = false;
            _sync.Set(seq);
            _out.Restart(seq);
            _temporal.StartAtKeyFrame();
        }
        else if (_spatial.WantsKeyFrame && !_keyFrameRequested && layers.SpatialLayer > _spatial.Current)
        {
            // Packets of a wanted layer flow, but nothing to switch up at yet.
            AskForKeyFrame();
        }
        if (_spatial.Current > spatialBefore && _spatial.Current >= _spatial.Target)
            _keyFrameRequested = false;
        forward &= _temporal.Accept(layers, out _);

        if (!forward || packet.PayloadLength == 0)
        {
            _out.Drop(packet, wholeFrame: !forward);
            Report();
            return false;
        }
        if (!_out.Place(packet, out ushort outSeq, out PayloadRewrite rewrite))
            return false;
        if (layers.HasLayers && _maxSpatial > 0)
        {
            // The picture ends, for this receiver, with the highest layer it gets.
            rewrite = rewrite.WithMarker(layers.EndOfFrame && layers.SpatialLayer == _spatial.Current);
        }
        output.Payload = rewrite;
        output.SequenceNumber = outSeq;
        output.Timestamp = packet.Timestamp;
        Report();
        return true;
    }

    private void Report()
    {
        if (_out.Report(_spatial.Current, _temporal.Current))
            _host.OnLayersChanged();
    }
}
