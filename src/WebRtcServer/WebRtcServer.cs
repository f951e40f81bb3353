using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Ice;
using Mediasoup.Net;
using Mediasoup.Transports;
using Mediasoup.Worker;

namespace Mediasoup.WebRtcServer;

/// <summary>
/// Listening UDP sockets and TCP servers shared by many WebRtcTransports. Binds one socket
/// per listenInfo; any failure undoes all of them and fails the request.
/// </summary>
internal sealed class WebRtcServer : IRequestHandler, IUdpSocketListener, ITcpServerListener, IWebRtcTransportServerLink, ITcpConnectionListener
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
    // Transports using this server and their local ICE username fragments (old ones stay
    // after restartIce until the new one is used), in creation order.
    private readonly List<WebRtcTransport> _transports = new();
    private readonly List<(string Ufrag, WebRtcTransport Transport)> _localUfrags = new();
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

    private Listener Bind(FBS.Transport.ListenInfo fbsInfo)
    {
        ListenInfo info = ListenInfo.FromFbs(fbsInfo);
        PortManager.Binding binding = info.Bind(_ctx);
        return info.Protocol == ListenProtocol.Udp
            ? new Listener { Udp = new UdpSocket(_ctx.Net, binding, this), AnnouncedAddress = info.AnnouncedAddress, ExposeInternalIp = info.ExposeInternalIp }
            : new Listener { Tcp = new TcpServer(_ctx.Loop, binding, this), AnnouncedAddress = info.AnnouncedAddress, ExposeInternalIp = info.ExposeInternalIp };
    }

    /// <summary>Candidates for a transport using this server, in listenInfo order, filtered
    /// and boosted by the transport's UDP/TCP options.</summary>
    public List<IceCandidate> GetIceCandidates(bool enableUdp, bool enableTcp, bool preferUdp, bool preferTcp)
    {
        var candidates = new List<IceCandidate>();
        uint localPreference = IceCandidate.DefaultLocalPreference;
        foreach (Listener l in _listeners)
        {
            if (l.Udp != null && enableUdp)
                IceCandidate.AddFor(candidates, l.Local, ListenProtocol.Udp, l.AnnouncedAddress, l.ExposeInternalIp,
                    preferUdp ? localPreference + 1000 : localPreference);
            else if (l.Tcp != null && enableTcp)
                IceCandidate.AddFor(candidates, l.Local, ListenProtocol.Tcp, l.AnnouncedAddress, l.ExposeInternalIp,
                    preferTcp ? localPreference + 1000 : localPreference);
            localPreference -= 100;
        }
        return candidates;
    }

    public void OnTransportUsernameFragmentAdded(WebRtcTransport transport, string ufrag)
    {
        if (!_transports.Contains(transport))
            _transports.Add(transport);
        _localUfrags.Add((ufrag, transport));
    }

    public void OnTransportUsernameFragmentRemoved(WebRtcTransport transport, string ufrag) =>
        _localUfrags.RemoveAll(e => e.Transport == transport && e.Ufrag == ufrag);

    public void OnTransportTupleAdded(WebRtcTransport transport, in IceTuple tuple) => _tuples[tuple] = transport;

    public void OnTransportTupleRemoved(WebRtcTransport transport, in IceTuple tuple)
    {
        if (_tuples.TryGetValue(tuple, out WebRtcTransport? t) && t == transport)
            _tuples.Remove(tuple);
    }

    public void OnTransportClosed(WebRtcTransport transport)
    {
        _transports.Remove(transport);
        _localUfrags.RemoveAll(e => e.Transport == transport);
        List<IceTuple>? stale = null;
        foreach (var kv in _tuples)
        {
            if (kv.Value == transport)
                (stale ??= new List<IceTuple>()).Add(kv.Key);
        }
        if (stale != null)
        {
            foreach (IceTuple t in stale)
                _tuples.Remove(t);
        }
    }

    private readonly Dictionary<IceTuple, WebRtcTransport> _tuples = new();

    private WebRtcTransport? TransportForUfrag(ReadOnlySpan<char> ufrag)
    {
        foreach ((string u, WebRtcTransport t) in _localUfrags)
        {
            if (ufrag.SequenceEqual(u))
                return t;
        }
        return null;
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
                    WebRtcTransportIds = _transports.ConvertAll(t => t.Id),
                    LocalIceUsernameFragments = new List<FBS.WebRtcServer.IceUserNameFragmentT>(),
                };
                foreach (Listener l in _listeners)
                {
                    var ipPort = new FBS.WebRtcServer.IpPortT { Ip = l.Local.AddressText, Port = l.Local.Port };
                    (l.Udp != null ? dump.UdpSockets : dump.TcpServers).Add(ipPort);
                }
                foreach ((string ufrag, WebRtcTransport transport) in _localUfrags)
                {
                    dump.LocalIceUsernameFragments.Add(new FBS.WebRtcServer.IceUserNameFragmentT
                    {
                        LocalIceUsernameFragment = ufrag,
                        WebRtcTransportId = transport.Id,
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

    /// <summary>STUN goes to the transport owning the USERNAME's local fragment; anything else
    /// to the transport that validated the 5-tuple.</summary>
    public void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote)
    {
        ReadOnlySpan<byte> data = buffer[..length];
        WebRtcTransport? transport;
        if (StunMessage.IsStun(data))
        {
            if (!StunMessage.TryParse(data, out StunMessage stun) || !stun.HasUsername)
                return;
            Span<char> ufrag = stackalloc char[256];
            int n = System.Text.Encoding.UTF8.GetChars(stun.UsernameLocalPart[..Math.Min(stun.UsernameLocalPart.Length, 256)], ufrag);
            transport = TransportForUfrag(ufrag[..n]);
        }
        else
        {
            _tuples.TryGetValue(new IceTuple(remote, socket.Id, ListenProtocol.Udp), out transport);
        }
        transport?.ReceiveUdp(socket, buffer, length, remote);
    }

    // Connections not yet claimed by a transport: the first STUN request names it. Full, a
    // new connection evicts the oldest pending one; each expires if it names nobody in time.
    public const int MaxPendingTcp = 256;
    public const long PendingTcpTimeoutMs = 10_000;
    private PendingTcpConnections<TcpConnection>? _pendingTcpSet;
    private PendingTcpConnections<TcpConnection> PendingTcp =>
        _pendingTcpSet ??= new PendingTcpConnections<TcpConnection>(MaxPendingTcp, PendingTcpTimeoutMs, static _ => { }, _ctx.Loop);

    public bool OnTcpConnection(TcpServer server, int fd, in IpEndpoint remote)
    {
        if (_closed)
            return false;
        PendingTcp.Add(new TcpConnection(_ctx.Net, fd, server.Local, remote, this));
        return true;
    }

    public void OnTcpFrame(TcpConnection connection, Span<byte> frame)
    {
        WebRtcTransport? transport = null;
        if (StunMessage.IsStun(frame) && StunMessage.TryParse(frame, out StunMessage stun) && stun.HasUsername)
        {
            Span<char> ufrag = stackalloc char[256];
            int n = System.Text.Encoding.UTF8.GetChars(stun.UsernameLocalPart[..Math.Min(stun.UsernameLocalPart.Length, 256)], ufrag);
            transport = TransportForUfrag(ufrag[..n]);
        }
        PendingTcp.Remove(connection);
        if (transport == null || !transport.AdoptTcpConnection(connection))
        {
            connection.Dispose();
            return;
        }
        transport.OnTcpFrame(connection, frame);
    }

    public void OnTcpConnectionClosed(TcpConnection connection) => PendingTcp.Remove(connection);

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
        // Transports go first: later they may still send DTLS close alerts through our sockets.
        foreach (WebRtcTransport t in new List<WebRtcTransport>(_transports))
            t.ListenServerClosed();
        _transports.Clear();
        _localUfrags.Clear();
        _pendingTcpSet?.Dispose();
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
