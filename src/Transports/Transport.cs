using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Consumers;
using Mediasoup.Loop;
using Mediasoup.Net;
using Mediasoup.Producers;
using Mediasoup.Rtp;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>
/// What every transport kind shares: producers and consumers, the RTP listener, bitrate
/// limits, trace settings, SCTP options, and the common parts of dump and stats. Data
/// producers, data consumers and the SCTP association live in <see cref="TransportDataChannels"/>.
/// Kinds add their own sockets, connect() and dump/stats sections.
/// </summary>
internal abstract partial class Transport : IRequestHandler, INotificationHandler, IProducerListener, IConsumerListener, IDataChannelsOwner
{
    /// <summary>Bitrate limits (bps) accepted by the set*Bitrate requests.</summary>
    public const ulong AbsoluteMaxBitrate = long.MaxValue - 1;
    public const long AbsoluteMinOutgoingBitrate = 30000;

    protected readonly WorkerContext Ctx;
    protected readonly ITransportListener Listener;
    private readonly Dictionary<string, Producer> _producers = new();
    private readonly Dictionary<string, Consumer> _consumers = new();
    private readonly Dictionary<uint, Consumer> _ssrcConsumers = new();
    private readonly Dictionary<uint, Consumer> _rtxSsrcConsumers = new();
    private readonly List<FBS.Transport.TraceEventType> _traceEventTypes = new();
    private bool _closed;

    /// <summary>Close has run.</summary>
    protected bool IsClosed => _closed;

    protected Transport(WorkerContext ctx, ITransportListener listener, string id, FBS.Transport.Options? options)
    {
        Ctx = ctx;
        Listener = listener;
        Id = id;
        _data = new TransportDataChannels(ctx, this);
        _remb = new TransportRembServer(this);
        if (options is FBS.Transport.Options o)
        {
            Direct = o.Direct;
            InitialAvailableOutgoingBitrate = o.InitialAvailableOutgoingBitrate;
            MaxMessageSize = o.MaxSendMessageSize;
            MaxReceiveMessageSize = o.MaxReceiveMessageSize;
            if (o.EnableSctp)
            {
                if (Direct)
                    throw new MediasoupTypeError("cannot enable SCTP in a direct Transport");
                Sctp = new SctpOptions(
                    o.MaxReceiveMessageSize, o.MaxSendMessageSize, o.SctpSendBufferSize, o.SctpPerStreamSendQueueLimit,
                    o.SctpMaxReceiverWindowBufferSize, o.SctpDefaultStreamBufferedAmountLowThreshold, o.IsDataChannel);
            }
        }
    }

    /// <summary>SCTP settings when enabled (the association itself comes with DataChannels).</summary>
    public sealed record SctpOptions(uint MaxReceiveMessageSize, uint MaxSendMessageSize, uint SendBufferSize,
        uint PerStreamSendQueueLimit, uint MaxReceiverWindowBufferSize, uint DefaultBufferedAmountLowThreshold,
        bool IsDataChannel);

    public string Id { get; }
    public bool Direct { get; }
    public ulong? InitialAvailableOutgoingBitrate { get; }
    public uint MaxMessageSize { get; }
    public uint MaxReceiveMessageSize { get; }
    public SctpOptions? Sctp { get; }
    public long MaxIncomingBitrate { get; private set; }
    public long MaxOutgoingBitrate { get; private set; }
    public long MinOutgoingBitrate { get; private set; }
    public RtpListener RtpListener { get; } = new();

    // Header extension ids used on receive, from the producers (reported in dumps).
    private byte _recvMidId, _recvRidId, _recvRridId, _recvAbsSendTimeId, _recvTransportWideCc01Id;

    /// <summary>Packets dropped on receive: malformed, unknown SSRC/MID/RID, unknown payload type.</summary>
    public ulong RtpPacketsDiscarded { get; protected set; }

    /// <summary>Packets that could not be sent (not connected, no room, encryption failed).</summary>
    public ulong RtpPacketsNotSent { get; protected set; }

    public IReadOnlyDictionary<string, Producer> Producers => _producers;
    public IReadOnlyDictionary<string, Consumer> Consumers => _consumers;

    // Transport-level traffic: all bytes, and RTP (media and retransmissions) apart.
    private readonly Rtp.Streams.RateCalculator _recvRate = new();
    private readonly Rtp.Streams.RateCalculator _sendRate = new();
    private readonly Rtp.Streams.RateCalculator _rtpRecvRate = new();
    private readonly Rtp.Streams.RateCalculator _rtpSendRate = new();
    private readonly Rtp.Streams.RateCalculator _rtxSendRate = new();

