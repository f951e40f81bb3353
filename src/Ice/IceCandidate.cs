using Mediasoup.Net;

namespace Mediasoup.Ice;

/// <summary>A local host candidate (ICE-lite offers only these), RFC 8445 §5.1.2.</summary>
internal sealed record IceCandidate(string Address, ushort Port, ListenProtocol Protocol, uint Priority)
{
    // Host candidates only, so the type preference is fixed; rtcp-mux, so component 1.
    private const uint TypePreference = 64;
    private const uint Component = 1;
    public const ushort DefaultLocalPreference = 10000;

    public static uint ComputePriority(uint localPreference) =>
        (TypePreference << 24) + (localPreference << 8) + (256 - Component);

    public FBS.WebRtcTransport.IceCandidateT ToFbs() => new()
    {
        Foundation = Protocol == ListenProtocol.Udp ? "udpcandidate" : "tcpcandidate",
        Priority = Priority,
        Address = Address,
        Protocol = Protocol == ListenProtocol.Udp ? FBS.Transport.Protocol.UDP : FBS.Transport.Protocol.TCP,
        Port = Port,
        Type = FBS.WebRtcTransport.IceCandidateType.HOST,
        TcpType = Protocol == ListenProtocol.Tcp ? FBS.WebRtcTransport.IceCandidateTcpType.PASSIVE : null,
    };

    /// <summary>The candidates of one listening socket: the announced address (or the bound
    /// IP), plus the bound IP at priority − 1000 when the internal IP is to be exposed too.</summary>
    public static void AddFor(System.Collections.Generic.List<IceCandidate> into, IpEndpoint local, ListenProtocol protocol,
        string announcedAddress, bool exposeInternalIp, uint localPreference)
    {
        uint priority = ComputePriority(localPreference);
        if (announcedAddress.Length == 0)
        {
            into.Add(new IceCandidate(local.AddressText, local.Port, protocol, priority));
            return;
        }
        into.Add(new IceCandidate(announcedAddress, local.Port, protocol, priority));
        if (exposeInternalIp)
            into.Add(new IceCandidate(local.AddressText, local.Port, protocol, priority - 1000));
    }
}
