using System;
using Mediasoup.Channel;
using Mediasoup.Net;
using Mediasoup.Rtcp;
using Mediasoup.Rtp;
using Mediasoup.Srtp;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>
/// Router-to-router link (same host or not): plain UDP to a fixed remote given by connect(),
/// optional SRTP with AEAD_AES_256_GCM only, optional RTX. Pipe consumers on it forward every
/// encoding; the remote router's pipe producer receives them.
/// </summary>
internal sealed class PipeTransport : Transport, IUdpSocketListener
{
    private const FBS.SrtpParameters.SrtpCryptoSuite PipeSuite = FBS.SrtpParameters.SrtpCryptoSuite.AEAD_AES_256_GCM;

    private readonly ListenInfo _listenInfo;
    private readonly UdpSocket _udpSocket;
    private TransportTuple? _tuple;
    private SrtpSession? _srtpSend;
    private SrtpSession? _srtpRecv;
    protected override SrtpSession? SrtpInbound => _srtpRecv;
    protected override SrtpSession? SrtpOutbound => _srtpSend;
    private bool _connectCalled;

    public PipeTransport(WorkerContext ctx, ITransportListener listener, string id, FBS.PipeTransport.PipeTransportOptions options)
        : base(ctx, listener, id, options.Base)
    {
        FBS.Transport.ListenInfo li = options.ListenInfo ?? throw new MediasoupTypeError("missing listenInfo");
        if (li.Protocol != FBS.Transport.Protocol.UDP)
            throw new MediasoupTypeError("unsupported listen protocol");
        _listenInfo = ListenInfo.FromFbs(li);
        Rtx = options.EnableRtx;
        if (options.EnableSrtp)
            SrtpKey = Crypto.SecureRandom.Bytes(PlainTransport.SrtpMasterLength(PipeSuite));
        _udpSocket = new UdpSocket(ctx.Net, _listenInfo.Bind(ctx), this);
        try
        {
            CreateSctpAssociation();
            Register();
        }
        catch
        {
            _udpSocket.Dispose();
            throw;
        }
    }

    public bool Rtx { get; }
    public byte[]? SrtpKey { get; }

    protected override bool IsPipe => true;

    public override bool IsConnected => _tuple != null;

    private FBS.SrtpParameters.SrtpParametersT? SrtpParametersToFbs() => SrtpKey == null ? null : new()
    {
        CryptoSuite = PipeSuite,
        KeyBase64 = Convert.ToBase64String(SrtpKey),
    };

    private FBS.Transport.TupleT TupleFbs() =>
        _tuple?.ToFbs() ?? TransportTuple.LocalOnly(_udpSocket.Local, _listenInfo.AnnouncedAddress, ListenProtocol.Udp);

    public override void HandleRequest(ChannelRequest request)
    {
        if (request.Method != FBS.Request.Method.PIPETRANSPORT_CONNECT)
        {
            base.HandleRequest(request);
            return;
        }
        if (_connectCalled)
            throw new MediasoupError("connect() already called");
        var body = request.Body<FBS.PipeTransport.ConnectRequest>(FBS.Request.Body.PipeTransport_ConnectRequest);

        byte[]? remoteKey = null;
        FBS.SrtpParameters.SrtpParameters? srtp = body.SrtpParameters;
        if (SrtpKey == null && srtp != null)
            throw new MediasoupTypeError("invalid srtpParameters (SRTP not enabled)");
        if (SrtpKey != null)
        {
            if (srtp is not FBS.SrtpParameters.SrtpParameters sp)
                throw new MediasoupTypeError("missing srtpParameters (SRTP enabled)");
            if (sp.CryptoSuite != PipeSuite)
                throw new MediasoupTypeError("invalid/unsupported srtpParameters.cryptoSuite");
            try
            {
                remoteKey = Convert.FromBase64String(sp.KeyBase64 ?? "");
            }
            catch (FormatException)
            {
                throw new MediasoupTypeError("invalid decoded SRTP key length");
            }
            if (remoteKey.Length != SrtpKey.Length)
                throw new MediasoupTypeError("invalid decoded SRTP key length");
        }
        string ip = body.Ip ?? throw new MediasoupTypeError("missing ip");
        if (!IpEndpoint.TryParse(ip, 0, out IpEndpoint remote))
            throw new MediasoupTypeError($"invalid IP '{ip}'");
        remote.Port = body.Port ?? throw new MediasoupTypeError("missing port");

        if (remoteKey != null)
        {
            var suite = (Srtp.SrtpCryptoSuite)(byte)PipeSuite;
            _srtpSend = new SrtpSession(SrtpDirection.Outbound, suite, SrtpKey, Ctx.SrtpEngine);
            _srtpRecv = new SrtpSession(SrtpDirection.Inbound, suite, remoteKey, Ctx.SrtpEngine);
        }
        _tuple = new TransportTuple(_udpSocket.Local, remote, ListenProtocol.Udp, _listenInfo.AnnouncedAddress);
        _connectCalled = true;
        MaySctpConnect();
        var response = new FBS.PipeTransport.ConnectResponseT { Tuple = _tuple.ToFbs() };
        request.Accept(FBS.Response.Body.PipeTransport_ConnectResponse, FBS.PipeTransport.ConnectResponse.Pack(request.Builder, response).Value);
    }

    protected override void Dump(ChannelRequest request)
    {
        var dump = new FBS.PipeTransport.DumpResponseT
        {
            Base = BaseDump(),
            Tuple = TupleFbs(),
            Rtx = Rtx,
            SrtpParameters = SrtpParametersToFbs(),
        };
        request.Accept(FBS.Response.Body.PipeTransport_DumpResponse, FBS.PipeTransport.DumpResponse.Pack(request.Builder, dump).Value);
    }

    protected override void GetStats(ChannelRequest request)
    {
        var stats = new FBS.PipeTransport.GetStatsResponseT { Base = BaseStats(), Tuple = TupleFbs() };
        request.Accept(FBS.Response.Body.PipeTransport_GetStatsResponse, FBS.PipeTransport.GetStatsResponse.Pack(request.Builder, stats).Value);
    }

    public void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote)
    {
        if (_tuple == null || !_tuple.Remote.Equals(remote))
            return;
        CountReceived(length);
        ReadOnlySpan<byte> data = buffer[..length];
        if (RtcpHeader.IsRtcp(data))
        {
            if (_srtpRecv == null || _srtpRecv.UnprotectRtcp(buffer[..length], out length))
                ReceiveRtcp(buffer[..length]);
            return;
        }
        if (!RtpPacket.IsRtp(data))
        {
            if (length >= 12 && (length & 3) == 0)
                ReceiveSctpData(data);
            return;
        }
        if (_srtpRecv != null && !_srtpRecv.UnprotectRtp(buffer[..length], out length))
        {
            RtpPacketsDiscarded++;
            return;
        }
        ReceiveRtp(buffer, length);
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
        if (_tuple is TransportTuple tuple)
            SendRtcpOverUdp(_udpSocket, tuple.Remote, compound, _srtpSend);
    }

    protected override void SendSctpData(ReadOnlySpan<byte> packet)
    {
        TransportTuple? tuple = _tuple;
        if (tuple == null)
            return;
        _udpSocket.Send(packet, tuple.Remote);
        CountSent(packet.Length);
    }

    protected override void CloseSockets()
    {
        _udpSocket.Dispose();
        _srtpSend?.Dispose();
        _srtpRecv?.Dispose();
    }

    protected override void FlushSends() => _udpSocket.Flush();
}
