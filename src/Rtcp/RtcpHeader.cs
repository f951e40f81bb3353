using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Mediasoup.Rtcp;

/// <summary>
/// The 4-byte header every RTCP packet starts with (RFC 3550 §6.4.1):
/// V(2) P(1) count/FMT(5) | PT(8) | length in 32-bit words minus one (16).
/// </summary>
public static class RtcpHeader
{
    public const int Size = 4;

    /// <summary>Largest packet the 16-bit length field can describe.</summary>
    public const int MaxPacketSize = (ushort.MaxValue + 1) * 4;

    /// <summary>Count, SC and FMT are all 5 bits.</summary>
    public const int MaxCount = 31;

    /// <summary>
    /// Cheap demultiplexing test for a datagram on a shared RTP/RTCP port: first byte
    /// 128–191 (RFC 7983 §7, version 2) and packet type 192–223 (RFC 5761 §4), at
    /// least one header long. Says nothing about the rest of the compound.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsRtcp(ReadOnlySpan<byte> data)
        => data.Length >= Size && data[0] >= 128 && data[0] <= 191 && data[1] >= 192 && data[1] <= 223;

    /// <summary>
    /// Writes a header with V=2, P=0. <paramref name="totalLength"/> is the whole packet
    /// in bytes and must be a positive multiple of 4 (callers guarantee it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write(Span<byte> dst, int count, RtcpPacketType type, int totalLength)
    {
        dst[0] = (byte)(0x80 | (count & 0x1F));
        dst[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(2), (ushort)((totalLength >> 2) - 1));
    }

    /// <summary>Rewrites count and length of a header already in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Update(Span<byte> packet, int count, int totalLength)
    {
        packet[0] = (byte)((packet[0] & 0xE0) | (count & 0x1F));
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(2), (ushort)((totalLength >> 2) - 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int PadTo4(int length) => (length + 3) & ~3;
}
