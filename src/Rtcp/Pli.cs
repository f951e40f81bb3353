using System;

namespace Mediasoup.Rtcp;

/// <summary>Picture loss indication, PSFB FMT 1 (RFC 4585 §6.3.1): no FCI.</summary>
public readonly ref struct Pli
{
    public const int Size = FeedbackPacket.FixedSize;

    private Pli(uint senderSsrc, uint mediaSsrc)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
    }

    public uint SenderSsrc { get; }

    public uint MediaSsrc { get; }

    public static bool TryRead(RtcpPacket packet, out Pli pli)
    {
        pli = default;
        if (!FeedbackPacket.TryRead(packet, RtcpPacketType.PSFB, PsFeedbackFmt.Pli, out FeedbackPacket fb))
            return false;
        pli = new Pli(fb.SenderSsrc, fb.MediaSsrc);
        return true;
    }

    public static int Write(Span<byte> dst, uint senderSsrc, uint mediaSsrc)
    {
        if (dst.Length < Size)
            return 0;
        FeedbackPacket.WriteHeader(dst, RtcpPacketType.PSFB, PsFeedbackFmt.Pli, Size, senderSsrc, mediaSsrc);
        return Size;
    }
}
