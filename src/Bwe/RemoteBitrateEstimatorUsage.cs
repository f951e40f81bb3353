namespace Mediasoup.Bwe;

/// <summary>What the receive-side delay trend says of the path (GCC draft, draft-ietf-rmcat-gcc-02 §5.4):
/// queues draining, steady, or building up.</summary>
public enum RemoteBandwidthUsage : byte
{
    Normal,
    Underusing,
    Overusing,
}
