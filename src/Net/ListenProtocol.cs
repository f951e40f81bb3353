namespace Mediasoup.Net;

public enum ListenProtocol : byte
{
    Udp = 1,
    Tcp = 2,
}

/// <summary>Socket options from a ListenInfo; flags that do not apply to the family or
/// protocol are ignored.</summary>
public readonly record struct SocketOptions(bool Ipv6Only, bool UdpReusePort, uint SendBufferSize, uint RecvBufferSize);
