using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Crypto;
using Mediasoup.Dtls;
using Mediasoup.Ice;
using Mediasoup.Net;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>Receives notice when a WebRtcTransport changes its ICE credentials or closes
/// (the WebRtcServer demultiplexes by username fragment).</summary>
internal interface IWebRtcTransportServerLink
{
    void OnTransportUsernameFragmentAdded(WebRtcTransport transport, string ufrag);
    void OnTransportClosed(WebRtcTransport transport);
}

/// <summary>
/// The browser-facing transport: ICE-lite candidates from its own sockets or from a
/// WebRtcServer, ICE credentials, DTLS parameters and connect(). The ICE and DTLS
/// handshakes themselves come with the WebRTC transport work; until then media is not accepted.
/// </summary>
internal sealed class WebRtcTransport : Transport, IUdpSocketListener, ITcpServerListener
{
    private readonly List<UdpSocket> _udpSockets = new();
    private readonly List<TcpServer> _tcpServers = new();
    private readonly List<IceCandidate> _candidates = new();
    private readonly IWebRtcTransportServerLink? _server;
    private bool _connectCalled;

    /// <summary>With its own sockets (ListenIndividual).</summary>
    public WebRtcTransport(WorkerContext ctx, ITransportListener listener, string id,
        FBS.WebRtcTransport.WebRtcTransportOptions options, FBS.WebRtcTransport.ListenIndividual listen)
        : base(ctx, listener, id, options.Base)
    {
        try
        {
            uint localPreference = IceCandidate.DefaultLocalPreference;
            for (int i = 0; i < listen.ListenInfosLength; i++)
            {
                FBS.Transport.ListenInfo fbsInfo = listen.ListenInfos(i) ?? throw new MediasoupTypeError("wrong listenInfo");
                ListenInfo info = ListenInfo.FromFbs(fbsInfo);
                PortManager.Binding binding = info.Bind(ctx);
                IpEndpoint local;
                if (info.Protocol == ListenProtocol.Udp)
                {
                    var socket = new UdpSocket(ctx.Net, binding, this);
                    _udpSockets.Add(socket);
                    local = socket.Local;
                }
                else
                {
                    var server = new TcpServer(ctx.Loop, binding, this);
                    _tcpServers.Add(server);
                    local = server.Local;
                }
                IceCandidate.AddFor(_candidates, local, info.Protocol, info.AnnouncedAddress, info.ExposeInternalIp, localPreference);
                localPreference -= 100;
            }
            InitIce(options);
            Register();
        }
        catch
        {
            CloseSockets();
            throw;
        }
    }

    /// <summary>Through a WebRtcServer, which owns the sockets.</summary>
    public WebRtcTransport(WorkerContext ctx, ITransportListener listener, string id,
        FBS.WebRtcTransport.WebRtcTransportOptions options, List<IceCandidate> candidates, IWebRtcTransportServerLink server)
        : base(ctx, listener, id, options.Base)
    {
        if (candidates.Count == 0)
            throw new MediasoupTypeError("empty iceCandidates");
        _candidates.AddRange(candidates);
        InitIce(options);
        Register();
        _server = server;
        server.OnTransportUsernameFragmentAdded(this, IceUsernameFragment);
    }

    public string IceUsernameFragment { get; private set; } = "";
    public string IcePassword { get; private set; } = "";
    public byte IceConsentTimeoutSec { get; private set; }
    public FBS.WebRtcTransport.IceState IceState { get; private set; } = FBS.WebRtcTransport.IceState.NEW;
    public FBS.WebRtcTransport.DtlsState DtlsState { get; private set; } = FBS.WebRtcTransport.DtlsState.NEW;
    public FBS.WebRtcTransport.DtlsRole DtlsLocalRole { get; private set; } = FBS.WebRtcTransport.DtlsRole.AUTO;
    public DtlsFingerprint? RemoteFingerprint { get; private set; }

    private void InitIce(FBS.WebRtcTransport.WebRtcTransportOptions options)
    {
        IceUsernameFragment = SecureRandom.LowerAlphanumeric(32);
        IcePassword = SecureRandom.LowerAlphanumeric(32);
        IceConsentTimeoutSec = options.IceConsentTimeout;
    }

    public override void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.WEBRTCTRANSPORT_CONNECT:
                Connect(request);
                break;

            case FBS.Request.Method.TRANSPORT_RESTART_ICE:
            {
                IceUsernameFragment = SecureRandom.LowerAlphanumeric(32);
                IcePassword = SecureRandom.LowerAlphanumeric(32);
                _server?.OnTransportUsernameFragmentAdded(this, IceUsernameFragment);
                var response = new FBS.Transport.RestartIceResponseT
                {
                    UsernameFragment = IceUsernameFragment,
                    Password = IcePassword,
                    IceLite = true,
                };
                request.Accept(FBS.Response.Body.Transport_RestartIceResponse, FBS.Transport.RestartIceResponse.Pack(request.Builder, response).Value);
                break;
            }

