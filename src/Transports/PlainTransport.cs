using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Net;
using Mediasoup.Rtcp;
using Mediasoup.Rtp;
using Mediasoup.Srtp;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>
/// RTP/RTCP (and SCTP) over plain UDP to a fixed remote, or to whoever sends first
/// (comedia). Optional separate RTCP socket and SDES-style SRTP keys exchanged through
/// the host.
/// </summary>
internal sealed class PlainTransport : Transport, IUdpSocketListener
{
    private readonly ListenInfo _listenInfo;
    private readonly ListenInfo? _rtcpListenInfo;
    private readonly UdpSocket _udpSocket;
    private readonly UdpSocket? _rtcpUdpSocket;
    private TransportTuple? _tuple;
    private TransportTuple? _rtcpTuple;
    private bool _connectCalled;
    private SrtpSession? _srtpSend;
    private SrtpSession? _srtpRecv;
    protected override SrtpSession? SrtpInbound => _srtpRecv;
    protected override SrtpSession? SrtpOutbound => _srtpSend;

    public PlainTransport(WorkerContext ctx, ITransportListener listener, string id, FBS.PlainTransport.PlainTransportOptions options)
        : base(ctx, listener, id, options.Base)
    {
        FBS.Transport.ListenInfo li = options.ListenInfo ?? throw new MediasoupTypeError("missing listenInfo");
        if (li.Protocol != FBS.Transport.Protocol.UDP)
            throw new MediasoupTypeError("unsupported listen protocol");
        _listenInfo = ListenInfo.FromFbs(li);
        RtcpMux = options.RtcpMux;
        Comedia = options.Comedia;
        if (!RtcpMux)
        {
            if (options.RtcpListenInfo is FBS.Transport.ListenInfo rli)
            {
                if (rli.Protocol != FBS.Transport.Protocol.UDP)
                    throw new MediasoupTypeError("unsupported RTCP listen protocol");
                _rtcpListenInfo = ListenInfo.FromFbs(rli);
            }
            else
            {
                _rtcpListenInfo = _listenInfo;
            }
        }
        if (options.EnableSrtp)
        {
            FBS.SrtpParameters.SrtpCryptoSuite suite = options.SrtpCryptoSuite
                ?? throw new MediasoupTypeError("missing srtpCryptoSuite");
            SrtpCryptoSuite = suite;
            SrtpKey = GenerateSrtpKey(suite);
        }

        PortManager.Binding binding = _listenInfo.Bind(ctx);
        _udpSocket = new UdpSocket(ctx.Net, binding, this);
        try
        {
            if (_rtcpListenInfo != null)
                _rtcpUdpSocket = new UdpSocket(ctx.Net, _rtcpListenInfo.Bind(ctx), this);
            CreateSctpAssociation();
            Register();
        }
        catch
        {
            _udpSocket.Dispose();
            _rtcpUdpSocket?.Dispose();
            throw;
        }
    }

    public bool RtcpMux { get; }
    public bool Comedia { get; }
    public FBS.SrtpParameters.SrtpCryptoSuite? SrtpCryptoSuite { get; private set; }
    public byte[]? SrtpKey { get; private set; }

    /// <summary>Key + salt length per suite (RFC 3711 / RFC 7714).</summary>
    public static int SrtpMasterLength(FBS.SrtpParameters.SrtpCryptoSuite suite) => suite switch
    {
        FBS.SrtpParameters.SrtpCryptoSuite.AEAD_AES_256_GCM => 44,
        FBS.SrtpParameters.SrtpCryptoSuite.AEAD_AES_128_GCM => 28,
        _ => 30,
    };

    private static byte[] GenerateSrtpKey(FBS.SrtpParameters.SrtpCryptoSuite suite) =>
        Crypto.SecureRandom.Bytes(SrtpMasterLength(suite));

    private FBS.SrtpParameters.SrtpParametersT? SrtpParametersToFbs() =>
        SrtpKey == null ? null : new FBS.SrtpParameters.SrtpParametersT
        {
            CryptoSuite = SrtpCryptoSuite!.Value,
            KeyBase64 = Convert.ToBase64String(SrtpKey),
        };

    public override void HandleRequest(ChannelRequest request)
    {
        if (request.Method == FBS.Request.Method.PLAINTRANSPORT_CONNECT)
        {
            Connect(request);
            return;
        }
        base.HandleRequest(request);
    }

