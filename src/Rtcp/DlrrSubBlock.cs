namespace Mediasoup.Rtcp;

/// <summary>One DLRR sub-block (RFC 3611 §4.5): SSRC, last RR (compact NTP), delay since last RR (1/65536 s).</summary>
public readonly record struct DlrrSubBlock(uint Ssrc, uint LastRr, uint DelaySinceLastRr)
{
    public const int Size = 12;
}
