namespace Mediasoup.Bwe;

/// <summary>What the feedback said about a sent packet so far.</summary>
internal enum SentPacketState : byte
{
    /// <summary>Sent, not reported yet.</summary>
    Sent,
    /// <summary>Reported as not received (a later feedback may still report it received).</summary>
    ReportedLost,
    /// <summary>Reported as received: any further report of it is a duplicate.</summary>
    Received,
}

/// <summary>One entry of the <see cref="SendHistory"/>.</summary>
internal struct SentPacket
{
    /// <summary>Unwrapped transport-wide sequence number; -1 for an empty slot.</summary>
    public long Sequence;
    public long SendUs;
    public int Size;
    public int ProbeClusterId;
    public SentPacketState State;
}
