using Mediasoup.Net;

namespace Mediasoup.Transports;

/// <summary>A local/remote address pair of a transport (UDP, or a TCP connection).</summary>
internal sealed class TransportTuple
{
    public TransportTuple(IpEndpoint local, IpEndpoint remote, ListenProtocol protocol, string announcedAddress)
    {
        Local = local;
        Remote = remote;
        Protocol = protocol;
        AnnouncedAddress = announcedAddress;
    }

    public IpEndpoint Local { get; }
    public IpEndpoint Remote { get; }
    public ListenProtocol Protocol { get; }
    public string AnnouncedAddress { get; }

    public FBS.Transport.TupleT ToFbs() => new()
    {
        LocalAddress = AnnouncedAddress.Length > 0 ? AnnouncedAddress : Local.AddressText,
        LocalPort = Local.Port,
        RemoteIp = Remote.AddressText,
        RemotePort = Remote.Port,
        Protocol = Protocol == ListenProtocol.Udp ? FBS.Transport.Protocol.UDP : FBS.Transport.Protocol.TCP,
    };

    /// <summary>Tuple before a remote is known: local side only.</summary>
    public static FBS.Transport.TupleT LocalOnly(IpEndpoint local, string announcedAddress, ListenProtocol protocol) => new()
    {
        LocalAddress = announcedAddress.Length > 0 ? announcedAddress : local.AddressText,
        LocalPort = local.Port,
        Protocol = protocol == ListenProtocol.Udp ? FBS.Transport.Protocol.UDP : FBS.Transport.Protocol.TCP,
    };
}
