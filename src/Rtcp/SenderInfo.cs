namespace Mediasoup.Rtcp;

/// <summary>Sender info of an SR, 20 bytes (RFC 3550 §6.4.1): NTP timestamp, RTP timestamp, counts.</summary>
public readonly record struct SenderInfo(
    uint NtpSeconds,
    uint NtpFraction,
    uint RtpTimestamp,
    uint PacketCount,
    uint OctetCount)
{
    public const int Size = 20;

    public NtpTime Ntp => new(NtpSeconds, NtpFraction);

    public SenderInfo(NtpTime ntp, uint rtpTimestamp, uint packetCount, uint octetCount)
        : this(ntp.Seconds, ntp.Fraction, rtpTimestamp, packetCount, octetCount)
    {
    }
}