    public ulong BytesReceived { get; private set; }
    public ulong BytesSent { get; private set; }
    public ulong RtpBytesReceived { get; private set; }
    public ulong RtpBytesSent { get; private set; }
    public ulong RtxBytesSent { get; private set; }

    protected void CountReceived(int bytes)
    {
        BytesReceived += (ulong)bytes;
        _recvRate.Update(bytes, Ctx.Loop.NowMs);
    }

    protected void CountSent(int bytes)
    {
        BytesSent += (ulong)bytes;
        _sendRate.Update(bytes, Ctx.Loop.NowMs);
    }

    private void CountRtpReceived(int bytes)
    {
        RtpBytesReceived += (ulong)bytes;
        _rtpRecvRate.Update(bytes, Ctx.Loop.NowMs);
    }

    /// <summary>Kinds call this for each RTP packet they sent.</summary>
    protected void CountRtpSent(int bytes, bool isRtx)
    {
        if (isRtx)
        {
            RtxBytesSent += (ulong)bytes;
            _rtxSendRate.Update(bytes, Ctx.Loop.NowMs);
        }
        else
        {
            RtpBytesSent += (ulong)bytes;
            _rtpSendRate.Update(bytes, Ctx.Loop.NowMs);
        }
    }

    /// <summary>Registers the handlers; kinds call it last in their constructor, after all
    /// checks, so a failed creation leaves nothing behind.</summary>
    protected void Register()
    {
        Ctx.Registry.Register(Id, this, this);
        StartRtcpTimer();
    }

    public virtual void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.TRANSPORT_DUMP:
                Dump(request);
                break;

            case FBS.Request.Method.TRANSPORT_GET_STATS:
                GetStats(request);
                break;

            case FBS.Request.Method.TRANSPORT_SET_MAX_INCOMING_BITRATE:
            {
                var body = request.Body<FBS.Transport.SetMaxIncomingBitrateRequest>(FBS.Request.Body.Transport_SetMaxIncomingBitrateRequest);
                CheckMaxBitrate(body.MaxIncomingBitrate);
                MaxIncomingBitrate = (long)body.MaxIncomingBitrate;
                _remb.SetMaxIncomingBitrate(MaxIncomingBitrate);
                request.Accept();
                break;
            }

            case FBS.Request.Method.TRANSPORT_SET_MAX_OUTGOING_BITRATE:
            {
                var body = request.Body<FBS.Transport.SetMaxOutgoingBitrateRequest>(FBS.Request.Body.Transport_SetMaxOutgoingBitrateRequest);
                CheckMaxBitrate(body.MaxOutgoingBitrate);
                long bitrate = (long)body.MaxOutgoingBitrate;
                if (bitrate > 0 && bitrate < AbsoluteMinOutgoingBitrate)
                    throw new MediasoupTypeError($"bitrate must be >= {AbsoluteMinOutgoingBitrate} or 0 (unlimited)");
                if (bitrate > 0 && bitrate < MinOutgoingBitrate)
                    throw new MediasoupTypeError($"bitrate must be >= current min outgoing bitrate ({MinOutgoingBitrate}) or 0 (unlimited)");
                MaxOutgoingBitrate = bitrate;
                OnOutgoingBitrateBounds();
                request.Accept();
                break;
            }

            case FBS.Request.Method.TRANSPORT_SET_MIN_OUTGOING_BITRATE:
            {
                var body = request.Body<FBS.Transport.SetMinOutgoingBitrateRequest>(FBS.Request.Body.Transport_SetMinOutgoingBitrateRequest);
                CheckMaxBitrate(body.MinOutgoingBitrate);
                long bitrate = (long)body.MinOutgoingBitrate;
                if (bitrate > 0 && bitrate < AbsoluteMinOutgoingBitrate)
                    throw new MediasoupTypeError($"bitrate must be >= {AbsoluteMinOutgoingBitrate} or 0 (unlimited)");
                if (bitrate > 0 && MaxOutgoingBitrate > 0 && bitrate > MaxOutgoingBitrate)
                    throw new MediasoupTypeError($"bitrate must be <= current max outgoing bitrate ({MaxOutgoingBitrate}) or 0 (unlimited)");
                MinOutgoingBitrate = bitrate;
                OnOutgoingBitrateBounds();
                request.Accept();
                break;
            }

            case FBS.Request.Method.TRANSPORT_PRODUCE:
                Produce(request);
                break;

            case FBS.Request.Method.TRANSPORT_CONSUME:
                Consume(request);
                break;

