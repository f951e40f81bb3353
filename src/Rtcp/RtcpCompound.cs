using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// Compound RTCP validation (RFC 3550 §6.1 and A.2).
/// <para>
/// Policy: framing errors reject the whole compound. Once a length or version is wrong the
/// following headers cannot be located reliably, and A.2 treats the compound as one unit, so
/// the reader yields nothing and reports an <see cref="RtcpError"/>; the caller drops and
/// counts it. A packet that is well framed but whose body is wrong for its type (short SR,
/// NACK without items, bad transport-cc chunks...) is only skipped: its typed
/// <c>TryRead</c> returns false, the caller counts it and moves on to the next packet.
/// (The reference worker instead keeps the packets before the first bad one and drops the rest.)
/// </para>
/// <para>
/// Two A.2 rules are relaxed: the first packet need not be SR or RR (reduced-size RTCP,
/// RFC 5506, which browsers send for feedback), and padding is accepted on any packet
/// (libwebrtc pads transport-cc feedback with the P bit and may batch other packets after it).
/// </para>
/// </summary>
public static class RtcpCompound
{
    public static RtcpError Validate(ReadOnlySpan<byte> data, out int packetCount)
    {
        packetCount = 0;
        if (data.Length < RtcpHeader.Size)
            return RtcpError.Truncated;
        int offset = 0;
        while (offset < data.Length)
        {
            int remaining = data.Length - offset;
            if (remaining < RtcpHeader.Size)
                return RtcpError.Truncated;
            byte b0 = data[offset];
            if ((b0 >> 6) != 2)
                return RtcpError.BadVersion;
            byte pt = data[offset + 1];
            if (pt < 192 || pt > 223)
                return RtcpError.BadPacketType;
            int length = (BinaryPrimitives.ReadUInt16BigEndian(data.Slice(offset + 2)) + 1) * 4;
            if (length > remaining)
                return RtcpError.LengthOverflow;
            if ((b0 & 0x20) != 0)
            {
                // RFC 3550 §6.4.1 allows padding on the last packet only, but libwebrtc pads
                // transport-cc feedback with the P bit wherever it sits in the compound, so
                // any packet may carry it; the pad count must still fit (A.2).
                int pad = data[offset + length - 1];
                if (pad == 0 || pad > length - RtcpHeader.Size)
                    return RtcpError.BadPadding;
            }
            offset += length;
            packetCount++;
        }
        return RtcpError.None;
    }

    public static RtcpError Validate(ReadOnlySpan<byte> data) => Validate(data, out _);
}
