using System;
namespace Mediasoup.Rtp;

/// <summary>
/// Which RTP header extension id carries each extension the worker understands; 0 = absent.
/// A Producer fills one from its negotiated parameters to read ingress packets; after the
/// Producer rewrites the block, packets carry <see cref="Internal"/> ids.
/// </summary>
internal struct HeaderExtensionIds
{
    public byte Mid;
    public byte Rid;
    public byte Rrid;
    public byte AbsSendTime;
    public byte TransportWideCc01;
    public byte SsrcAudioLevel;
    public byte DependencyDescriptor;
    public byte VideoOrientation;
    public byte TimeOffset;
    public byte AbsCaptureTime;
    public byte PlayoutDelay;
    public byte MediasoupPacketId;

    /// <summary>
    /// The router's preferred ids (FBS RtpHeaderExtensionUri + 1): egress packets use these,
    /// so consumers need no per-packet id remapping (worker contract 5.9).
    /// </summary>
    public static HeaderExtensionIds Internal => new()
    {
        Mid = 1,
        Rid = 2,
        Rrid = 3,
        AbsSendTime = 4,
        TransportWideCc01 = 5,
        SsrcAudioLevel = 6,
        DependencyDescriptor = 7,
        VideoOrientation = 8,
        TimeOffset = 9,
        AbsCaptureTime = 10,
        PlayoutDelay = 11,
        MediasoupPacketId = 12,
    };

    /// <summary>Bytes reserved for the MID value on ingress so any consumer's MID fits later.</summary>
    public const int MidMaxLength = 8;
}