    private void Connect(ChannelRequest request)
    {
        if (_connectCalled)
            throw new MediasoupError("connect() already called");
        var body = request.Body<FBS.PlainTransport.ConnectRequest>(FBS.Request.Body.PlainTransport_ConnectRequest);

        byte[]? remoteKey = null;
        FBS.SrtpParameters.SrtpCryptoSuite? newSuite = null;
        FBS.SrtpParameters.SrtpParameters? srtp = body.SrtpParameters;
        if (srtp != null && SrtpKey == null)
            throw new MediasoupTypeError("invalid srtpParameters (SRTP not enabled)");
        if (SrtpKey != null)
        {
            if (srtp is not FBS.SrtpParameters.SrtpParameters sp)
                throw new MediasoupTypeError("missing srtpParameters (SRTP enabled)");
            newSuite = sp.CryptoSuite;
            if (newSuite > FBS.SrtpParameters.SrtpCryptoSuite.AES_CM_128_HMAC_SHA1_32)
                throw new MediasoupTypeError("invalid/unsupported SRTP crypto suite");
            try
            {
                remoteKey = Convert.FromBase64String(sp.KeyBase64 ?? "");
            }
            catch (FormatException)
            {
                throw new MediasoupTypeError("invalid decoded SRTP key length");
            }
            if (remoteKey.Length != SrtpMasterLength(newSuite.Value))
                throw new MediasoupTypeError("invalid decoded SRTP key length");
        }

        TransportTuple? tuple = null, rtcpTuple = null;
        if (!Comedia)
        {
            string ip = body.Ip ?? throw new MediasoupTypeError("missing ip");
            if (!IpEndpoint.TryParse(ip, 0, out IpEndpoint remote))
                throw new MediasoupTypeError($"invalid IP '{ip}'");
            ushort port = body.Port ?? throw new MediasoupTypeError("missing port");
            remote.Port = port;
            ushort? rtcpPort = body.RtcpPort;
            if (rtcpPort.HasValue && RtcpMux)
                throw new MediasoupTypeError("cannot set rtcpPort with rtcpMux enabled");
            if (!rtcpPort.HasValue && !RtcpMux)
                throw new MediasoupTypeError("missing rtcpPort (required with rtcpMux disabled)");
            tuple = new TransportTuple(_udpSocket.Local, remote, ListenProtocol.Udp, _listenInfo.AnnouncedAddress);
            if (!RtcpMux)
            {
                IpEndpoint rtcpRemote = remote;
                rtcpRemote.Port = rtcpPort!.Value;
                rtcpTuple = new TransportTuple(_rtcpUdpSocket!.Local, rtcpRemote, ListenProtocol.Udp, _rtcpListenInfo!.AnnouncedAddress);
            }
        }

        // Everything validated: commit.
        if (newSuite.HasValue && newSuite != SrtpCryptoSuite)
        {
            SrtpCryptoSuite = newSuite;
            SrtpKey = GenerateSrtpKey(newSuite.Value);
        }
        RemoteSrtpKey = remoteKey;
        if (remoteKey != null)
        {
            var suite = (Srtp.SrtpCryptoSuite)(byte)SrtpCryptoSuite!.Value;
            try
            {
                _srtpSend = new SrtpSession(SrtpDirection.Outbound, suite, SrtpKey, Ctx.SrtpEngine);
                _srtpRecv = new SrtpSession(SrtpDirection.Inbound, suite, remoteKey, Ctx.SrtpEngine);
            }
            catch (Exception ex)
            {
                _srtpSend?.Dispose();
                _srtpSend = null;
                throw new MediasoupError($"error creating SRTP sessions: {ex.Message}");
            }
        }
        _tuple = tuple;
        _rtcpTuple = rtcpTuple;
        _connectCalled = true;

        MaySctpConnect();
        var response = new FBS.PlainTransport.ConnectResponseT
        {
            Tuple = _tuple?.ToFbs(),
            RtcpTuple = !RtcpMux ? _rtcpTuple?.ToFbs() : null,
            SrtpParameters = SrtpParametersToFbs(),
        };
        request.Accept(FBS.Response.Body.PlainTransport_ConnectResponse, FBS.PlainTransport.ConnectResponse.Pack(request.Builder, response).Value);
    }

    /// <summary>The remote's SRTP key+salt once connect() supplied it.</summary>
    public byte[]? RemoteSrtpKey { get; private set; }

    private FBS.Transport.TupleT TupleFbs() =>
        _tuple?.ToFbs() ?? TransportTuple.LocalOnly(_udpSocket.Local, _listenInfo.AnnouncedAddress, ListenProtocol.Udp);

    private FBS.Transport.TupleT? RtcpTupleFbs() =>
        RtcpMux ? null : _rtcpTuple?.ToFbs() ?? TransportTuple.LocalOnly(_rtcpUdpSocket!.Local, _rtcpListenInfo!.AnnouncedAddress, ListenProtocol.Udp);

    protected override void Dump(ChannelRequest request)
    {
        var dump = new FBS.PlainTransport.DumpResponseT
        {
            Base = BaseDump(),
            RtcpMux = RtcpMux,
            Comedia = Comedia,
            Tuple = TupleFbs(),
            RtcpTuple = RtcpTupleFbs(),
            SrtpParameters = SrtpParametersToFbs(),
        };
        request.Accept(FBS.Response.Body.PlainTransport_DumpResponse, FBS.PlainTransport.DumpResponse.Pack(request.Builder, dump).Value);
    }

