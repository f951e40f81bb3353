using System;
namespace Mediasoup.Codecs;

/// <summary>
/// The picture id as VP8 (RFC 7741) and VP9 (RFC 9628) both carry it: one octet whose top bit
/// (M) says whether 7 or 15 bits follow.
/// </summary>
internal static class PictureIdField
{
    /// <summary>Reads the field at offset and advances past it; false when the payload ends inside it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, ref int offset, out byte bits, out ushort pictureId)
    {
        bits = 0;
        pictureId = 0;
        if (offset >= payload.Length)
            return false;
        byte b = payload[offset++];
        if ((b & 0x80) == 0)
        {
            bits = 7;
            pictureId = b;
            return true;
        }
        if (offset >= payload.Length)
            return false;
        bits = 15;
        pictureId = (ushort)(((b & 0x7F) << 8) | payload[offset++]);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="pictureId"/> over a field of <paramref name="bits"/> (7 or 15; 0 = no
    /// field, nothing written) at offset, keeping its width: a 7-bit field keeps the low 7 bits.
    /// </summary>
    public static void Write(Span<byte> payload, int offset, byte bits, ushort pictureId)
    {
        if (bits == 15)
        {
            payload[offset] = (byte)(0x80 | ((pictureId >> 8) & 0x7F));
            payload[offset + 1] = (byte)pictureId;
        }
        else if (bits == 7)
        {
            payload[offset] = (byte)(pictureId & 0x7F);
        }
    }
}
