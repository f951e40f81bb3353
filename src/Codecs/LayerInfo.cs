using System;
namespace Mediasoup.Codecs;

/// <summary>
/// What a forwarder needs to know of one packet's place in a layered stream, whatever the
/// codec: spatial and temporal layer, key frame, frame boundaries and switching points. Computed
/// once per packet by one entry point per codec (<see cref="TryRead"/> dispatches), so forwarding
/// strategies never look at codec details. Carries no per-packet allocation: for the dependency
/// descriptor it refers to the stream's <see cref="DependencyStructure"/>.
/// </summary>
internal readonly struct LayerInfo
{
    private enum Source : byte { None, Vp8, Vp9, DependencyDescriptor, Payload }

    public readonly byte SpatialLayer;
    public readonly byte TemporalLayer;
    /// <summary>The packet starts a key frame: a decoder (and a forwarder) can start here.</summary>
    public readonly bool IsKeyFrame;
    /// <summary>First packet of a (layer) frame. H264 and AV1 without the dependency descriptor: only known on key frames.</summary>
    public readonly bool StartOfFrame;
    /// <summary>
    /// Last packet of a (layer) frame: VP9's E bit, the descriptor's end_of_frame, else the RTP
    /// marker bit. With spatial layers a picture has one such packet per layer: a forwarder sets
    /// the marker on the one of the highest spatial layer it forwards.
    /// </summary>
    public readonly bool EndOfFrame;
    /// <summary>Whether the layer ids come from the packet (VP8 T, VP9 L, dependency descriptor); else both are 0.</summary>
    public readonly bool HasLayers;
    /// <summary>
    /// The packet-local up-switch flag: VP8 Y (layer sync), VP9 U (switching up point), for the
    /// dependency descriptor a Switch indication for the decode target of the frame's own layers.
    /// </summary>
    public readonly bool LayerSync;

    private readonly Source _source;
    private readonly bool _interPicturePredicted;
    private readonly ulong _dtis;
    private readonly DependencyStructure? _structure;

    /// <summary>Audio, and a payload nothing is known of: one layer, whole frames, no key frame.</summary>
    public static readonly LayerInfo None = new(Source.None, 0, 0, false, true, true, false, false);

    private LayerInfo(Source source, byte spatial, byte temporal, bool keyFrame, bool start, bool end, bool hasLayers,
        bool layerSync, bool interPicturePredicted = false, ulong dtis = 0, DependencyStructure? structure = null)
    {
        _source = source;
        SpatialLayer = spatial;
        TemporalLayer = temporal;
        IsKeyFrame = keyFrame;
        StartOfFrame = start;
        EndOfFrame = end;
        HasLayers = hasLayers;
        LayerSync = layerSync;
        _interPicturePredicted = interPicturePredicted;
        _dtis = dtis;
        _structure = structure;
    }

    /// <summary>
    /// Whether a forwarder that has sent every packet of the layers below may start sending up to
    /// (<paramref name="spatial"/>, <paramref name="temporal"/>) with this packet and stay
    /// decodable. Key frames allow any target. Otherwise, per codec:
    /// VP8: the frame of exactly that temporal layer with Y set (RFC 7741 4.2).
    /// VP9: a temporal raise at the first packet of the picture's base layer frame with U set and
    /// TID = temporal; a spatial raise at the first packet of a layer frame of SID = spatial that
    /// predicts from no earlier picture (P = 0) and has TID &lt;= temporal (RFC 9628 4.2).
    /// Dependency descriptor: the frame's DTI for the decode target of exactly those layers is
    /// Switch (AV1 RTP specification A.7). H264/AV1 without it: key frames only.
    /// </summary>
    public bool IsSwitchPointFor(int spatial, int temporal)
    {
        if (IsKeyFrame)
        {
            return true;
        }
        switch (_source)
        {
            case Source.Vp8:
                return spatial == 0 && temporal == TemporalLayer && LayerSync;
            case Source.Vp9:
                if (!StartOfFrame)
                {
                    return false;
                }
                if (SpatialLayer == 0 && LayerSync && temporal == TemporalLayer)
                {
                    return true;
                }
                return SpatialLayer == spatial && !_interPicturePredicted && TemporalLayer <= temporal;
            case Source.DependencyDescriptor:
                int dt = _structure!.DecodeTargetOf(spatial, temporal);
                return dt >= 0 && (DecodeTargetIndication)((_dtis >> (2 * dt)) & 3) == DecodeTargetIndication.Switch;
            default:
                return false;
        }
    }

    /// <summary>
    /// Dispatches on the codec: VP8 and VP9 from their payload descriptors; AV1 and H264 from the
    /// dependency descriptor when the extension is present and a per-stream context given, else
    /// from the payload (key frames only, layers 0); audio and others: all zero. False when what
    /// should describe the packet is malformed, or the dependency descriptor cannot be resolved
    /// (no structure yet, template id outside it): forward such a packet as the codec's policy
    /// says for unknown layers, or drop it and wait for a key frame.
    /// </summary>
    public static bool TryRead(CodecKind kind, ReadOnlySpan<byte> payload, bool marker,
        ReadOnlySpan<byte> dependencyDescriptor, DependencyDescriptorContext? context, out LayerInfo info)
    {
        switch (kind)
        {
            case CodecKind.Vp8:
                return FromVp8(payload, marker, out info);
            case CodecKind.Vp9:
                return FromVp9(payload, out info);
            case CodecKind.Av1:
            case CodecKind.H264:
                if (context != null && !dependencyDescriptor.IsEmpty)
                {
                    return FromDependencyDescriptor(context, dependencyDescriptor, out info, out _);
                }
                return kind == CodecKind.Av1 ? FromAv1(payload, marker, out info) : FromH264(payload, marker, out info);
            default:
                info = default;
                return true;
        }
    }

    /// <summary>VP8 (RFC 7741 4.2): TID and Y when T is set; start of frame = S with partition 0; end = marker.</summary>
    public static bool FromVp8(ReadOnlySpan<byte> payload, bool marker, out LayerInfo info)
    {
        if (!Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d))
        {
            info = default;
            return false;
        }
        info = new LayerInfo(Source.Vp8, 0, d.TemporalLayer, d.IsKeyFrame, d.StartOfPartition && d.PartitionIndex == 0,
            marker, d.HasTid, d.HasTid && d.LayerSync);
        return true;
    }

    /// <summary>VP9 (RFC 9628 4.2): SID, TID, U, P from the descriptor; start/end = B/E.</summary>
    public static bool FromVp9(ReadOnlySpan<byte> payload, out LayerInfo info)
    {
        if (!Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d))
        {
            info = default;
            return false;
        }
        info = new LayerInfo(Source.Vp9, d.SpatialLayer, d.TemporalLayer, d.IsKeyFrame, d.StartOfFrame, d.EndOfFrame,
            d.HasLayerIndices, d.SwitchingUpPoint, d.InterPicturePredicted);
        return true;
    }

    /// <summary>
    /// The dependency descriptor (AV1 RTP specification A.8) through the stream's context, which
    /// it updates (parse each packet once per producer stream). Also returns the descriptor, for
    /// <see cref="DependencyDescriptorWriter"/>.
    /// </summary>
    public static bool FromDependencyDescriptor(DependencyDescriptorContext context, ReadOnlySpan<byte> extension,
        out LayerInfo info, out DependencyDescriptor descriptor)
    {
        if (!context.TryParse(extension, out descriptor))
        {
            info = default;
            return false;
        }
        DependencyStructure structure = context.Structure!;
        int own = structure.DecodeTargetOf(descriptor.SpatialId, descriptor.TemporalId);
        bool sync = own >= 0 && descriptor.GetDti(own) == DecodeTargetIndication.Switch;
        info = new LayerInfo(Source.DependencyDescriptor, descriptor.SpatialId, descriptor.TemporalId, descriptor.IsKeyFrame,
            descriptor.StartOfFrame, descriptor.EndOfFrame, true, sync, dtis: descriptor.Dtis, structure: structure);
        return true;
    }

    /// <summary>AV1 without the dependency descriptor: key frame from the aggregation header; layers 0; end = marker.</summary>
    public static bool FromAv1(ReadOnlySpan<byte> payload, bool marker, out LayerInfo info)
    {
        if (!Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader h))
        {
            info = default;
            return false;
        }
        info = new LayerInfo(Source.Payload, 0, 0, h.IsKeyFrame, h.IsKeyFrame, marker, false, false);
        return true;
    }

    /// <summary>H264 without the dependency descriptor: key frame where the SPS is (as <see cref="H264.IsKeyFrame"/>); layers 0; end = marker.</summary>
    public static bool FromH264(ReadOnlySpan<byte> payload, bool marker, out LayerInfo info)
    {
        if (payload.IsEmpty)
        {
            info = default;
            return false;
        }
        bool key = H264.IsKeyFrame(payload);
        info = new LayerInfo(Source.Payload, 0, 0, key, key, marker, false, false);
        return true;
    }
}
