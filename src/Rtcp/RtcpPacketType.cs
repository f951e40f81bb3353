namespace Mediasoup.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).</summary>
public enum RtcpPacketType : byte
{
    SR = 200,
    RR = 201,
    SDES = 202,
    BYE = 203,
    APP = 204,
    RTPFB = 205,
    PSFB = 206,
    XR = 207,
}

/// <summary>Transport-layer feedback FMT values (PT 205; RFC 4585 §6.2, draft-holmer §3.1).</summary>
public static class RtpFeedbackFmt
{
    public const byte Nack = 1;
    public const byte TransportCc = 15;
}

/// <summary>Payload-specific feedback FMT values (PT 206; RFC 4585 §6.3, RFC 5104 §4.3).</summary>
public static class PsFeedbackFmt
{
    public const byte Pli = 1;
    public const byte Fir = 4;
    public const byte Afb = 15;
}
