using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// Receiver estimated maximum bitrate, PSFB FMT 15 (draft-alvestrand-rmcat-remb-03 §2.2):
/// 'REMB', SSRC count (8), exponent (6), mantissa (18), SSRCs. Media source SSRC is 0.
/// </summary>
public readonly ref struct Remb
{
    /// <summary>'R' 'E' 'M' 'B' as a big-endian word.</summary>
    public const uint Identifier = 0x52454D42;

    public const int MaxMantissa = 0x3FFFF;

    private readonly ReadOnlySpan<byte> _ssrcs;

    private Remb(uint senderSsrc, uint mediaSsrc, ulong bitrate, ReadOnlySpan<byte> ssrcs)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        Bitrate = bitrate;
        _ssrcs = ssrcs;
    }

    public uint SenderSsrc { get; }

    public uint MediaSsrc { get; }

    /// <summary>Bits per second, mantissa × 2^exponent; at most <see cref="long.MaxValue"/>.</summary>
    public ulong Bitrate { get; }

    public int SsrcCount => _ssrcs.Length / 4;

    public uint GetSsrc(int index) => BinaryPrimitives.ReadUInt32BigEndian(_ssrcs.Slice(index * 4));

    /// <summary>
    /// False unless this is an AFB carrying 'REMB' whose SSRC list fits, and whose bitrate is
    /// representable as a non-negative int64 (exponents up to 63 could shift bits out).
    /// </summary>
    public static bool TryRead(RtcpPacket packet, out Remb remb)
    {
        remb = default;
        if (!FeedbackPacket.TryRead(packet, RtcpPacketType.PSFB, PsFeedbackFmt.Afb, out FeedbackPacket fb))
            return false;
        ReadOnlySpan<byte> fci = fb.Fci;
        if (fci.Length < 8 || BinaryPrimitives.ReadUInt32BigEndian(fci) != Identifier)
            return false;
        int count = fci[4];
        if (fci.Length < 8 + count * 4)
            return false;
        int exponent = fci[5] >> 2;
        ulong mantissa = ((ulong)(fci[5] & 0x03) << 16) | BinaryPrimitives.ReadUInt16BigEndian(fci.Slice(6));
        ulong bitrate = mantissa << exponent;
        if ((bitrate >> exponent) != mantissa || bitrate > long.MaxValue)
            return false;
        remb = new Remb(fb.SenderSsrc, fb.MediaSsrc, bitrate, fci.Slice(8, count * 4));
        return true;
    }

    public static int GetSize(int ssrcCount) => FeedbackPacket.FixedSize + 8 + ssrcCount * 4;

    /// <summary>
    /// Splits a bitrate into the smallest exponent whose mantissa fits 18 bits; low bits are
    /// truncated, so the encoded value never exceeds the requested one.
    /// </summary>
    public static (int Exponent, int Mantissa) Encode(ulong bitrate)
    {
        int exponent = 0;
        while (bitrate > MaxMantissa)
        {
            bitrate >>= 1;
            exponent++;
        }
        return (exponent, (int)bitrate);
    }

    /// <summary>Writes a REMB; 0 when it does not fit or there are more than 255 SSRCs.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs)
    {
        if (ssrcs.Length > byte.MaxValue)
            return 0;
        int size = GetSize(ssrcs.Length);
        if (dst.Length < size)
            return 0;
        FeedbackPacket.WriteHeader(dst, RtcpPacketType.PSFB, PsFeedbackFmt.Afb, size, senderSsrc, 0);
        Span<byte> fci = dst.Slice(FeedbackPacket.FixedSize);
        (int exponent, int mantissa) = Encode(bitrate);
        BinaryPrimitives.WriteUInt32BigEndian(fci, Identifier);
        fci[4] = (byte)ssrcs.Length;
        fci[5] = (byte)((exponent << 2) | (mantissa >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(fci.Slice(6), (ushort)mantissa);
        for (int i = 0; i < ssrcs.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(fci.Slice(8 + i * 4), ssrcs[i]);
        return size;
    }
}
