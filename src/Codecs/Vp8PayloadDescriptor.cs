using System;
using System.Runtime.CompilerServices;
using Mediasoup.Rtp;

namespace Mediasoup.Codecs;

/// <summary>
/// The VP8 payload descriptor (RFC 7741 section 4.2), parsed from the front of the RTP payload,
/// with the offsets of its rewritable fields so simulcast can renumber them in place.
/// </summary>
internal struct Vp8PayloadDescriptor
{
    // First octet: X R N S R PID(3).
    public bool Extended;
    public bool NonReference;
    public bool StartOfPartition;
    public byte PartitionIndex;

    // Extension octet: I L T K.
    public bool HasPictureId;
    public bool HasTl0PicIdx;
    public bool HasTid;
    public bool HasKeyIdx;

    /// <summary>7 or 15 bits (M flag), 0 without a picture id.</summary>
    public byte PictureIdBits;
    public ushort PictureId;
    public byte Tl0PicIdx;
    /// <summary>Temporal layer (TID); 0 when absent.</summary>
    public byte TemporalLayer;
    /// <summary>Layer sync (Y): this frame depends only on the base layer.</summary>
    public bool LayerSync;
    public byte KeyIdx;

    /// <summary>Descriptor length: the VP8 payload header starts here.</summary>
    public byte Length;
    /// <summary>Offsets of the picture id and TL0PICIDX inside the payload (0 = absent).</summary>
    public byte PictureIdOffset;
    public byte Tl0PicIdxOffset;

    /// <summary>
    /// Start of partition 0 whose VP8 payload header has P = 0 (RFC 7741 4.3: inverse key frame flag).
    /// </summary>
    public bool IsKeyFrame;

    /// <summary>False when the payload ends inside the descriptor.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor d)
    {
        d = default;
        if (payload.IsEmpty)
        {
            return false;
        }
        byte b = payload[0];
        d.Extended = (b & 0x80) != 0;
        d.NonReference = (b & 0x20) != 0;
        d.StartOfPartition = (b & 0x10) != 0;
        d.PartitionIndex = (byte)(b & 0x07);
        int offset = 1;

        if (d.Extended)
        {
            if (offset >= payload.Length)
            {
                return false;
            }
            b = payload[offset++];
            d.HasPictureId = (b & 0x80) != 0;
            d.HasTl0PicIdx = (b & 0x40) != 0;
            d.HasTid = (b & 0x20) != 0;
            d.HasKeyIdx = (b & 0x10) != 0;

            if (d.HasPictureId)
            {
                d.PictureIdOffset = (byte)offset;
                if (!PictureIdField.TryRead(payload, ref offset, out d.PictureIdBits, out d.PictureId))
                {
                    return false;
                }
            }

            if (d.HasTl0PicIdx)
            {
                if (offset >= payload.Length)
                {
                    return false;
                }
                d.Tl0PicIdxOffset = (byte)offset;
                d.Tl0PicIdx = payload[offset++];
            }

            // One octet carries TID/Y (meaningful when T) and KEYIDX (when K).
            if (d.HasTid || d.HasKeyIdx)
            {
                if (offset >= payload.Length)
                {
                    return false;
                }
                b = payload[offset++];
                if (d.HasTid)
                {
                    d.TemporalLayer = (byte)(b >> 6);
                    d.LayerSync = (b & 0x20) != 0;
                }
                if (d.HasKeyIdx)
                {
                    d.KeyIdx = (byte)(b & 0x1F);
                }
            }
        }

        d.Length = (byte)offset;
        d.IsKeyFrame = d.StartOfPartition && d.PartitionIndex == 0 && offset < payload.Length && (payload[offset] & 0x01) == 0;
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
        if (PictureIdBits == 15)
        {
            payload[PictureIdOffset] = (byte)(0x80 | ((pictureId >> 8) & 0x7F));
            payload[PictureIdOffset + 1] = (byte)pictureId;
        }
        else if (PictureIdBits == 7)
        {
            payload[PictureIdOffset] = (byte)(pictureId & 0x7F);
        }
        if (HasTl0PicIdx)
        {
            payload[Tl0PicIdxOffset] = tl0PicIdx;
        }
        return true;
    }

    /// <summary>
    /// Turns a 7-bit picture id into the 15-bit form (same value) by opening one byte in the
    /// payload, so later renumbering never has to truncate. Updates <paramref name="d"/>.
    /// False when there is no 7-bit picture id or no capacity for the extra byte.
    /// </summary>
    public static bool WidenPictureId(RtpPacket packet, ref Vp8PayloadDescriptor d)
    {
        if (d.PictureIdBits != 7 || packet.PayloadLength < d.Length)
        {
            return false;
        }
        int at = d.PictureIdOffset;
        if (!packet.ShiftPayload(at, 1))
        {
            return false;
        }
        Span<byte> payload = packet.Payload;
        payload[at] = 0x80;
        payload[at + 1] = (byte)d.PictureId;
        d.PictureIdBits = 15;
        d.Length++;
        if (d.HasTl0PicIdx)
        {
            d.Tl0PicIdxOffset++;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsKeyFramePayload(ReadOnlySpan<byte> payload) => TryParse(payload, out Vp8PayloadDescriptor d) && d.IsKeyFrame;
}