            case FBS.Request.Method.TRANSPORT_ENABLE_TRACE_EVENT:
            {
                var body = request.Body<FBS.Transport.EnableTraceEventRequest>(FBS.Request.Body.Transport_EnableTraceEventRequest);
                _traceEventTypes.Clear();
                // The dump lists them in a fixed order: probation, bwe.
                bool probation = false, bwe = false;
                for (int i = 0; i < body.EventsLength; i++)
                {
                    FBS.Transport.TraceEventType t = body.Events(i);
                    probation |= t == FBS.Transport.TraceEventType.PROBATION;
                    bwe |= t == FBS.Transport.TraceEventType.BWE;
                }
                if (probation)
                    _traceEventTypes.Add(FBS.Transport.TraceEventType.PROBATION);
                if (bwe)
                    _traceEventTypes.Add(FBS.Transport.TraceEventType.BWE);
                request.Accept();
                break;
            }

            case FBS.Request.Method.TRANSPORT_CLOSE_PRODUCER:
            {
                var body = request.Body<FBS.Transport.CloseProducerRequest>(FBS.Request.Body.Transport_CloseProducerRequest);
                string id = body.ProducerId ?? "";
                if (!_producers.TryGetValue(id, out Producer? producer))
                    throw new MediasoupNotFoundError($"Producer not found [method:{request.MethodName}]");
                RemoveProducer(producer);
                request.Accept();
                break;
            }

            case FBS.Request.Method.TRANSPORT_CLOSE_CONSUMER:
            {
                var body = request.Body<FBS.Transport.CloseConsumerRequest>(FBS.Request.Body.Transport_CloseConsumerRequest);
                string id = body.ConsumerId ?? "";
                if (!_consumers.TryGetValue(id, out Consumer? consumer))
                    throw new MediasoupNotFoundError($"Consumer not found [method:{request.MethodName}]");
                RemoveConsumer(consumer);
                Listener.OnTransportConsumerClosed(this, consumer);
                request.Accept();
                break;
            }

