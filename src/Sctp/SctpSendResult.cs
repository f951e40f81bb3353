namespace Mediasoup.Sctp;

/// <summary>Outcome of <see cref="SctpAssociation.SendSctpMessage"/>.</summary>
public enum SctpSendResult : byte
{
    /// <summary>Queued (not necessarily sent yet).</summary>
    Ok = 0,
    /// <summary>The send buffer cannot take it now; the listener also got OnSctpAssociationSendBufferFull.</summary>
    BufferFull = 1,
    /// <summary>Larger than maxSctpMessageSize (or than the whole send buffer).</summary>
    TooBig = 2,
    /// <summary>SCTP cannot carry an empty payload; WebRTC sends PPID 56/57 with one byte instead (the caller's job).</summary>
    Empty = 3,
    /// <summary>Closed, failed, disposed, bad stream id or another usrsctp error.</summary>
    Failed = 4,
}
