using System;
namespace Mediasoup.Codecs;

/// <summary>
/// The VP9 payload descriptor (RFC 9628 section 4.2), flexible and non-flexible mode: picture id,
/// layer indices, TL0PICIDX, reference indices and a summary of the scalability structure
/// (section 4.2.1; <see cref="Vp9ScalabilityStructure"/> keeps all of it), with the offsets of the
/// rewritable fields so a forwarder can renumber them in place.
/// </summary>
internal struct Vp9PayloadDescriptor
{
    public const int MaxReferences = 3;
    public const int MaxSpatialLayers = 8;

    // First octet: I P L F B E V Z.
    public bool HasPictureId;
    /// <summary>P: the frame predicts from an earlier picture (of its own spatial layer).</summary>
    public bool InterPicturePredicted;
    public bool HasLayerIndices;
    public bool FlexibleMode;
    /// <summary>B: first packet of a layer frame.</summary>
    public bool StartOfFrame;
    /// <summary>E: last packet of a layer frame.</summary>
    public bool EndOfFrame;
    public bool HasScalabilityStructure;
    /// <summary>Z: no frame of a higher spatial layer predicts from this one.</summary>
    public bool NotUpperLayerReference;

    /// <summary>7 or 15 bits, 0 without a picture id.</summary>
    public byte PictureIdBits;
    public ushort PictureId;
    /// <summary>Layer indices octet: TID(3) U SID(3) D; zeros when L = 0.</summary>
    public byte TemporalLayer;
    /// <summary>U: switching up point (RFC 9628 4.2).</summary>
    public bool SwitchingUpPoint;
    public byte SpatialLayer;
    /// <summary>D: the frame predicts from the lower spatial layer of the same picture.</summary>
    public bool InterLayerDependency;
    public bool HasTl0PicIdx;
    public byte Tl0PicIdx;

    /// <summary>Flexible mode with P: how many P_DIFF reference indices follow (1..3).</summary>
    public byte ReferenceCount;
    private byte _pDiff0, _pDiff1, _pDiff2;

    /// <summary>Scalability structure summary (V = 1): N_S + 1, Y, G, N_G.</summary>
    public byte SsSpatialLayers;
    public bool SsHasResolutions;
    public bool SsHasPictureGroup;
    public byte SsPictureGroupSize;
    /// <summary>Where the scalability structure starts in the payload, and its length (0 when V = 0).</summary>
    public byte SsOffset;
    public ushort SsLength;

    /// <summary>Descriptor length: the VP9 frame data starts here.</summary>
    public ushort Length;
    /// <summary>Offsets of the picture id and TL0PICIDX inside the payload (0 = absent).</summary>
    public byte PictureIdOffset;
    public byte Tl0PicIdxOffset;

    /// <summary>First packet of a frame that predicts from no earlier picture, in the base spatial layer.</summary>
    public bool IsKeyFrame;

    /// <summary>P_DIFF[index] (index below <see cref="ReferenceCount"/>): the referenced picture is PictureId - P_DIFF.</summary>
    public readonly byte GetReferenceDiff(int index) => index switch
    {
        0 when ReferenceCount > 0 => _pDiff0,
        1 when ReferenceCount > 1 => _pDiff1,
        2 when ReferenceCount > 2 => _pDiff2,
        _ => 0,
    };

    /// <summary>
    /// A forwarder may start sending this packet's temporal layer here: the first packet of a
    /// layer frame with U set (or a key frame), as browsers set U on the up-switch frame.
    /// </summary>
    public readonly bool IsTemporalSwitchingPoint => StartOfFrame && (SwitchingUpPoint || IsKeyFrame);

    /// <summary>
    /// A forwarder may start sending this packet's spatial layer here: the first packet of a layer
    /// frame that predicts from no earlier picture (P = 0), so it needs at most (D = 1) the lower
    /// layers of the same picture, which the forwarder sends. Key frames are such points.
    /// </summary>
    public readonly bool IsSpatialSwitchingPoint => StartOfFrame && !InterPicturePredicted;