            default:
                if (!_data.TryHandleRequest(request))
                    throw new MediasoupError($"unknown method '{request.MethodName}'");
                break;
        }
    }

    /// <summary>Creation requests are answered with the new transport's dump.</summary>
    public void AcceptCreation(ChannelRequest request) => Dump(request);

    public virtual void HandleNotification(ChannelNotification notification) =>
        throw new MediasoupError($"unknown event '{notification.Event}'");

    private static void CheckMaxBitrate(ulong bitrate)
    {
        if (bitrate > AbsoluteMaxBitrate)
            throw new MediasoupTypeError($"bitrate must be <= {AbsoluteMaxBitrate} or 0 (unlimited)");
    }

    private void Produce(ChannelRequest request)
    {
        var body = request.Body<FBS.Transport.ProduceRequest>(FBS.Request.Body.Transport_ProduceRequest);
        string producerId = body.ProducerId ?? throw new MediasoupTypeError("missing producerId");
        if (_producers.ContainsKey(producerId))
            throw new MediasoupError($"a Producer with same producerId already exists [method:{request.MethodName}]");

        var producer = new Producer(Ctx, this, body);
        try
        {
            RtpListener.AddProducer(producer);
        }
        catch
        {
            producer.Close();
            throw;
        }
        try
        {
            Listener.OnTransportNewProducer(this, producer);
        }
        catch
        {
            RtpListener.RemoveProducer(producer);
            producer.Close();
            throw;
        }
        _producers.Add(producerId, producer);

        RtpParameters.RtpParameters p = producer.RtpParameters;
        SetIfPresent(ref _recvMidId, p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.Mid));
        SetIfPresent(ref _recvRidId, p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.RtpStreamId));
        SetIfPresent(ref _recvRridId, p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.RepairRtpStreamId));
        SetIfPresent(ref _recvAbsSendTimeId, p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.AbsSendTime));
        SetIfPresent(ref _recvTransportWideCc01Id, p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.TransportWideCcDraft01));
        // Feedback only when the sender asked for it (the extension and "transport-cc" in a codec), as the reference.
        if (p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.TransportWideCcDraft01) != 0
            && p.Codecs.Exists(c => c.HasFeedback("transport-cc")))
            _sendTransportCcFeedback = true;
        _remb.OnProducer(p, _recvAbsSendTimeId, _sendTransportCcFeedback);

        var response = new FBS.Transport.ProduceResponseT { Type = (FBS.RtpParameters.Type)producer.Type };
        request.Accept(FBS.Response.Body.Transport_ProduceResponse, FBS.Transport.ProduceResponse.Pack(request.Builder, response).Value);
    }

    private static void SetIfPresent(ref byte field, byte value)
    {
        if (value != 0)
            field = value;
    }

    private void Consume(ChannelRequest request)
    {
        var body = request.Body<FBS.Transport.ConsumeRequest>(FBS.Request.Body.Transport_ConsumeRequest);
        string consumerId = body.ConsumerId ?? throw new MediasoupTypeError("missing consumerId");
        if (_consumers.ContainsKey(consumerId))
            throw new MediasoupError($"a Consumer with same consumerId already exists [method:{request.MethodName}]");
        Producer producer = Listener.GetProducerForConsumer(body.ProducerId ?? "");

        var consumer = new Consumer(Ctx, this, body);
        try
        {
            Listener.OnTransportNewConsumer(this, consumer, producer);
        }
        catch
        {
            consumer.Close();
            throw;
        }
        _consumers.Add(consumerId, consumer);
        foreach (uint ssrc in consumer.MediaSsrcs)
            _ssrcConsumers[ssrc] = consumer;
        foreach (uint ssrc in consumer.RtxSsrcs)
            _rtxSsrcConsumers[ssrc] = consumer;
        MayCreateOutgoingBandwidth(consumer);
        OnConsumerNeedsBitrate(consumer);

        var response = new FBS.Transport.ConsumeResponseT
        {
            Paused = consumer.Paused,
            ProducerPaused = consumer.ProducerPaused,
            Score = consumer.ScoreToFbs(),
            PreferredLayers = consumer.PreferredLayersToFbs(),
        };
        request.Accept(FBS.Response.Body.Transport_ConsumeResponse, FBS.Transport.ConsumeResponse.Pack(request.Builder, response).Value);
    }

    // ---- data producers and consumers, SCTP association (TransportDataChannels) ----

    private readonly TransportDataChannels _data;

    Transport IDataChannelsOwner.Transport => this;

    ITransportListener IDataChannelsOwner.Listener => Listener;

    bool IDataChannelsOwner.IsPipe => IsPipe;

    void IDataChannelsOwner.SendSctpPacket(ReadOnlySpan<byte> packet) => SendSctpData(packet);

    /// <summary>PipeTransports carry subchannel-encoded messages between routers.</summary>
    protected virtual bool IsPipe => false;

    /// <summary>Creates the association when SCTP is enabled (kinds call it after binding).</summary>
    protected void CreateSctpAssociation() => _data.CreateSctpAssociation();

    protected Sctp.SctpAssociationState SctpState => _data.SctpState;

    /// <summary>An SCTP packet from the peer (over DTLS, UDP or TCP).</summary>
    protected void ReceiveSctpData(ReadOnlySpan<byte> packet) => _data.ReceiveSctpData(packet);

    /// <summary>Opens the association as client once connected and data channels exist.</summary>
    protected void MaySctpConnect() => _data.MaySctpConnect();

    /// <summary>Kinds carry SCTP packets: DTLS application data, or plain datagrams.</summary>
    protected abstract void SendSctpData(ReadOnlySpan<byte> packet);

    /// <summary>The transport's SRTP sessions, if it has them: the per-SSRC state (replay
    /// window, rollover counter) of a closed producer or consumer is dropped with it, so
    /// consumer churn does not grow a long-lived transport and an SSRC that comes back (a
    /// re-created pipe consumer) starts afresh instead of against a stale replay window.</summary>
    protected virtual Srtp.SrtpSession? SrtpInbound => null;
    protected virtual Srtp.SrtpSession? SrtpOutbound => null;

    private readonly List<uint> _closingSsrcs = new();

    private void RemoveProducer(Producer producer)
    {
        _producers.Remove(producer.Id);
        if (SrtpInbound is Srtp.SrtpSession inbound)
        {
            _closingSsrcs.Clear();
            RtpListener.CollectSsrcs(producer, _closingSsrcs);
            foreach (uint ssrc in _closingSsrcs)
                inbound.RemoveStream(ssrc);
        }
        RtpListener.RemoveProducer(producer);
        producer.Close();
        Listener.OnTransportProducerClosed(this, producer);
    }

    private void RemoveConsumer(Consumer consumer)
    {
        _consumers.Remove(consumer.Id);
        Srtp.SrtpSession? outbound = SrtpOutbound;
        foreach (uint ssrc in consumer.MediaSsrcs)
        {
            _ssrcConsumers.Remove(ssrc);
            outbound?.RemoveStream(ssrc);
        }
        foreach (uint ssrc in consumer.RtxSsrcs)
        {
            _rtxSsrcConsumers.Remove(ssrc);
            outbound?.RemoveStream(ssrc);
        }
        consumer.Close();
        _outgoing?.RequestAllocation();
    }

    // ---- media ----

    /// <summary>Whether media may be sent (a remote is known).</summary>
    public abstract bool IsConnected { get; }

    private bool _connectedNotified;

    /// <summary>Tells the consumers when media can (no longer) flow: on disconnection they stop
    /// and report no layers; on (re)connection they start again from a key frame.</summary>
    protected void UpdateConnected()
    {
        bool connected = IsConnected;
        if (connected == _connectedNotified)
            return;
        _connectedNotified = connected;
        foreach (Consumer c in _consumers.Values)
        {
            if (connected)
                c.OnTransportConnected();
            else
                c.OnTransportDisconnected();
        }
    }

    /// <summary>An RTP packet received (decrypted) on this transport, in place in a buffer of
    /// the given capacity. Routes it to its Producer and on to the Producer's consumers.</summary>
    protected void ReceiveRtp(Span<byte> buffer, int length)
    {
        RtpPacket packet = Ctx.Media.RxPacket;
        if (!packet.TryParse(buffer, length))
        {
            RtpPacketsDiscarded++;
            return;
        }
        CountRtpReceived(length);
        if (_sendTransportCcFeedback)
            FeedTransportCc(packet);
        _remb.OnRtpPacket(packet, Ctx.Loop.NowUs);
        // Transport-level ids to read MID/RID for the lookup; the producer sets its own after.
        packet.ExtensionIds = new HeaderExtensionIds { Mid = _recvMidId, Rid = _recvRidId, Rrid = _recvRridId };
        Producer? producer = FindProducer(packet);
        if (producer == null)
        {
            RtpPacketsDiscarded++;
            return;
        }
        if (!producer.ReceiveRtpPacket(packet, out Codecs.LayerInfo layers))
            return;
        List<Consumer> consumers = producer.Consumers;
        try
        {
            for (int i = 0; i < consumers.Count; i++)
                consumers[i].SendRtpPacket(packet, layers);
        }
        finally
        {
            // Drop the fan-out's own reference to the shared stored copy (consumers keep theirs).
            Ctx.Media.ReleaseCurrent(Ctx.Net.Pool);
        }
    }

    // ---- transport-wide congestion control feedback (the receive side of the sender's BWE) ----

    private bool _sendTransportCcFeedback;
    private Rtcp.TransportCcFeedbackGenerator? _tccFeedback;
    private LoopTimer? _tccTimer;
    private Action<ReadOnlyMemory<byte>>? _sendFeedback;

    private void FeedTransportCc(RtpPacket packet)
    {
        if (!packet.TryGetExtension(_recvTransportWideCc01Id, out Span<byte> value) || value.Length < 2)
            return;
        if (_tccFeedback == null)
        {
            _tccFeedback = new Rtcp.TransportCcFeedbackGenerator(RtcpReporterSsrc);
            _sendFeedback = SendFeedback;
            _tccTimer = Ctx.Loop.CreateTimer(() => _tccFeedback.OnInterval(_sendFeedback));
            _tccTimer.Start(Rtcp.TransportCcFeedbackGenerator.IntervalMs, Rtcp.TransportCcFeedbackGenerator.IntervalMs);
        }
        ushort wideSeq = (ushort)((value[0] << 8) | value[1]);
        _tccFeedback.OnPacket(packet.Ssrc, wideSeq, Ctx.Loop.NowUs, _sendFeedback!);
    }

    private void SendFeedback(ReadOnlyMemory<byte> compound)
    {
        if (IsConnected)
            SendRtcp(compound.Span);
    }

    private Producer? FindProducer(RtpPacket packet)
    {
        uint ssrc = packet.Ssrc;
        Producer? producer = RtpListener.GetBySsrc(ssrc);
        if (producer != null)
            return producer;
        if (packet.TryReadMid(out ReadOnlySpan<byte> mid) && mid.Length > 0)
        {
            producer = RtpListener.GetByMid(System.Text.Encoding.UTF8.GetString(mid));
            if (producer != null)
            {
                RtpListener.Learn(ssrc, producer);
                return producer;
            }
        }
        ReadOnlySpan<byte> rid;
        if ((packet.TryReadRid(out rid) || packet.TryReadRrid(out rid)) && rid.Length > 0)
        {
            producer = RtpListener.GetByRid(System.Text.Encoding.UTF8.GetString(rid));
            if (producer != null)
            {
                RtpListener.Learn(ssrc, producer);
                return producer;
            }
        }
        return null;
    }

    /// <summary>Decrypted RTCP from the remote endpoint: key frame requests for our consumers
    /// go to their producers. (Reports, NACK and bandwidth feedback: with the stream stats.)</summary>
    protected void ReceiveRtcp(ReadOnlySpan<byte> compound)
    {
        var reader = new Rtcp.RtcpCompoundReader(compound);
        if (reader.Error != Rtcp.RtcpError.None)
        {
            RtcpPacketsDiscarded++;
            return;
        }
        long nowUs = Ctx.Loop.NowUs;
        foreach (Rtcp.RtcpPacket packet in reader)
        {
            switch (packet.Type)
            {
                case Rtcp.RtcpPacketType.PSFB:
                    if (packet.Count == Rtcp.PsFeedbackFmt.Pli && Rtcp.Pli.TryRead(packet, out Rtcp.Pli pli))
                    {
                        if (_ssrcConsumers.TryGetValue(pli.MediaSsrc, out Consumer? c))
                            c.ReceiveKeyFrameRequest(fir: false, pli.MediaSsrc);
                    }
                    else if (packet.Count == Rtcp.PsFeedbackFmt.Fir && Rtcp.Fir.TryRead(packet, out Rtcp.Fir fir))
                    {
                        for (int i = 0; i < fir.EntryCount; i++)
                        {
                            uint target = fir.GetEntry(i).Ssrc;
                            if (_ssrcConsumers.TryGetValue(target, out Consumer? c))
                                c.ReceiveKeyFrameRequest(fir: true, target);
                        }
                    }
                    else
                    {
                        ReceiveOutgoingFeedback(packet, nowUs);
                    }
                    break;

                case Rtcp.RtcpPacketType.RTPFB:
                    if (packet.Count == Rtcp.RtpFeedbackFmt.Nack && Rtcp.GenericNack.TryRead(packet, out Rtcp.GenericNack nack)
                        && _ssrcConsumers.TryGetValue(nack.MediaSsrc, out Consumer? nacked))
                        nacked.ReceiveNack(nack);
                    else
                        ReceiveOutgoingFeedback(packet, nowUs);
                    break;

                case Rtcp.RtcpPacketType.RR:
                    if (Rtcp.ReceiverReport.TryRead(packet, out Rtcp.ReceiverReport rr))
                    {
                        for (int i = 0; i < rr.ReportCount; i++)
                            ReceiveReportBlock(rr.GetReportBlock(i), nowUs);
                    }
                    break;

                case Rtcp.RtcpPacketType.SR:
                    if (Rtcp.SenderReport.TryRead(packet, out Rtcp.SenderReport sr))
                    {
                        RtpListener.GetBySsrc(sr.Ssrc)?.ReceiveSenderReport(sr.Ssrc, sr.Info, nowUs);
                        for (int i = 0; i < sr.ReportCount; i++)
                            ReceiveReportBlock(sr.GetReportBlock(i), nowUs);
                    }
                    break;
            }
        }
    }

    private void ReceiveReportBlock(in Rtcp.ReportBlock block, long nowUs)
    {
        if (_ssrcConsumers.TryGetValue(block.Ssrc, out Consumer? c))
        {
            uint arrival = Rtcp.Ntp.FromMonotonicUs(nowUs, Ctx.NtpOffsetUs).Compact;
            c.ReceiveReceiverReport(block, arrival);
            ReceiveOutgoingReport(block, arrival, nowUs);
        }
    }

    // ---- periodic RTCP (RFC 3550 §6.2: about every second, randomised) ----

    private LoopTimer? _rtcpTimer;

    protected void StartRtcpTimer()
    {
        _rtcpTimer ??= Ctx.Loop.CreateTimer(OnRtcpTimer);
        _rtcpTimer.Start(NextRtcpIntervalMs());
    }

    private long NextRtcpIntervalMs() => 1000 + Ctx.Random.Next(0, 500);

    private void OnRtcpTimer()
    {
        _rtcpTimer!.Start(NextRtcpIntervalMs());
        if (!IsConnected)
            return;
        long nowUs = Ctx.Loop.NowUs;
        Rtcp.NtpTime ntpNow = Rtcp.Ntp.FromMonotonicUs(nowUs, Ctx.NtpOffsetUs);
        Span<byte> buffer = stackalloc byte[1500];
        // Consumers: SR + SDES (CNAME) per stream, a compound each if needed.
        foreach (Consumer c in _consumers.Values)
        {
            var b = new Rtcp.CompoundBuilder(buffer);
            if (c.FillSenderReport(ref b, nowUs, ntpNow) && b.Length > 0)
                SendRtcp(b.Written);
        }
        // Producers: receiver reports for every stream they receive.
        if (_producers.Count > 0)
        {
            var b = new Rtcp.CompoundBuilder(buffer);
            b.AddReceiverReport(RtcpReporterSsrc);
            foreach (Producer p in _producers.Values)
                p.FillReceiverReports(ref b, RtcpReporterSsrc, nowUs);
            if (b.Length > 0)
                SendRtcp(b.Written);
        }
    }

    /// <summary>SSRC our receiver reports come from (we send no media of our own on it).</summary>
    internal const uint RtcpReporterSsrc = 1;

    /// <summary>REMB to the senders: receive-side estimate and the max incoming bitrate cap.</summary>
    private readonly TransportRembServer _remb;

    public void OnProducerSendNack(Producer producer, uint ssrc, ReadOnlySpan<ushort> lost)
    {
        Span<byte> buffer = stackalloc byte[1500];
        while (!lost.IsEmpty)
        {
            var b = new Rtcp.CompoundBuilder(buffer);
            b.AddReceiverReport(RtcpReporterSsrc);
            if (!b.AddNackLost(RtcpReporterSsrc, ssrc, lost, out int consumed) || consumed == 0)
                return;
            SendRtcp(b.Written);
            lost = lost[consumed..];
        }
    }

    public ulong RtcpPacketsDiscarded { get; protected set; }

    /// <summary>Sends a copy of packet rewritten for a consumer. Kinds write it straight into
    /// their socket's send slot (copy, rewrite, encrypt in place).</summary>
    public abstract void SendRtpPacket(RtpPacket packet, in RtpRewrite rewrite);

    /// <summary>Builds the consumer's packet straight in the socket's send slot: copy, rewrite,
    /// encrypt in place, queue for this iteration's sendmmsg.</summary>
    protected void SendRtpOverUdp(UdpSocket socket, in IpEndpoint remote, RtpPacket packet, in RtpRewrite rewrite, Srtp.SrtpSession? srtp)
    {
        Span<byte> slot = socket.BeginSend();
        RtpPacket tx = Ctx.Media.TxPacket;
        if (!packet.CopyTo(slot, tx))
        {
            RtpPacketsNotSent++;
            return;
        }
        rewrite.ApplyTo(tx);
        StampOutgoing(tx);
        int length = tx.Length;
        if (srtp != null && !srtp.ProtectRtp(slot, ref length))
        {
            RtpPacketsNotSent++;
            return;
        }
        socket.CommitSend(length, remote);
        CountSent(length);
        CountRtpSent(length, rewrite.RtxSsrc != 0);
    }

    /// <summary>RTCP compound to a remote over UDP, SRTCP-protected when a session is given.</summary>
    protected void SendRtcpOverUdp(UdpSocket socket, in IpEndpoint remote, ReadOnlySpan<byte> compound, Srtp.SrtpSession? srtp)
    {
        Span<byte> slot = socket.BeginSend();
        if (compound.Length > slot.Length - Srtp.SrtpSession.MaxTrailerLength)
            return;
        compound.CopyTo(slot);
        int length = compound.Length;
        if (srtp != null && !srtp.ProtectRtcp(slot, ref length))
            return;
        socket.CommitSend(length, remote);
        CountSent(length);
    }

    /// <summary>Sends an RTCP compound packet to the remote endpoint.</summary>
    public abstract void SendRtcp(ReadOnlySpan<byte> compound);

    public void OnProducerNeedsKeyFrame(Producer producer, uint ssrc, bool useFir)
    {
        Span<byte> buffer = stackalloc byte[64];
        var b = new Rtcp.CompoundBuilder(buffer);
        b.AddReceiverReport(RtcpReporterSsrc);
        bool ok = useFir
            ? b.AddFir(RtcpReporterSsrc, ssrc, producer.NextFirSequence())
            : b.AddPli(RtcpReporterSsrc, ssrc);
        if (ok)
            SendRtcp(b.Written);
    }

    // ---- IProducerListener / IConsumerListener ----

    public void OnProducerPaused(Producer producer) => Listener.OnTransportProducerPaused(this, producer);

    public void OnProducerResumed(Producer producer) => Listener.OnTransportProducerResumed(this, producer);

    /// <summary>The consumer's producer closed elsewhere: drop it (the router already forgot it).</summary>
    public void OnConsumerProducerClosed(Consumer consumer) => RemoveConsumer(consumer);

    // ---- dump and stats ----

    protected FBS.Transport.DumpT BaseDump()
    {
        var dump = new FBS.Transport.DumpT
        {
            Id = Id,
            Direct = Direct,
            ProducerIds = new List<string>(_producers.Keys),
            ConsumerIds = new List<string>(_consumers.Keys),
            MapSsrcConsumerId = new List<FBS.Common.Uint32StringT>(),
            MapRtxSsrcConsumerId = new List<FBS.Common.Uint32StringT>(),
            DataProducerIds = new List<string>(_data.DataProducerIds),
            DataConsumerIds = new List<string>(_data.DataConsumerIds),
            RecvRtpHeaderExtensions = new FBS.Transport.RecvRtpHeaderExtensionsT
            {
                Mid = _recvMidId != 0 ? _recvMidId : null,
                Rid = _recvRidId != 0 ? _recvRidId : null,
                Rrid = _recvRridId != 0 ? _recvRridId : null,
                AbsSendTime = _recvAbsSendTimeId != 0 ? _recvAbsSendTimeId : null,
                TransportWideCc01 = _recvTransportWideCc01Id != 0 ? _recvTransportWideCc01Id : null,
            },
            RtpListener = RtpListener.ToFbs(),
            MaxSendMessageSize = MaxMessageSize,
            MaxReceiveMessageSize = MaxReceiveMessageSize,
            TraceEventTypes = new List<FBS.Transport.TraceEventType>(_traceEventTypes),
        };
        foreach (var kv in _ssrcConsumers)
            dump.MapSsrcConsumerId.Add(new FBS.Common.Uint32StringT { Key = kv.Key, Value = kv.Value.Id });
        foreach (var kv in _rtxSsrcConsumers)
            dump.MapRtxSsrcConsumerId.Add(new FBS.Common.Uint32StringT { Key = kv.Key, Value = kv.Value.Id });
        if (Sctp != null)
        {
            dump.SctpParameters = SctpParametersToFbs();
            _data.FillSctpDump(dump);
        }
        return dump;
    }

    protected FBS.SctpParameters.SctpParametersT? SctpParametersToFbs() => Sctp == null ? null : new()
    {
        Port = 5000,
        MaxSendMessageSize = Sctp.MaxSendMessageSize,
        MaxReceiveMessageSize = Sctp.MaxReceiveMessageSize,
        SendBufferSize = Sctp.SendBufferSize,
        PerStreamSendQueueLimit = Sctp.PerStreamSendQueueLimit,
        MaxReceiverWindowBufferSize = Sctp.MaxReceiverWindowBufferSize,
        IsDataChannel = Sctp.IsDataChannel,
    };

    protected FBS.Transport.StatsT BaseStats() => new()
    {
        TransportId = Id,
        Timestamp = (ulong)Ctx.Loop.NowMs,
        SctpState = Sctp != null ? (FBS.SctpAssociation.SctpState)(byte)SctpState : null,
        BytesReceived = BytesReceived,
        RecvBitrate = (ulong)_recvRate.GetRate(Ctx.Loop.NowMs),
        BytesSent = BytesSent,
        SendBitrate = (ulong)_sendRate.GetRate(Ctx.Loop.NowMs),
        RtpBytesReceived = RtpBytesReceived,
        RtpRecvBitrate = (ulong)_rtpRecvRate.GetRate(Ctx.Loop.NowMs),
        RtpBytesSent = RtpBytesSent,
        RtpSendBitrate = (ulong)_rtpSendRate.GetRate(Ctx.Loop.NowMs),
        RtxBytesSent = RtxBytesSent,
        RtxSendBitrate = (ulong)_rtxSendRate.GetRate(Ctx.Loop.NowMs),
        AvailableIncomingBitrate = _remb.AvailableIncomingBitrate,
        MaxIncomingBitrate = MaxIncomingBitrate != 0 ? (ulong)MaxIncomingBitrate : null,
        MaxOutgoingBitrate = MaxOutgoingBitrate != 0 ? (ulong)MaxOutgoingBitrate : null,
        MinOutgoingBitrate = MinOutgoingBitrate != 0 ? (ulong)MinOutgoingBitrate : null,
        AvailableOutgoingBitrate = AvailableOutgoingBitrate,
        ProbationBytesSent = _outgoing?.ProbationBytesSent ?? 0,
        ProbationSendBitrate = (ulong)(_outgoing?.ProbationSendBitrate(Ctx.Loop.NowMs) ?? 0),
    };

    /// <summary>Kind-specific dump response (body type + offset).</summary>
    protected abstract void Dump(ChannelRequest request);

    protected abstract void GetStats(ChannelRequest request);

    /// <summary>Closes everything below. Producers' consumers elsewhere are told (through
    /// the router) only when the host closed this transport; on router/worker close the
    /// router drops everything silently.</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        Ctx.Registry.Unregister(Id);
        _rtcpTimer?.Stop();
        _tccTimer?.Stop();
        CloseOutgoingBandwidth();
        foreach (Consumer c in new List<Consumer>(_consumers.Values))
        {
            RemoveConsumer(c);
            Listener.OnTransportConsumerClosed(this, c);
        }
        foreach (Producer p in new List<Producer>(_producers.Values))
            RemoveProducer(p);
        _data.Close();
        CloseSockets();
    }

    /// <summary>Releases the kind's sockets and timers.</summary>
    protected abstract void CloseSockets();
}
