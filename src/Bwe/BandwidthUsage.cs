namespace Mediasoup.Bwe;

/// <summary>Signal of the delay-based over-use detector (draft-ietf-rmcat-gcc-02 §5.4).</summary>
internal enum BandwidthUsage : byte
{
    Normal,
    Underusing,
    Overusing,
}
