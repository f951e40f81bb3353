using System;
using Mediasoup.Bwe;
using Mediasoup.Rtp;

namespace Mediasoup.Transports;

/// <summary>
/// What a transport tells its senders about the bitrate it can take (REMB,
/// draft-alvestrand-rmcat-remb-03). For producers whose sender negotiated abs-send-time and
/// "goog-remb" but not transport-cc, the incoming bitrate is estimated here
/// (<see cref="RemoteBitrateEstimator"/>) and sent as REMB; senders that run their own
/// estimator on transport-cc feedback get REMB only to carry the transport's max incoming
/// bitrate, which libwebrtc senders take as an upper bound. <see cref="RembSendPolicy"/> says when.
/// </summary>
internal sealed class TransportRembServer
{
    private readonly Transport _transport;
    private readonly RembSendPolicy _policy = new();
    private readonly RemoteStreamSsrcs _ssrcs = new();
    private readonly uint[] _ssrcScratch = new uint[RemoteStreamSsrcs.Capacity];
    private RemoteBitrateEstimator? _estimator;
    private byte _absSendTimeId;
    private bool _rembNegotiated;
    private bool _transportCc;

    public TransportRembServer(Transport transport) => _transport = transport;

    /// <summary>Whether incoming bitrate is estimated here (REMB senders, no transport-cc).</summary>
    public bool Estimating => _rembNegotiated && !_transportCc && _absSendTimeId != 0;

    /// <summary>A producer joined: the transport's abs-send-time id and whether it now gives
    /// transport-cc feedback (that decides between estimating and capping only).</summary>
    public void OnProducer(RtpParameters.RtpParameters parameters, byte absSendTimeId, bool transportCc)
    {
        if (absSendTimeId != 0)
            _absSendTimeId = absSendTimeId;
        _transportCc = transportCc;
        if (parameters.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.AbsSendTime) != 0
            && parameters.Codecs.Exists(c => c.HasFeedback("goog-remb")))
            _rembNegotiated = true;
        if (Estimating)
            _estimator ??= new RemoteBitrateEstimator();
    }

    public void SetMaxIncomingBitrate(long bitrate) => _policy.SetMaxIncomingBitrate(bitrate);

    /// <summary>availableIncomingBitrate in transport stats, as the reference: the estimate
    /// while estimating, 0 with transport-cc senders, absent when neither was negotiated.</summary>
    public ulong? AvailableIncomingBitrate =>
        Estimating ? (ulong)(_estimator?.Estimate ?? 0) : _transportCc ? 0UL : null;

    /// <summary>Every RTP packet the transport received (before the producer lookup).</summary>
    public void OnRtpPacket(RtpPacket packet, long nowUs)
    {
        _ssrcs.Seen(packet.Ssrc, nowUs);
        long nowMs = nowUs / 1000;
        ulong bitrate;
        if (Estimating)
        {
            if (!packet.TryGetExtension(_absSendTimeId, out Span<byte> value) || value.Length < 3)
                return;
            RemoteBitrateEstimator estimator = _estimator!;
            estimator.OnPacket(nowUs, (uint)((value[0] << 16) | (value[1] << 8) | value[2]), packet.Length);
            if (!estimator.HasEstimate || !_policy.ShouldSendEstimate(nowMs, estimator.Estimate, out bitrate))
                return;
        }
        else if (!_policy.ShouldSendLimit(nowMs, out bitrate))
        {
            return;
        }
        Send(bitrate, nowUs);
    }

    private void Send(ulong bitrate, long nowUs)
    {
        if (!_transport.IsConnected)
            return;
        int count = _ssrcs.CopyActive(_ssrcScratch, nowUs);
        Span<byte> buffer = stackalloc byte[Rtcp.Remb.GetSize(RemoteStreamSsrcs.Capacity) + 64];
        var b = new Rtcp.CompoundBuilder(buffer);
        b.AddReceiverReport(Transport.RtcpReporterSsrc);
        if (b.AddRemb(Transport.RtcpReporterSsrc, bitrate, _ssrcScratch.AsSpan(0, count)))
            _transport.SendRtcp(b.Written);
    }
}
