using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Net;
using Mediasoup.Worker;

namespace Mediasoup.WebRtcServer;

/// <summary>
/// Listening UDP sockets and TCP servers shared by many WebRtcTransports. Binds one socket
/// per listenInfo; any failure undoes all of them and fails the request.
/// </summary>
internal sealed class WebRtcServer : IRequestHandler, IUdpSocketListener, ITcpServerListener
{
    /// <summary>One listenInfo's socket, with what is announced for it.</summary>
    public sealed class Listener
    {
        public UdpSocket? Udp { get; init; }
        public TcpServer? Tcp { get; init; }
        public string AnnouncedAddress { get; init; } = "";
        public bool ExposeInternalIp { get; init; }
        public ListenProtocol Protocol => Udp != null ? ListenProtocol.Udp : ListenProtocol.Tcp;
        public IpEndpoint Local => Udp?.Local ?? Tcp!.Local;
    }

    private readonly WorkerContext _ctx;
    private readonly List<Listener> _listeners = new();
    // Filled by WebRtcTransports (ICE): local ufrag → transport id, in creation order.
    private readonly List<string> _transportIds = new();
    private readonly List<(string Ufrag, string TransportId)> _localUfrags = new();
    private bool _closed;

    public WebRtcServer(WorkerContext ctx, string id, IReadOnlyList<FBS.Transport.ListenInfo?> listenInfos)
    {
        _ctx = ctx;
        Id = id;
        if (listenInfos.Count == 0)
            throw new MediasoupTypeError("wrong listenInfos (empty array)");
        try
        {
            foreach (FBS.Transport.ListenInfo? maybe in listenInfos)
            {
                if (maybe is not FBS.Transport.ListenInfo info)
                    throw new MediasoupTypeError("wrong listenInfo (null)");
                _listeners.Add(Bind(info));
            }
            ctx.Registry.Register(id, this, null);
        }
        catch
        {
            CloseSockets();
            throw;
        }
    }

    public string Id { get; }

    public IReadOnlyList<Listener> Listeners => _listeners;

    private Listener Bind(FBS.Transport.ListenInfo info)
    {
        string ip = info.Ip ?? throw new MediasoupTypeError("missing listenInfo.ip");
        if (!IpEndpoint.TryNormalize(ip, out string normalized, out _))
            throw new MediasoupTypeError($"invalid IP '{ip}'");
        FBS.Transport.SocketFlags? flags = info.Flags;
        FBS.Transport.PortRange? range = info.PortRange;
        var options = new SocketOptions(
            flags?.Ipv6Only ?? false, flags?.UdpReusePort ?? false, info.SendBufferSize, info.RecvBufferSize);
        ListenProtocol protocol = info.Protocol switch
        {
            FBS.Transport.Protocol.UDP => ListenProtocol.Udp,
            FBS.Transport.Protocol.TCP => ListenProtocol.Tcp,
            _ => throw new MediasoupTypeError($"invalid listenInfo.protocol {(byte)info.Protocol}"),
        };

        PortManager.Binding binding;
        ushort min = range?.Min ?? 0, max = range?.Max ?? 0;
        if (min != 0 && max != 0)
            binding = _ctx.Ports.Bind(protocol, normalized, min, max, options);
        else if (info.Port != 0)
            binding = _ctx.Ports.Bind(protocol, normalized, info.Port, options);
        else
            binding = _ctx.Ports.Bind(protocol, normalized, _ctx.Settings.RtcMinPort, _ctx.Settings.RtcMaxPort, options);

        return protocol == ListenProtocol.Udp
            ? new Listener { Udp = new UdpSocket(_ctx.Loop, binding, this), AnnouncedAddress = info.AnnouncedAddress ?? "", ExposeInternalIp = info.ExposeInternalIp }
            : new Listener { Tcp = new TcpServer(_ctx.Loop, binding, this), AnnouncedAddress = info.AnnouncedAddress ?? "", ExposeInternalIp = info.ExposeInternalIp };
    }

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.WEBRTCSERVER_DUMP:
            {
                var dump = new FBS.WebRtcServer.DumpResponseT
                {
                    Id = Id,
                    UdpSockets = new List<FBS.WebRtcServer.IpPortT>(),
                    TcpServers = new List<FBS.WebRtcServer.IpPortT>(),
                    WebRtcTransportIds = new List<string>(_transportIds),
                    LocalIceUsernameFragments = new List<FBS.WebRtcServer.IceUserNameFragmentT>(),
                };
                foreach (Listener l in _listeners)
                {
                    var ipPort = new FBS.WebRtcServer.IpPortT { Ip = l.Local.AddressText, Port = l.Local.Port };
                    (l.Udp != null ? dump.UdpSockets : dump.TcpServers).Add(ipPort);
                }
                foreach ((string ufrag, string transportId) in _localUfrags)
                {
                    dump.LocalIceUsernameFragments.Add(new FBS.WebRtcServer.IceUserNameFragmentT
                    {
                        LocalIceUsernameFragment = ufrag,
                        WebRtcTransportId = transportId,
                    });
                }
                int offset = FBS.WebRtcServer.DumpResponse.Pack(request.Builder, dump).Value;
                request.Accept(FBS.Response.Body.WebRtcServer_DumpResponse, offset);
                break;
            }

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    // Media arrives with the WebRTC transport issue; until then nothing is listening.
    public void OnUdpPacket(UdpSocket socket, ReadOnlySpan<byte> data, in IpEndpoint remote)
    {
    }

    public bool OnTcpConnection(TcpServer server, int fd, in IpEndpoint remote) => false;

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
        CloseSockets();
    }

    private void CloseSockets()
    {
        foreach (Listener l in _listeners)
        {
            l.Udp?.Dispose();
            l.Tcp?.Dispose();
        }
        _listeners.Clear();
    }
}