    /// <summary>
    /// False when the payload ends inside the descriptor, flexible mode chains more than 3 P_DIFFs,
    /// or the scalability structure is cut short.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp9PayloadDescriptor d)
    {
        d = default;
        if (payload.IsEmpty)
        {
            return false;
        }
        byte b = payload[0];
        d.HasPictureId = (b & 0x80) != 0;
        d.InterPicturePredicted = (b & 0x40) != 0;
        d.HasLayerIndices = (b & 0x20) != 0;
        d.FlexibleMode = (b & 0x10) != 0;
        d.StartOfFrame = (b & 0x08) != 0;
        d.EndOfFrame = (b & 0x04) != 0;
        d.HasScalabilityStructure = (b & 0x02) != 0;
        d.NotUpperLayerReference = (b & 0x01) != 0;
        int offset = 1;

        if (d.HasPictureId)
        {
            d.PictureIdOffset = (byte)offset;
            if (!PictureIdField.TryRead(payload, ref offset, out d.PictureIdBits, out d.PictureId))
            {
                return false;
            }
        }

        if (d.HasLayerIndices)
        {
            if (offset >= payload.Length)
            {
                return false;
            }
            b = payload[offset++];
            d.TemporalLayer = (byte)(b >> 5);
            d.SwitchingUpPoint = (b & 0x10) != 0;
            d.SpatialLayer = (byte)((b >> 1) & 0x07);
            d.InterLayerDependency = (b & 0x01) != 0;

            // TL0PICIDX follows only in non-flexible mode.
            if (!d.FlexibleMode)
            {
                if (offset >= payload.Length)
                {
                    return false;
                }
                d.HasTl0PicIdx = true;
                d.Tl0PicIdxOffset = (byte)offset;
                d.Tl0PicIdx = payload[offset++];
            }
        }

        // Flexible mode reference indices: P_DIFF(7) N(1), N = 1 while another follows.
        if (d.FlexibleMode && d.InterPicturePredicted)
        {
            bool more = true;
            while (more)
            {
                if (d.ReferenceCount == MaxReferences || offset >= payload.Length)
                {
                    return false;
                }
                b = payload[offset++];
                byte pDiff = (byte)(b >> 1);
                switch (d.ReferenceCount)
                {
                    case 0: d._pDiff0 = pDiff; break;
                    case 1: d._pDiff1 = pDiff; break;
                    default: d._pDiff2 = pDiff; break;
                }
                d.ReferenceCount++;
                more = (b & 0x01) != 0;
            }
        }

        if (d.HasScalabilityStructure)
        {
            d.SsOffset = (byte)offset;
            if (!TrySkipScalabilityStructure(payload, ref offset, ref d))
            {
                return false;
            }
            d.SsLength = (ushort)(offset - d.SsOffset);
        }

        d.Length = (ushort)offset;
        d.IsKeyFrame = !d.InterPicturePredicted && d.StartOfFrame && d.SpatialLayer == 0;
        return true;
    }

    // RFC 9628 4.2.1: N_S(3) Y G -(3) | Y: (N_S + 1) x WIDTH(16) HEIGHT(16) | G: N_G, then N_G x
    // [TID(3) U R(2) -(2), R x P_DIFF(8)].
    private static bool TrySkipScalabilityStructure(ReadOnlySpan<byte> payload, ref int offset, ref Vp9PayloadDescriptor d)
    {
        if (offset >= payload.Length)
        {
            return false;
        }
        byte b = payload[offset++];
        d.SsSpatialLayers = (byte)((b >> 5) + 1);
        d.SsHasResolutions = (b & 0x10) != 0;
        d.SsHasPictureGroup = (b & 0x08) != 0;
        if (d.SsHasResolutions)
        {
            offset += 4 * d.SsSpatialLayers;
            if (offset > payload.Length)
            {
                return false;
            }
        }
        if (d.SsHasPictureGroup)
        {
            if (offset >= payload.Length)
            {
                return false;
            }
            d.SsPictureGroupSize = payload[offset++];
            for (int i = 0; i < d.SsPictureGroupSize; i++)
            {
                if (offset >= payload.Length)
                {
                    return false;
                }
                int references = (payload[offset++] >> 2) & 0x03;
                offset += references;
                if (offset > payload.Length)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>WIDTH and HEIGHT of a spatial layer from the scalability structure; false without them.</summary>
    public readonly bool TryGetResolution(ReadOnlySpan<byte> payload, int spatialLayer, out int width, out int height)
    {
        width = 0;
        height = 0;
        if (!SsHasResolutions || (uint)spatialLayer >= SsSpatialLayers || payload.Length < SsOffset + SsLength)
        {
            return false;
        }
        int at = SsOffset + 1 + 4 * spatialLayer;
        width = (payload[at] << 8) | payload[at + 1];
        height = (payload[at + 2] << 8) | payload[at + 3];
        return true;
    }

    /// <summary>
    /// Rewrites picture id (in its existing 7 or 15-bit width) and TL0PICIDX in place, where
    /// present. False when the payload is shorter than this descriptor.
    /// </summary>
    public readonly bool Rewrite(Span<byte> payload, ushort pictureId, byte tl0PicIdx)
    {
        if (payload.Length < Length)
        {
            return false;
        }
        PictureIdField.Write(payload, PictureIdOffset, PictureIdBits, pictureId);
        if (HasTl0PicIdx)
        {
            payload[Tl0PicIdxOffset] = tl0PicIdx;
        }
        return true;
    }
}
