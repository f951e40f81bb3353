using System;
namespace Mediasoup.Codecs;

/// <summary>
/// The AV1 aggregation header (AV1 RTP specification 4.4: Z Y W(2) N, first payload byte) and the
/// OBU header (AV1 bitstream 5.3.2) of the first OBU element when it starts in this packet: enough
/// to tell the start of a coded video sequence (a key frame) without the dependency descriptor.
/// </summary>
internal struct Av1AggregationHeader
{
    public const int ObuSequenceHeader = 1;
    public const int ObuTemporalDelimiter = 2;
    public const int ObuFrameHeader = 3;
    public const int ObuFrame = 6;

    /// <summary>Z: the first OBU element continues a fragment from the previous packet.</summary>
    public bool ContinuesObu;
    /// <summary>Y: the last OBU element continues in the next packet.</summary>
    public bool ObuContinues;
    /// <summary>W: number of OBU elements (0: each has a length field).</summary>
    public byte ObuCount;
    /// <summary>N: first packet of a coded video sequence.</summary>
    public bool StartsCodedVideoSequence;

    /// <summary>Whether the packet holds the start of an OBU (Z = 0 and a non-empty first element).</summary>
    public bool HasFirstObu;
    /// <summary>obu_type of the first OBU element, when <see cref="HasFirstObu"/>.</summary>
    public byte FirstObuType;
    /// <summary>obu_extension_flag of the first OBU; its temporal_id and spatial_id when set.</summary>
    public bool FirstObuHasExtension;
    public byte TemporalId;
    public byte SpatialId;

    /// <summary>N = 1 on a packet whose first OBU is a sequence header: a decoder can start here.</summary>
    public bool IsKeyFrame;

    /// <summary>
    /// False for an empty payload, N = 1 with Z = 1 (forbidden by 4.4), a first element length
    /// (leb128, AV1 bitstream 4.10.5) that is cut short, overlong or runs past the payload, or a
    /// first OBU header with the forbidden bit set.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Av1AggregationHeader h)
    {
        h = default;
        if (payload.IsEmpty)
        {
            return false;
        }
        byte b = payload[0];
        h.ContinuesObu = (b & 0x80) != 0;
        h.ObuContinues = (b & 0x40) != 0;
        h.ObuCount = (byte)((b >> 4) & 0x03);
        h.StartsCodedVideoSequence = (b & 0x08) != 0;
        if (h.StartsCodedVideoSequence && h.ContinuesObu)
        {
            return false;
        }
        int offset = 1;
        int elementLength;
        if (h.ObuCount == 1)
        {
            // The only element has no length field: it runs to the end of the payload.
            elementLength = payload.Length - offset;
        }
        else
        {
            if (!TryReadLeb128(payload, ref offset, out ulong length) || length > (ulong)(payload.Length - offset))
            {
                return false;
            }
            elementLength = (int)length;
        }
        if (h.ContinuesObu || elementLength == 0)
        {
            return true;
        }
        byte obu = payload[offset];
        if ((obu & 0x80) != 0)
        {
            return false;
        }
        h.HasFirstObu = true;
        h.FirstObuType = (byte)((obu >> 3) & 0x0F);
        h.FirstObuHasExtension = (obu & 0x04) != 0;
        if (h.FirstObuHasExtension)
        {
            if (elementLength < 2)
            {
                return false;
            }
            byte ext = payload[offset + 1];
            h.TemporalId = (byte)(ext >> 5);
            h.SpatialId = (byte)((ext >> 3) & 0x03);
        }
        h.IsKeyFrame = h.StartsCodedVideoSequence && h.FirstObuType == ObuSequenceHeader;
        return true;
    }

    public static bool IsKeyFramePayload(ReadOnlySpan<byte> payload) => TryParse(payload, out Av1AggregationHeader h) && h.IsKeyFrame;

    /// <summary>leb128() (AV1 bitstream 4.10.5): at most 8 bytes, value below 2^32.</summary>
    public static bool TryReadLeb128(ReadOnlySpan<byte> data, ref int offset, out ulong value)
    {
        value = 0;
        for (int i = 0; i < 8; i++)
        {
            if (offset >= data.Length)
            {
                return false;
            }
            byte b = data[offset++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value <= uint.MaxValue;
            }
        }
        return false;
    }
}
