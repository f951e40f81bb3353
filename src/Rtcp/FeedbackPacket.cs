using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// The part shared by all RTPFB/PSFB messages (RFC 4585 §6.1): header with FMT, sender SSRC,
/// media source SSRC, then feedback control information (FCI).
/// </summary>
public readonly ref struct FeedbackPacket
{
    /// <summary>Header and both SSRCs.</summary>
    public const int FixedSize = RtcpHeader.Size + 8;

    public readonly ReadOnlySpan<byte> Fci;

    private readonly ReadOnlySpan<byte> _body;

    private FeedbackPacket(RtcpPacketType type, int fmt, ReadOnlySpan<byte> body)
    {
        Type = type;
        Fmt = fmt;
        _body = body;
        Fci = body.Slice(8);
    }

    public RtcpPacketType Type { get; }

    public int Fmt { get; }

    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(4));

    /// <summary>False unless the packet is RTPFB or PSFB with both SSRCs present.</summary>
    public static bool TryRead(RtcpPacket packet, out FeedbackPacket feedback)
    {
        feedback = default;
        RtcpPacketType type = packet.Type;
        if ((type != RtcpPacketType.RTPFB && type != RtcpPacketType.PSFB) || packet.Body.Length < 8)
            return false;
        feedback = new FeedbackPacket(type, packet.Count, packet.Body);
        return true;
    }

    internal static bool TryRead(RtcpPacket packet, RtcpPacketType type, int fmt, out FeedbackPacket feedback)
    {
        if (packet.Type != type || packet.Count != fmt || packet.Body.Length < 8)
        {
            feedback = default;
            return false;
        }
        feedback = new FeedbackPacket(type, fmt, packet.Body);
        return true;
    }

    /// <summary>Writes header and SSRCs for a packet of <paramref name="totalSize"/> bytes; caller checked the room.</summary>
    internal static void WriteHeader(Span<byte> dst, RtcpPacketType type, int fmt, int totalSize, uint senderSsrc, uint mediaSsrc)
    {
        RtcpHeader.Write(dst, fmt, type, totalSize);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), mediaSsrc);
    }
}
