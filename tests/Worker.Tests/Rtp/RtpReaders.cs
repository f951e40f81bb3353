using Mediasoup.Rtp;

namespace Mediasoup.Tests.Rtp;

/// <summary>Every typed header extension reader of RtpPacket, under its current id map; shared by the unit tests and the RTP fuzz target.</summary>
internal static class RtpReaders
{
    public static void ReadTypedExtensions(RtpPacket p)
    {
        p.TryReadMid(out _);
        p.TryReadRid(out _);
        p.TryReadRrid(out _);
        p.TryReadAbsSendTime(out _);
        p.TryReadTransportWideCc01(out _);
        p.TryReadSsrcAudioLevel(out _, out _);
        p.TryReadVideoOrientation(out _, out _, out _);
        p.TryReadTimeOffset(out _);
        p.TryReadPlayoutDelay(out _, out _);
        p.TryReadAbsCaptureTime(out _, out _);
        p.TryReadMediasoupPacketId(out _);
        p.TryGetDependencyDescriptor(out _);
    }
}
