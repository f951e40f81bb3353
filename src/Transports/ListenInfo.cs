using Mediasoup.Channel;
using Mediasoup.Net;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>A ListenInfo from the host, validated, and the socket binding it implies.</summary>
internal sealed class ListenInfo
{
    public required ListenProtocol Protocol { get; init; }
    public required string Ip { get; init; }
    public string AnnouncedAddress { get; init; } = "";
    public bool ExposeInternalIp { get; init; }
    public ushort Port { get; init; }
    public ushort PortRangeMin { get; init; }
    public ushort PortRangeMax { get; init; }
    public SocketOptions Options { get; init; }

    public static ListenInfo FromFbs(FBS.Transport.ListenInfo info)
    {
        string ip = info.Ip ?? throw new MediasoupTypeError("missing listenInfo.ip");
        if (!IpEndpoint.TryNormalize(ip, out string normalized, out _))
            throw new MediasoupTypeError($"invalid IP '{ip}'");
        ListenProtocol protocol = info.Protocol switch
        {
            FBS.Transport.Protocol.UDP => ListenProtocol.Udp,
            FBS.Transport.Protocol.TCP => ListenProtocol.Tcp,
            _ => throw new MediasoupTypeError($"invalid listenInfo.protocol {(byte)info.Protocol}"),
        };
        FBS.Transport.SocketFlags? flags = info.Flags;
        FBS.Transport.PortRange? range = info.PortRange;
        return new ListenInfo
        {
            Protocol = protocol,
            Ip = normalized,
            AnnouncedAddress = info.AnnouncedAddress ?? "",
            ExposeInternalIp = info.ExposeInternalIp,
            Port = info.Port,
            PortRangeMin = range?.Min ?? 0,
            PortRangeMax = range?.Max ?? 0,
            Options = new SocketOptions(flags?.Ipv6Only ?? false, flags?.UdpReusePort ?? false,
                info.SendBufferSize, info.RecvBufferSize),
        };
    }

    /// <summary>Binds per the reference's precedence: portRange, then port, then the worker's range.</summary>
    public PortManager.Binding Bind(WorkerContext ctx)
    {
        if (PortRangeMin != 0 && PortRangeMax != 0)
            return ctx.Ports.Bind(Protocol, Ip, PortRangeMin, PortRangeMax, Options);
        if (Port != 0)
            return ctx.Ports.Bind(Protocol, Ip, Port, Options);
        return ctx.Ports.Bind(Protocol, Ip, ctx.Settings.RtcMinPort, ctx.Settings.RtcMaxPort, Options);
    }
}
