using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Crypto;
using Mediasoup.Dtls;
using Mediasoup.Ice;
using Mediasoup.Loop;
using Mediasoup.Net;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>Receives notice when a WebRtcTransport changes its ICE credentials or closes
/// (the WebRtcServer demultiplexes by username fragment).</summary>
internal interface IWebRtcTransportServerLink
{
    void OnTransportUsernameFragmentAdded(WebRtcTransport transport, string ufrag);
    void OnTransportUsernameFragmentRemoved(WebRtcTransport transport, string ufrag);
    void OnTransportTupleAdded(WebRtcTransport transport, in IceTuple tuple);
    void OnTransportTupleRemoved(WebRtcTransport transport, in IceTuple tuple);
    void OnTransportClosed(WebRtcTransport transport);
}

/// <summary>
/// The browser-facing transport: ICE-lite candidates from its own sockets or from a
/// WebRtcServer, ICE credentials, DTLS parameters and connect(). The ICE and DTLS
/// handshakes themselves come with the WebRTC transport work; until then media is not accepted.
/// </summary>
internal sealed class WebRtcTransport : Transport, IUdpSocketListener, ITcpServerListener, IIceServerListener, ITcpConnectionListener, IDtlsTransportListener
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
            CreateSctpAssociation();
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
        CreateSctpAssociation();
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

    private IceServer? _ice;
    private LoopTimer? _iceTimer;
    private readonly Dictionary<int, UdpSocket> _socketsById = new();
    private UdpSocket? _selectedSocket;
    private IpEndpoint _selectedRemote;

    private void InitIce(FBS.WebRtcTransport.WebRtcTransportOptions options)
    {
        IceUsernameFragment = SecureRandom.LowerAlphanumeric(32);
        IcePassword = SecureRandom.LowerAlphanumeric(32);
        IceConsentTimeoutSec = options.IceConsentTimeout;
        _ice = new IceServer(this, Ctx.StunHmac, IceUsernameFragment, IcePassword, IceConsentTimeoutSec);
        _iceTimer = Ctx.Loop.CreateTimer(OnIceTimer);
        _dtls = new DtlsTransport(Ctx.Dtls, this);
        _dtlsTimer = Ctx.Loop.CreateTimer(OnDtlsTimer);
    }

    private DtlsTransport? _dtls;
    private LoopTimer? _dtlsTimer;
    private DtlsRole? _dtlsRunRole;

    private void OnDtlsTimer()
    {
        _dtls?.OnTimer(Ctx.Loop.NowMs);
        ArmDtlsTimer();
    }

    private void ArmDtlsTimer()
    {
        if (_dtls?.NextTimeoutMs is long due)
            _dtlsTimer!.Start(Math.Max(0, due - Ctx.Loop.NowMs));
        else
            _dtlsTimer?.Stop();
    }

    /// <summary>Starts DTLS once ICE is up: as server while the role is still auto (the
    /// reference does), else in the role connect() gave.</summary>
    private void MayRunDtls()
    {
        if (_dtls == null || _selectedSocket == null && _selectedTcp == null)
            return;
        if (IceState is not (FBS.WebRtcTransport.IceState.CONNECTED or FBS.WebRtcTransport.IceState.COMPLETED))
            return;
        DtlsRole role = DtlsLocalRole == FBS.WebRtcTransport.DtlsRole.CLIENT ? DtlsRole.Client : DtlsRole.Server;
        // Start once, or restart only for a role change: a failed or closed session stays so
        // (a wrong fingerprint must not turn into an endless retry).
        if (_dtlsRunRole == role || DtlsState is FBS.WebRtcTransport.DtlsState.FAILED or FBS.WebRtcTransport.DtlsState.CLOSED)
            return;
        _dtlsRunRole = role;
        _dtls.Run(role, Ctx.Loop.NowMs);
        ArmDtlsTimer();
    }

    private void EmitDtlsState(FBS.WebRtcTransport.DtlsState state, string? remoteCert = null)
    {
        DtlsState = state;
        var b = Ctx.Channel.BeginNotification();
        var n = new FBS.WebRtcTransport.DtlsStateChangeNotificationT { DtlsState = state, RemoteCert = remoteCert };
        int off = FBS.WebRtcTransport.DtlsStateChangeNotification.Pack(b, n).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.WEBRTCTRANSPORT_DTLS_STATE_CHANGE,
            FBS.Notification.Body.WebRtcTransport_DtlsStateChangeNotification, off);
    }

    // ---- IDtlsTransportListener ----

    public void OnDtlsConnecting(DtlsTransport transport) => EmitDtlsState(FBS.WebRtcTransport.DtlsState.CONNECTING);

    public void OnDtlsConnected(DtlsTransport transport, Srtp.SrtpCryptoSuite suite, ReadOnlySpan<byte> localKeyAndSalt,
        ReadOnlySpan<byte> remoteKeyAndSalt, string remoteCertificatePem)
    {
        try
        {
            SetSrtpKeys(suite, localKeyAndSalt, remoteKeyAndSalt);
        }
        catch (Exception ex)
        {
            Ctx.Logger.Error($"WebRtcTransport | creating SRTP sessions failed: {ex.Message}");
            EmitDtlsState(FBS.WebRtcTransport.DtlsState.FAILED);
            return;
        }
        EmitDtlsState(FBS.WebRtcTransport.DtlsState.CONNECTED, remoteCertificatePem);
        MaySctpConnect();
        UpdateConnected();
    }

    public void OnDtlsFailed(DtlsTransport transport)
    {
        _srtpSend?.Dispose();
        _srtpRecv?.Dispose();
        _srtpSend = _srtpRecv = null;
        EmitDtlsState(FBS.WebRtcTransport.DtlsState.FAILED);
        UpdateConnected();
    }

    public void OnDtlsClosed(DtlsTransport transport)
    {
        _srtpSend?.Dispose();
        _srtpRecv?.Dispose();
        _srtpSend = _srtpRecv = null;
        EmitDtlsState(FBS.WebRtcTransport.DtlsState.CLOSED);
        UpdateConnected();
    }

    public void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram) => SendOnSelectedTuple(datagram);

    public void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data) => ReceiveSctpData(data);

    protected override void SendSctpData(ReadOnlySpan<byte> packet)
    {
        if (_dtls?.State == Mediasoup.Dtls.DtlsState.Connected)
            _dtls.SendApplicationData(packet);
    }

    private void OnIceTimer()
    {
        _ice?.OnTimer(Ctx.Loop.NowMs);
        ArmIceTimer();
    }

    private void ArmIceTimer()
    {
        if (_ice == null || _iceTimer == null)
            return;
        long deadline = _ice.NextDeadlineMs;
        if (deadline == IceServer.NoDeadline)
            _iceTimer.Stop();
        else
            _iceTimer.Start(Math.Max(0, deadline - Ctx.Loop.NowMs));
    }

    // ---- IIceServerListener ----

    public void OnIceUsernameFragmentAdded(string usernameFragment) =>
        _server?.OnTransportUsernameFragmentAdded(this, usernameFragment);

    public void OnIceUsernameFragmentRemoved(string usernameFragment) =>
        _server?.OnTransportUsernameFragmentRemoved(this, usernameFragment);

    public void OnIceTupleAdded(in IceTuple tuple) => _server?.OnTransportTupleAdded(this, tuple);

    public void OnIceTupleRemoved(in IceTuple tuple)
    {
        _server?.OnTransportTupleRemoved(this, tuple);
        // A TCP tuple that ICE dropped (evicted, consent expired) takes its connection along.
        if (tuple.Protocol == ListenProtocol.Tcp && _tcpConnections.Remove(tuple.LocalId, out TcpConnection? c))
        {
            _unidentifiedTcpSet?.Remove(c);
            if (_selectedTcp == c)
                _selectedTcp = null;
            c.Dispose();
        }
    }

    public void OnIceSelectedTupleChanged(in IceTuple tuple)
    {
        _selectedSocket = null;
        _selectedTcp = null;
        if (tuple.Protocol == ListenProtocol.Tcp)
            _tcpConnections.TryGetValue(tuple.LocalId, out _selectedTcp);
        else
            _socketsById.TryGetValue(tuple.LocalId, out _selectedSocket);
        _selectedRemote = tuple.Remote;
        var b = Ctx.Channel.BeginNotification();
        var n = new FBS.WebRtcTransport.IceSelectedTupleChangeNotificationT { Tuple = TupleFbs(tuple) };
        int off = FBS.WebRtcTransport.IceSelectedTupleChangeNotification.Pack(b, n).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.WEBRTCTRANSPORT_ICE_SELECTED_TUPLE_CHANGE,
            FBS.Notification.Body.WebRtcTransport_IceSelectedTupleChangeNotification, off);
    }

    public void OnIceStateChanged(Ice.IceState state)
    {
        IceState = (FBS.WebRtcTransport.IceState)(byte)state;
        if (state is Ice.IceState.New or Ice.IceState.Disconnected)
            _selectedSocket = null;
        var b = Ctx.Channel.BeginNotification();
        int off = FBS.WebRtcTransport.IceStateChangeNotification.CreateIceStateChangeNotification(b, IceState).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.WEBRTCTRANSPORT_ICE_STATE_CHANGE,
            FBS.Notification.Body.WebRtcTransport_IceStateChangeNotification, off);
        IceStateChanged(state);
        UpdateConnected();
    }

    private void IceStateChanged(Ice.IceState state)
    {
        if (state is Ice.IceState.Connected or Ice.IceState.Completed)
            MayRunDtls();
    }

    private FBS.Transport.TupleT TupleFbs(in IceTuple tuple)
    {
        IpEndpoint local = tuple.Protocol == ListenProtocol.Tcp
            ? (_tcpConnections.TryGetValue(tuple.LocalId, out TcpConnection? tc) ? tc.Local : default)
            : (_socketsById.TryGetValue(tuple.LocalId, out UdpSocket? s) ? s.Local : default);
        string announced = "";
        foreach (IceCandidate c in _candidates)
        {
            if (c.Port == local.Port && c.Protocol == tuple.Protocol && c.Address != local.AddressText)
            {
                announced = c.Address;
                break;
            }
        }
        return new TransportTuple(local, tuple.Remote, tuple.Protocol, announced).ToFbs();
    }

    /// <summary>A datagram on one of our sockets or, through a WebRtcServer, on one of its.
    /// Demultiplexed per RFC 7983: STUN to ICE; DTLS, RTP and RTCP only from valid tuples.</summary>
    public void ReceiveUdp(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote)
    {
        CountReceived(length);
        ReadOnlySpan<byte> data = buffer[..length];
        var tuple = new IceTuple(remote, socket.Id, ListenProtocol.Udp);
        if (StunMessage.IsStun(data))
        {
            _socketsById[socket.Id] = socket;
            Span<byte> response = stackalloc byte[IceServer.MaxResponseLength];
            _ice!.ProcessStunPacket(data, tuple, Ctx.Loop.NowMs, response, out int responseLength);
            if (responseLength > 0)
                socket.Send(response[..responseLength], remote);
            ArmIceTimer();
            return;
        }
        if (_ice == null || !_ice.IsValidTuple(tuple))
            return;
        // Media from a known tuple confirms it (RFC 8445 lite: the peer chooses).
        _ice.ForceSelectedTuple(tuple);
        ReceiveMediaOrDtls(buffer, length);
    }

    private Srtp.SrtpSession? _srtpSend;
    private Srtp.SrtpSession? _srtpRecv;
    protected override Srtp.SrtpSession? SrtpInbound => _srtpRecv;
    protected override Srtp.SrtpSession? SrtpOutbound => _srtpSend;

    /// <summary>DTLS records to the DTLS layer; SRTP/SRTCP (RFC 7983 ranges) once DTLS gave keys.</summary>
    private void ReceiveMediaOrDtls(Span<byte> buffer, int length)
    {
        ReadOnlySpan<byte> data = buffer[..length];
        byte first = data.Length > 0 ? data[0] : (byte)0;
        if (first >= 20 && first <= 63)
        {
            ReceiveDtls(data);
            return;
        }
        if (_srtpRecv == null)
            return;
        if (Rtcp.RtcpHeader.IsRtcp(data))
        {
            if (_srtpRecv.UnprotectRtcp(buffer[..length], out int rtcpLength))
                ReceiveRtcp(buffer[..rtcpLength]);
            return;
        }
        if (Rtp.RtpPacket.IsRtp(data))
        {
            if (_srtpRecv.UnprotectRtp(buffer[..length], out int rtpLength))
                ReceiveRtp(buffer, rtpLength);
            else
                RtpPacketsDiscarded++;
        }
    }

    private void ReceiveDtls(ReadOnlySpan<byte> record)
    {
        if (_dtls == null || !DtlsTransport.IsDtls(record))
            return;
        // A peer may start the handshake before our ICE role decision: be the server then.
        if (_dtls.State == Mediasoup.Dtls.DtlsState.New)
            MayRunDtls();
        _dtls.ProcessDtlsData(record, Ctx.Loop.NowMs);
        ArmDtlsTimer();
    }

    /// <summary>DTLS finished: SRTP keys for both directions.</summary>
    private void SetSrtpKeys(Srtp.SrtpCryptoSuite suite, ReadOnlySpan<byte> localKeyAndSalt, ReadOnlySpan<byte> remoteKeyAndSalt)
    {
        _srtpSend?.Dispose();
        _srtpRecv?.Dispose();
        _srtpSend = new Srtp.SrtpSession(Srtp.SrtpDirection.Outbound, suite, localKeyAndSalt, Ctx.SrtpEngine);
        _srtpRecv = new Srtp.SrtpSession(Srtp.SrtpDirection.Inbound, suite, remoteKeyAndSalt, Ctx.SrtpEngine);
    }

    /// <summary>Sends a datagram (DTLS, or already protected media) on the selected tuple.</summary>
    private void SendOnSelectedTuple(ReadOnlySpan<byte> data)
    {
        if (_selectedSocket != null)
        {
            _selectedSocket.Send(data, _selectedRemote);
            CountSent(data.Length);
        }
        else if (_selectedTcp != null && _selectedTcp.Send(data))
        {
            CountSent(data.Length);
        }
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
                // The old credentials keep working until the new ones are used (the ICE
                // server reports the added and, later, the removed ufrag).
                _ice!.RestartIce(IceUsernameFragment, IcePassword, Ctx.Loop.NowMs);
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
        if (_dtls != null && RemoteFingerprint is DtlsFingerprint remoteFp)
        {
            if (_dtls.SetRemoteFingerprint(remoteFp))
                MayRunDtls();
            ArmDtlsTimer();
        }
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
            IceSelectedTuple = _ice != null && _ice.TryGetSelectedTuple(out IceTuple sel) ? TupleFbs(sel) : null,
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
            IceSelectedTuple = _ice != null && _ice.TryGetSelectedTuple(out IceTuple sel) ? TupleFbs(sel) : null,
            DtlsState = DtlsState,
        };
        request.Accept(FBS.Response.Body.WebRtcTransport_GetStatsResponse, FBS.WebRtcTransport.GetStatsResponse.Pack(request.Builder, stats).Value);
    }

    public void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote) =>
        ReceiveUdp(socket, buffer, length, remote);

    /// <summary>ICE-TCP (passive): at most this many connections per transport.</summary>
    public const int MaxTcpConnections = 32;
    private readonly Dictionary<int, TcpConnection> _tcpConnections = new();
    private TcpConnection? _selectedTcp;

    /// <summary>Connections without a valid ICE tuple yet expire after this.</summary>
    public const long UnidentifiedTcpTimeoutMs = 10_000;
    // Connections that have not yet sent a STUN request ICE accepted. When every slot is
    // taken, a new connection evicts the oldest of these (never an identified one), so idle
    // connections cannot lock clients out.
    private PendingTcpConnections<TcpConnection>? _unidentifiedTcpSet;
    private PendingTcpConnections<TcpConnection> UnidentifiedTcp =>
        _unidentifiedTcpSet ??= new PendingTcpConnections<TcpConnection>(
            MaxTcpConnections, UnidentifiedTcpTimeoutMs, c => _tcpConnections.Remove(c.Id), Ctx.Loop);

    public bool OnTcpConnection(TcpServer server, int fd, in IpEndpoint remote)
    {
        if (IsClosed)
            return false;
        return AdoptTcpConnection(new TcpConnection(Ctx.Net, fd, server.Local, remote, this));
    }

    /// <summary>Takes a connection over (from our own TCP server, or from a WebRtcServer that
    /// identified us by the first STUN request's username). It stays unidentified until ICE
    /// validates a tuple on it. False (the caller disposes it) only when every slot holds an
    /// identified connection.</summary>
    public bool AdoptTcpConnection(TcpConnection connection)
    {
        // Full: the new one takes the oldest unidentified connection's place.
        if (_tcpConnections.Count >= MaxTcpConnections && !UnidentifiedTcp.EvictOldest())
            return false;
        UnidentifiedTcp.Add(connection);
        connection.SetListener(this);
        _tcpConnections[connection.Id] = connection;
        return true;
    }

    public void OnTcpFrame(TcpConnection connection, Span<byte> frame)
    {
        CountReceived(frame.Length);
        var tuple = new IceTuple(connection.Remote, connection.Id, ListenProtocol.Tcp);
        if (StunMessage.IsStun(frame))
        {
            Span<byte> response = stackalloc byte[IceServer.MaxResponseLength];
            _ice!.ProcessStunPacket(frame, tuple, Ctx.Loop.NowMs, response, out int responseLength);
            if (responseLength > 0)
                connection.Send(response[..responseLength]);
            if (_ice.IsValidTuple(tuple))
                _unidentifiedTcpSet?.Remove(connection);
            ArmIceTimer();
            return;
        }
        if (_ice == null || !_ice.IsValidTuple(tuple))
            return;
        _ice.ForceSelectedTuple(tuple);
        ReceiveMediaOrDtls(frame, frame.Length);
    }

    public void OnTcpConnectionClosed(TcpConnection connection)
    {
        _tcpConnections.Remove(connection.Id);
        _unidentifiedTcpSet?.Remove(connection);
        if (_selectedTcp == connection)
            _selectedTcp = null;
        _ice?.RemoveTuple(new IceTuple(connection.Remote, connection.Id, ListenProtocol.Tcp), Ctx.Loop.NowMs);
        ArmIceTimer();
    }

    /// <summary>Media flows once ICE has a selected tuple and DTLS produced SRTP keys.</summary>
    public override bool IsConnected =>
        _srtpSend != null && (_selectedSocket != null || _selectedTcp != null)
        && IceState is FBS.WebRtcTransport.IceState.CONNECTED or FBS.WebRtcTransport.IceState.COMPLETED;

    public override unsafe void SendRtpPacket(Rtp.RtpPacket packet, in RtpRewrite rewrite)
    {
        if (!IsConnected)
        {
            RtpPacketsNotSent++;
            return;
        }
        // UDP: build straight in the socket's send slot. TCP: in a pooled buffer, framed on send.
        UdpSocket? socket = _selectedSocket;
        byte* pooled = null;
        Span<byte> slot;
        if (socket != null)
        {
            slot = socket.BeginSend();
        }
        else
        {
            pooled = Ctx.Net.Pool.Rent();
            slot = new Span<byte>(pooled, Net.PacketBufferPool.BufferSize);
        }
        try
        {
            Rtp.RtpPacket tx = Ctx.Media.TxPacket;
            if (!packet.CopyTo(slot, tx))
            {
                RtpPacketsNotSent++;
                return;
            }
            rewrite.ApplyTo(tx);
            StampOutgoing(tx);
            int length = tx.Length;
            if (!_srtpSend!.ProtectRtp(slot, ref length))
            {
                RtpPacketsNotSent++;
                return;
            }
            if (socket != null)
                socket.CommitSend(length, _selectedRemote);
            else if (!_selectedTcp!.Send(slot[..length], droppable: true))
            {
                RtpPacketsNotSent++;
                return;
            }
            CountSent(length);
            CountRtpSent(length, rewrite.RtxSsrc != 0);
        }
        finally
        {
            if (pooled != null)
                Ctx.Net.Pool.Return(pooled);
        }
    }

    public override void SendRtcp(ReadOnlySpan<byte> compound)
    {
        if (!IsConnected || compound.Length > 1400)
            return;
        Span<byte> buffer = stackalloc byte[1500];
        compound.CopyTo(buffer);
        int length = compound.Length;
        if (_srtpSend!.ProtectRtcp(buffer, ref length))
            SendOnSelectedTuple(buffer[..length]);
    }

    protected override void CloseSockets()
    {
        foreach (UdpSocket s in _udpSockets)
            s.Dispose();
        _udpSockets.Clear();
        foreach (TcpServer s in _tcpServers)
            s.Dispose();
        _tcpServers.Clear();
        _dtlsTimer?.Stop();
        if (_dtls != null)
        {
            // close_notify still goes out on the selected tuple before the sockets close.
            _dtls.Close();
            _dtls.Dispose();
            _dtls = null;
        }
        _iceTimer?.Stop();
        _ice?.Close();
        _srtpSend?.Dispose();
        _srtpRecv?.Dispose();
        _unidentifiedTcpSet?.Dispose();
        foreach (TcpConnection c in _tcpConnections.Values)
            c.Dispose();
        _tcpConnections.Clear();
        _server?.OnTransportClosed(this);
    }

    protected override void FlushSends() => _selectedSocket?.Flush();
}