            default:
                base.HandleRequest(request);
                break;
        }
    }

    private void Connect(ChannelRequest request)
    {
        if (_connectCalled)
            throw new MediasoupError("connect() already called");
        var body = request.Body<FBS.WebRtcTransport.ConnectRequest>(FBS.Request.Body.WebRtcTransport_ConnectRequest);
        FBS.WebRtcTransport.DtlsParameters dtls = body.DtlsParameters ?? throw new MediasoupTypeError("missing dtlsParameters");
        if (dtls.FingerprintsLength == 0)
            throw new MediasoupTypeError("empty dtlsParameters.fingerprints array");
        FBS.WebRtcTransport.Fingerprint fp = dtls.Fingerprints(0) ?? throw new MediasoupTypeError("wrong fingerprint");
        RemoteFingerprint = new DtlsFingerprint((FingerprintAlgorithm)fp.Algorithm, fp.Value ?? "");
        // An ICE-controlled endpoint whose peer is "auto" takes the client role.
        DtlsLocalRole = dtls.Role == FBS.WebRtcTransport.DtlsRole.CLIENT
            ? FBS.WebRtcTransport.DtlsRole.SERVER
            : FBS.WebRtcTransport.DtlsRole.CLIENT;
        _connectCalled = true;
        var response = new FBS.WebRtcTransport.ConnectResponseT { DtlsLocalRole = DtlsLocalRole };
        request.Accept(FBS.Response.Body.WebRtcTransport_ConnectResponse, FBS.WebRtcTransport.ConnectResponse.Pack(request.Builder, response).Value);
    }

    private FBS.WebRtcTransport.DtlsParametersT LocalDtlsParameters()
    {
        var fps = new List<FBS.WebRtcTransport.FingerprintT>();
        foreach (DtlsFingerprint f in Ctx.Certificate.Fingerprints)
            fps.Add(new FBS.WebRtcTransport.FingerprintT { Algorithm = (FBS.WebRtcTransport.FingerprintAlgorithm)f.Algorithm, Value = f.Value });
        return new FBS.WebRtcTransport.DtlsParametersT { Fingerprints = fps, Role = DtlsLocalRole };
    }

    protected override void Dump(ChannelRequest request)
    {
        var candidates = new List<FBS.WebRtcTransport.IceCandidateT>(_candidates.Count);
        foreach (IceCandidate c in _candidates)
            candidates.Add(c.ToFbs());
        var dump = new FBS.WebRtcTransport.DumpResponseT
        {
            Base = BaseDump(),
            IceRole = FBS.WebRtcTransport.IceRole.CONTROLLED,
            IceParameters = new FBS.WebRtcTransport.IceParametersT
            {
                UsernameFragment = IceUsernameFragment,
                Password = IcePassword,
                IceLite = true,
            },
            IceCandidates = candidates,
            IceState = IceState,
            DtlsParameters = LocalDtlsParameters(),
            DtlsState = DtlsState,
        };
        request.Accept(FBS.Response.Body.WebRtcTransport_DumpResponse, FBS.WebRtcTransport.DumpResponse.Pack(request.Builder, dump).Value);
    }

    /// <summary>The WebRtcServer closed: the router closes this transport as if the host had.</summary>
    public void ListenServerClosed() => Listener.OnTransportListenServerClosed(this);

    protected override void GetStats(ChannelRequest request)
    {
        var stats = new FBS.WebRtcTransport.GetStatsResponseT
        {
            Base = BaseStats(),
            IceRole = FBS.WebRtcTransport.IceRole.CONTROLLED,
            IceState = IceState,
            DtlsState = DtlsState,
        };
        request.Accept(FBS.Response.Body.WebRtcTransport_GetStatsResponse, FBS.WebRtcTransport.GetStatsResponse.Pack(request.Builder, stats).Value);
    }

    public void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote)
    {
        // STUN/DTLS/RTP demultiplexing plugs in here with the ICE and DTLS work.
        CountReceived(length);
    }

    /// <summary>Packets that reached a WebRtcServer socket for this transport.</summary>
    public void OnServerPacket(ReadOnlySpan<byte> data, in IpEndpoint remote) => CountReceived(data.Length);

    public bool OnTcpConnection(TcpServer server, int fd, in IpEndpoint remote) => false;

    // Until ICE and DTLS run, nothing is connected and no media leaves.
    public override bool IsConnected => false;

    public override void SendRtpPacket(Rtp.RtpPacket packet, in RtpRewrite rewrite) => RtpPacketsNotSent++;

    public override void SendRtcp(ReadOnlySpan<byte> compound)
    {
    }

    protected override void CloseSockets()
    {
        foreach (UdpSocket s in _udpSockets)
            s.Dispose();
        _udpSockets.Clear();
        foreach (TcpServer s in _tcpServers)
            s.Dispose();
        _tcpServers.Clear();
        _server?.OnTransportClosed(this);
    }
}
