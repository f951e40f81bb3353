namespace Mediasoup.Sctp;

/// <summary>What the host sees (FBS SctpState). Never returns to New.</summary>
public enum SctpAssociationState : byte
{
    New = 0,
    Connecting = 1,
    Connected = 2,
    Failed = 3,
    Closed = 4,
}
