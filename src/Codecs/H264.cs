using System;
namespace Mediasoup.Codecs;

/// <summary>H.264 RTP payload inspection (RFC 6184): which NAL unit types a packet carries.</summary>
internal static class H264
{
    public const int NalSps = 7;
    public const int NalIdr = 5;
    private const int NalStapA = 24;
    private const int NalFuA = 28;
    private const int NalFuB = 29;

    /// <summary>
    /// A key frame starts where an SPS is sent: in a single NAL unit packet, inside a STAP-A, or
    /// at the start of an FU-A/FU-B. An IDR slice without its SPS is not enough to start decoding
    /// from, so it does not count (the same rule as mediasoup's worker).
    /// </summary>
    public static bool IsKeyFrame(ReadOnlySpan<byte> payload) => Contains(payload, NalSps);

    /// <summary>Whether the packet carries (the start of) an IDR slice.</summary>
    public static bool ContainsIdr(ReadOnlySpan<byte> payload) => Contains(payload, NalIdr);

    /// <summary>Whether the packet carries a NAL unit of <paramref name="nalType"/>, or starts a fragmented one.</summary>
    public static bool Contains(ReadOnlySpan<byte> payload, int nalType)
    {
        if (payload.Length < 2)
        {
            return false;
        }
        int type = payload[0] & 0x1F;
        switch (type)
        {
            case NalStapA:
            {
                // RFC 6184 5.7.1: after the STAP-A header, (16-bit size, NAL unit) pairs.
                int offset = 1;
                while (payload.Length - offset >= 3)
                {
                    int size = (payload[offset] << 8) | payload[offset + 1];
                    if ((payload[offset + 2] & 0x1F) == nalType)
                    {
                        return true;
                    }
                    offset += 2 + size;
                }
                return false;
            }
            case NalFuA:
            case NalFuB:
                // RFC 6184 5.8: FU header S(1) E(1) R(1) Type(5); only the start carries the frame start.
                return (payload[1] & 0x80) != 0 && (payload[1] & 0x1F) == nalType;
            default:
                return type == nalType;
        }
    }
}
