using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// Reception report block, 24 bytes (RFC 3550 §6.4.1): SSRC, fraction lost (8),
/// cumulative lost (24, signed), extended highest sequence, jitter, LSR, DLSR.
/// </summary>
public readonly record struct ReportBlock(
    uint Ssrc,
    byte FractionLost,
    int TotalLost,
    uint HighestSequence,
    uint Jitter,
    uint LastSr,
    uint DelaySinceLastSr)
{
    public const int Size = 24;

    // Cumulative lost is a signed 24-bit field (RFC 3550 §6.4.1; duplicates can make it negative).
    public const int MaxTotalLost = 0x7FFFFF;
    public const int MinTotalLost = -0x800000;

    /// <summary>Decodes one block; <paramref name="src"/> must hold at least <see cref="Size"/> bytes.</summary>
    public static ReportBlock Read(ReadOnlySpan<byte> src)
    {
        src = src.Slice(0, Size);
        uint lostWord = BinaryPrimitives.ReadUInt32BigEndian(src.Slice(4));
        return new ReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(src),
            (byte)(lostWord >> 24),
            (int)(lostWord << 8) >> 8,
            BinaryPrimitives.ReadUInt32BigEndian(src.Slice(8)),
            BinaryPrimitives.ReadUInt32BigEndian(src.Slice(12)),
            BinaryPrimitives.ReadUInt32BigEndian(src.Slice(16)),
            BinaryPrimitives.ReadUInt32BigEndian(src.Slice(20)));
    }

    /// <summary>Encodes into <paramref name="dst"/> (at least <see cref="Size"/> bytes); TotalLost is clamped to 24 bits.</summary>
    public void Write(Span<byte> dst)
    {
        dst = dst.Slice(0, Size);
        int lost = Math.Clamp(TotalLost, MinTotalLost, MaxTotalLost);
        BinaryPrimitives.WriteUInt32BigEndian(dst, Ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ((uint)FractionLost << 24) | ((uint)lost & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), HighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(12), Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(16), LastSr);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(20), DelaySinceLastSr);
    }
}