    protected override void GetStats(ChannelRequest request)
    {
        var stats = new FBS.PlainTransport.GetStatsResponseT
        {
            Base = BaseStats(),
            RtcpMux = RtcpMux,
            Comedia = Comedia,
            Tuple = TupleFbs(),
            RtcpTuple = RtcpTupleFbs(),
        };
        request.Accept(FBS.Response.Body.PlainTransport_GetStatsResponse, FBS.PlainTransport.GetStatsResponse.Pack(request.Builder, stats).Value);
    }

    public override bool IsConnected => _tuple != null;

    public void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote)
    {
        CountReceived(length);
        ReadOnlySpan<byte> data = buffer[..length];
        bool onRtcpSocket = socket == _rtcpUdpSocket;
        if (RtcpHeader.IsRtcp(data))
        {
            TransportTuple? expected = onRtcpSocket ? _rtcpTuple : _tuple;
            if (expected != null ? !expected.Remote.Equals(remote) : !Comedia)
                return;
            if (_srtpRecv != null && !_srtpRecv.UnprotectRtcp(buffer[..length], out length))
                return;
            if (expected == null)
                LatchTuple(socket, remote, rtcp: onRtcpSocket);
            ReceiveRtcp(buffer[..length]);
            return;
        }
        if (onRtcpSocket)
            return;
        if (!RtpPacket.IsRtp(data))
        {
            // SCTP in plain UDP (RFC 6951 without the UDP encapsulation port dance).
            if (Sctp == null || length < 12 || (length & 3) != 0)
                return;
            if (_tuple != null ? !_tuple.Remote.Equals(remote) : !Comedia)
                return;
            if (_tuple == null)
                LatchTuple(socket, remote, rtcp: false);
            ReceiveSctpData(data);
            return;
        }
        if (_tuple != null ? !_tuple.Remote.Equals(remote) : !Comedia)
            return;
        if (_srtpRecv != null && !_srtpRecv.UnprotectRtp(buffer[..length], out length))
        {
            RtpPacketsDiscarded++;
            return;
        }
        if (_tuple == null)
            LatchTuple(socket, remote, rtcp: false);
        ReceiveRtp(buffer, length);
    }

    /// <summary>comedia: the first valid packet fixes where we send to.</summary>
    private void LatchTuple(UdpSocket socket, in IpEndpoint remote, bool rtcp)
    {
        var tuple = new TransportTuple(socket.Local, remote, ListenProtocol.Udp,
            rtcp ? _rtcpListenInfo!.AnnouncedAddress : _listenInfo.AnnouncedAddress);
        var b = Ctx.Channel.BeginNotification();
        if (rtcp)
        {
            _rtcpTuple = tuple;
            int off = FBS.PlainTransport.RtcpTupleNotification.Pack(b, new FBS.PlainTransport.RtcpTupleNotificationT { Tuple = tuple.ToFbs() }).Value;
            Ctx.Channel.SendNotification(Id, FBS.Notification.Event.PLAINTRANSPORT_RTCP_TUPLE, FBS.Notification.Body.PlainTransport_RtcpTupleNotification, off);
        }
        else
        {
            _tuple = tuple;
            int off = FBS.PlainTransport.TupleNotification.Pack(b, new FBS.PlainTransport.TupleNotificationT { Tuple = tuple.ToFbs() }).Value;
            Ctx.Channel.SendNotification(Id, FBS.Notification.Event.PLAINTRANSPORT_TUPLE, FBS.Notification.Body.PlainTransport_TupleNotification, off);
            // With rtcp-mux the RTCP tuple is the same one.
            if (RtcpMux)
                _rtcpTuple = tuple;
            MaySctpConnect();
        }
    }

    protected override void SendSctpData(ReadOnlySpan<byte> packet)
    {
        TransportTuple? tuple = _tuple;
        if (tuple == null)
            return;
        _udpSocket.Send(packet, tuple.Remote);
        CountSent(packet.Length);
    }

    public override void SendRtpPacket(RtpPacket packet, in RtpRewrite rewrite)
    {
        if (_tuple is TransportTuple tuple)
            SendRtpOverUdp(_udpSocket, tuple.Remote, packet, rewrite, _srtpSend);
        else
            RtpPacketsNotSent++;
    }

    public override void SendRtcp(ReadOnlySpan<byte> compound)
    {
        TransportTuple? tuple = RtcpMux ? _tuple : _rtcpTuple;
        if (tuple != null)
            SendRtcpOverUdp(RtcpMux ? _udpSocket : _rtcpUdpSocket!, tuple.Remote, compound, _srtpSend);
    }

    protected override void CloseSockets()
    {
        _udpSocket.Dispose();
        _rtcpUdpSocket?.Dispose();
        _srtpSend?.Dispose();
        _srtpRecv?.Dispose();
    }

    protected override void FlushSends() => _udpSocket.Flush();
}
