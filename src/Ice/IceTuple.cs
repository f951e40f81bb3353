using System;
using Mediasoup.Net;

namespace Mediasoup.Ice;

/// <summary>
/// What the ICE core knows of a 5-tuple: the remote address, an id the caller gives the local
/// side (its UDP socket, or the TCP connection, so two connections from the same remote stay
/// distinct) and the protocol. Opaque otherwise; equal when all three are.
/// </summary>
internal readonly struct IceTuple : IEquatable<IceTuple>
{
    public IceTuple(in IpEndpoint remote, int localId, ListenProtocol protocol)
    {
        Remote = remote;
        LocalId = localId;
        Protocol = protocol;
    }

    public readonly IpEndpoint Remote;
    public readonly int LocalId;
    public readonly ListenProtocol Protocol;

    public bool Equals(IceTuple other) =>
        LocalId == other.LocalId && Protocol == other.Protocol && Remote.Equals(other.Remote);

    public override bool Equals(object? obj) => obj is IceTuple t && Equals(t);

    public override int GetHashCode() => HashCode.Combine(Remote.GetHashCode(), LocalId, Protocol);

    public static bool operator ==(in IceTuple a, in IceTuple b) => a.Equals(b);

    public static bool operator !=(in IceTuple a, in IceTuple b) => !a.Equals(b);

    public override string ToString() => $"{Protocol} {Remote} local#{LocalId}";
}
