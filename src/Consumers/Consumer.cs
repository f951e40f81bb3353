using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Codecs;
using Mediasoup.Producers;
using Mediasoup.Rtp;
using Mediasoup.RtpParameters;
using Mediasoup.Transports;
using Mediasoup.Worker;
using RtpParams = Mediasoup.RtpParameters;

namespace Mediasoup.Consumers;

/// <summary>Spatial/temporal layers; -1 means none.</summary>
internal readonly record struct VideoLayers(short Spatial, short Temporal)
{
    public static readonly VideoLayers None = new(-1, -1);
    public bool IsSet => Spatial >= 0 && Temporal >= 0;
}

/// <summary>A sent packet kept for retransmission: a pooled copy in router form.</summary>
internal struct StoredPacket
{
    public nint Data;
    public int Length;
    public ushort OutputSeq;
    // Differs from the stored packet's own timestamp when a simulcast consumer re-based it.
    public uint OutputTimestamp;
    // Picture id / marker changes the original send made, made again on retransmission.
    public Transports.PayloadRewrite Payload;
}

/// <summary>The parameters of one outgoing RTP stream, as dumps report them.</summary>
internal sealed class SendStreamParams
{
    public Rtp.Streams.SendStreamStats? Stats;
    public Rtp.Streams.RetransmissionBuffer<StoredPacket>? Retransmission;
    public ushort RtxSeq;

    public uint EncodingIdx;
    public uint Ssrc;
    public byte PayloadType;
    public required RtpCodecMimeType MimeType;
    public uint ClockRate;
    public string Rid = "";
    public string Cname = "";
    public uint RtxSsrc;
    public byte RtxPayloadType;
    public bool UseNack, UsePli, UseFir, UseInBandFec, UseDtx;
    public byte SpatialLayers, TemporalLayers;

    public FBS.RtpStream.ParamsT ToFbs() => new()
    {
        EncodingIdx = EncodingIdx,
        Ssrc = Ssrc,
        PayloadType = PayloadType,
        MimeType = MimeType.ToString(),
        ClockRate = ClockRate,
        Rid = Rid, // always present: the host reads its length
        Cname = Cname,
        RtxSsrc = RtxSsrc != 0 ? RtxSsrc : null,
        RtxPayloadType = RtxSsrc != 0 ? RtxPayloadType : null,
        UseNack = UseNack,
        UsePli = UsePli,
        UseFir = UseFir,
        UseInBandFec = UseInBandFec,
        UseDtx = UseDtx,
        SpatialLayers = SpatialLayers,
        TemporalLayers = TemporalLayers,
    };
}

internal interface IConsumerListener
{
    void OnConsumerProducerClosed(Consumer consumer);

    /// <summary>What the consumer could use changed (priority, preferred layers, pause, resume):
    /// the transport's bitrate should be shared again.</summary>
    void OnConsumerNeedsBitrate(Consumer consumer);
}

/// <summary>
/// Media sent to one endpoint from one Producer. The type (simple, simulcast, SVC, pipe) is
/// derived from the consumable encodings; layer selection and the send path plug in per type.
/// </summary>
internal sealed class Consumer : IRequestHandler, IForwarderHost
{
    private readonly WorkerContext _ctx;
    private readonly IConsumerListener _listener;
    private readonly List<FBS.Consumer.TraceEventType> _traceEventTypes = new();
    private readonly List<RtpEncoding> _consumableEncodings = new();
    private readonly List<SendStreamParams> _sendStreams = new();
    private bool _closed;

    public Consumer(WorkerContext ctx, IConsumerListener listener, FBS.Transport.ConsumeRequest request)
    {
        _ctx = ctx;
        _listener = listener;
        Id = request.ConsumerId ?? throw new MediasoupTypeError("missing consumerId");
        ProducerId = request.ProducerId ?? throw new MediasoupTypeError("missing producerId");
        Kind = request.Kind == FBS.RtpParameters.MediaKind.AUDIO ? MediaKind.Audio : MediaKind.Video;
        bool pipe = request.Type == FBS.RtpParameters.Type.PIPE;

        FBS.RtpParameters.RtpParameters fbsParams = request.RtpParameters ?? throw new MediasoupTypeError("missing rtpParameters");
        RtpParameters = RtpParams.RtpParameters.FromFbs(fbsParams.UnPack(), requireCname: true);
        foreach (RtpEncoding e in RtpParameters.Encodings)
        {
            if (e.Ssrc == 0)
                throw new MediasoupTypeError("invalid encoding in rtpParameters (missing ssrc)");
            if (e.HasRtx && e.RtxSsrc == 0)
                throw new MediasoupTypeError("invalid encoding in rtpParameters (missing rtx.ssrc)");
        }
        for (int i = 0; i < request.ConsumableRtpEncodingsLength; i++)
        {
            FBS.RtpParameters.RtpEncodingParameters enc = request.ConsumableRtpEncodings(i)
                ?? throw new MediasoupTypeError("wrong encoding in consumableRtpEncodings");
            RtpEncoding parsed = RtpEncoding.FromFbs(enc.UnPack());
            if (parsed.Ssrc == 0)
                throw new MediasoupTypeError("wrong encoding in consumableRtpEncodings (missing ssrc)");
            _consumableEncodings.Add(parsed);
        }
        if (_consumableEncodings.Count == 0)
            throw new MediasoupTypeError("empty consumableRtpEncodings");
        if (pipe && RtpParameters.Encodings.Count != _consumableEncodings.Count)
            throw new MediasoupTypeError("number of rtpParameters.encodings and consumableRtpEncodings do not match");

        Paused = request.Paused;
        IgnoreDtx = request.IgnoreDtx;

        RtpEncoding encoding = RtpParameters.Encodings[0];
        RtpCodec mediaCodec = RtpParameters.CodecForEncoding(encoding);
        if (pipe)
            Type = RtpStreamType.Pipe;
        else if (_consumableEncodings.Count > 1)
            Type = RtpStreamType.Simulcast;
        else if (_consumableEncodings[0].SpatialLayers > 1 || _consumableEncodings[0].TemporalLayers > 1)
            Type = RtpStreamType.Svc;
        else
            Type = RtpStreamType.Simple;

        switch (Type)
        {
            case RtpStreamType.Simple:
                break;
            case RtpStreamType.Simulcast:
                if (encoding.SpatialLayers != _consumableEncodings.Count)
                    throw new MediasoupTypeError("encoding.spatialLayers does not match number of consumableRtpEncodings");
                PreferredLayers = ClampLayers(request.PreferredLayers, encoding);
                if (!(mediaCodec.MimeType.Kind == MediaKind.Video && mediaCodec.MimeType.SupportsSimulcast))
                    throw new MediasoupTypeError($"{mediaCodec.MimeType} codec not supported for simulcast");
                break;
            case RtpStreamType.Svc:
                if (encoding.SpatialLayers < 2 && encoding.TemporalLayers < 2)
                    throw new MediasoupTypeError("invalid number of layers");
                PreferredLayers = ClampLayers(request.PreferredLayers, encoding);
                if (!(mediaCodec.MimeType.Kind == MediaKind.Video && mediaCodec.MimeType.SupportsSvc))
                    throw new MediasoupTypeError($"{mediaCodec.MimeType} codec not supported for svc");
                break;
        }

        BuildSendStreams(pipe);
        ctx.Registry.Register(Id, this, null);
    }

    public string Id { get; }
    public string ProducerId { get; }
    public MediaKind Kind { get; }
    public RtpParams.RtpParameters RtpParameters { get; }
    public RtpStreamType Type { get; }
    public bool Paused { get; private set; }
    public bool ProducerPaused { get; private set; }
    public bool IgnoreDtx { get; }
    public byte Priority { get; private set; } = 1;
    public VideoLayers PreferredLayers { get; private set; } = VideoLayers.None;
    public VideoLayers CurrentLayers { get; private set; } = VideoLayers.None;

    /// <summary>Producer stream scores, one per consumable encoding (0 while absent).</summary>
    public byte[] ProducerScores { get; private set; } = Array.Empty<byte>();

    public byte Score { get; private set; } = 10;

    public IEnumerable<uint> MediaSsrcs
    {
        get
        {
            foreach (RtpEncoding e in RtpParameters.Encodings)
                yield return e.Ssrc;
        }
    }

    public IEnumerable<uint> RtxSsrcs
    {
        get
        {
            foreach (RtpEncoding e in RtpParameters.Encodings)
            {
                if (e.HasRtx)
                    yield return e.RtxSsrc;
            }
        }
    }

    private Producer? _producer;
    private Transport? _transport;
    private byte[] _mid = Array.Empty<byte>();
    private CodecKind _codecKind;
    private IRtpForwarder _forwarder = null!;
    // Payload types of the codecs this consumer negotiated: anything else is not forwarded.
    private readonly bool[] _supportedPayloadTypes = new bool[128];

    public ulong PacketsSent { get; private set; }
    public ulong BytesSent { get; private set; }

    /// <summary>Called once by the router with the producer's state at creation.</summary>
    public void Attach(Producer producer, Transport transport)
    {
        _producer = producer;
        _transport = transport;
        if (RtpParameters.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.Mid) != 0 && RtpParameters.Mid.Length > 0)
            _mid = System.Text.Encoding.UTF8.GetBytes(RtpParameters.Mid);
        _codecKind = CodecKinds.FromMimeType(RtpParameters.CodecForEncoding(RtpParameters.Encodings[0]).MimeType.ToString());
        ProducerPaused = producer.Paused;
        foreach (RtpCodec c in RtpParameters.Codecs)
        {
            if (c.MimeType.IsMediaCodec && c.PayloadType < 128)
                _supportedPayloadTypes[c.PayloadType] = true;
        }
        ProducerScores = new byte[_consumableEncodings.Count];
        foreach (SendStreamParams st in _sendStreams)
        {
            st.Stats = new Rtp.Streams.SendStreamStats(st.ClockRate, _ctx.Loop.NowMs);
            st.RtxSeq = (ushort)_ctx.Random.Next(0, 65536);
            if (st.UseNack)
            {
                long maxDelay = Kind == MediaKind.Video ? Rtp.Streams.RetransmissionBuffer<StoredPacket>.MaxDelayVideoMs
                                                        : Rtp.Streams.RetransmissionBuffer<StoredPacket>.MaxDelayAudioMs;
                st.Retransmission = new Rtp.Streams.RetransmissionBuffer<StoredPacket>(
                    Rtp.Streams.RetransmissionBuffer<StoredPacket>.DefaultMaxItems, maxDelay, st.ClockRate, ReleaseStored, 64);
            }
        }
        _cnameBytes = System.Text.Encoding.UTF8.GetBytes(RtpParameters.Cname);
        for (int i = 0; i < ProducerScores.Length && i < producer.StreamScores.Length; i++)
            ProducerScores[i] = producer.StreamScores[i];
        _forwarder = CreateForwarder();
        for (int i = 0; i < ProducerScores.Length; i++)
            _forwarder.OnProducerScore(i, ProducerScores[i]);
    }

    // The first sequence number sent is random (1000..32767), like the reference.
    private ushort RandomInitialSeq() => (ushort)_ctx.Random.Next(1000, 32768);

    private IRtpForwarder CreateForwarder()
    {
        RtpEncoding encoding = RtpParameters.Encodings[0];
        switch (Type)
        {
            case RtpStreamType.Pipe:
            {
                var seqs = new ushort[_sendStreams.Count];
                for (int i = 0; i < seqs.Length; i++)
                    seqs[i] = RandomInitialSeq();
                return new PipeForwarder(seqs);
            }
            case RtpStreamType.Simulcast:
                return new SimulcastForwarder(this, _codecKind, _consumableEncodings.Count, (byte)encoding.TemporalLayers,
                    PreferredLayers, _sendStreams[0].ClockRate, RandomInitialSeq());
            case RtpStreamType.Svc:
                return new SvcForwarder(this, _codecKind, (byte)encoding.SpatialLayers, (byte)encoding.TemporalLayers,
                    PreferredLayers, RandomInitialSeq());
            default:
                return new SimpleForwarder(this, _codecKind, Kind == MediaKind.Video, IgnoreDtx, RandomInitialSeq());
        }
    }

    private static VideoLayers ClampLayers(FBS.Consumer.ConsumerLayers? requested, RtpEncoding encoding)
    {
        short maxSpatial = (short)(encoding.SpatialLayers - 1);
        short maxTemporal = (short)(encoding.TemporalLayers - 1);
        if (requested is not FBS.Consumer.ConsumerLayers r)
            return new VideoLayers(maxSpatial, maxTemporal);
        short spatial = Math.Min((short)r.SpatialLayer, maxSpatial);
        short temporal = r.TemporalLayer is byte t ? Math.Min((short)t, maxTemporal) : maxTemporal;
        return new VideoLayers(spatial, temporal);
    }

    private void BuildSendStreams(bool pipe)
    {
        int count = pipe ? RtpParameters.Encodings.Count : 1;
        for (int i = 0; i < count; i++)
        {
            RtpEncoding enc = RtpParameters.Encodings[i];
            RtpCodec codec = RtpParameters.CodecForEncoding(enc);
            RtpCodec? rtxCodec = RtpParameters.RtxCodecForEncoding(enc);
            bool inBandFec = codec.Parameters.TryGetInteger("useinbandfec", out int fec) && fec == 1;
            bool dtx = codec.Parameters.TryGetInteger("usedtx", out int d) && d == 1;
            _sendStreams.Add(new SendStreamParams
            {
                EncodingIdx = (uint)i,
                Ssrc = enc.Ssrc,
                PayloadType = codec.PayloadType,
                MimeType = codec.MimeType,
                ClockRate = codec.ClockRate,
                Rid = enc.Rid,
                Cname = RtpParameters.Cname,
                RtxSsrc = enc.HasRtx && rtxCodec != null ? enc.RtxSsrc : 0,
                RtxPayloadType = rtxCodec?.PayloadType ?? 0,
                UseNack = codec.HasFeedback("nack"),
                UsePli = codec.HasFeedback("nack", "pli"),
                UseFir = codec.HasFeedback("ccm", "fir"),
                UseInBandFec = inBandFec,
                UseDtx = dtx,
                SpatialLayers = (byte)enc.SpatialLayers,
                TemporalLayers = (byte)enc.TemporalLayers,
            });
        }
    }

    public FBS.Consumer.ConsumerScoreT ScoreToFbs() => new()
    {
        Score = Score,
        // A pipe consumer forwards every stream and reports a constant 10.
        ProducerScore = Type == RtpStreamType.Pipe ? (byte)10
            : Type == RtpStreamType.Simulcast ? (_forwarder?.ForwardedEncoding is int f and >= 0 ? ProducerScores[f] : (byte)0)
            : ProducerScores.Length > 0 ? ProducerScores[0] : (byte)0,
        ProducerScores = new List<byte>(ProducerScores),
    };

    public FBS.Consumer.ConsumerLayersT? PreferredLayersToFbs() =>
        PreferredLayers.IsSet
            ? new FBS.Consumer.ConsumerLayersT { SpatialLayer = (byte)PreferredLayers.Spatial, TemporalLayer = (byte)PreferredLayers.Temporal }
            : null;

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.CONSUMER_DUMP:
                Dump(request);
                break;

            case FBS.Request.Method.CONSUMER_GET_STATS:
                GetStats(request);
                break;

            case FBS.Request.Method.CONSUMER_PAUSE:
                if (!Paused)
                {
                    Paused = true;
                    _forwarder?.Restart();
                    _listener.OnConsumerNeedsBitrate(this);
                }
                request.Accept();
                break;

            case FBS.Request.Method.CONSUMER_RESUME:
                if (Paused)
                {
                    Paused = false;
                    _forwarder?.Restart();
                    RequestKeyFrame();
                    _listener.OnConsumerNeedsBitrate(this);
                }
                request.Accept();
                break;

            case FBS.Request.Method.CONSUMER_SET_PREFERRED_LAYERS:
            {
                var body = request.Body<FBS.Consumer.SetPreferredLayersRequest>(FBS.Request.Body.Consumer_SetPreferredLayersRequest);
                var response = new FBS.Consumer.SetPreferredLayersResponseT();
                if (Type is RtpStreamType.Simulcast or RtpStreamType.Svc)
                {
                    FBS.Consumer.ConsumerLayers layers = body.PreferredLayers
                        ?? throw new MediasoupTypeError("missing preferredLayers");
                    PreferredLayers = ClampLayers(layers, RtpParameters.Encodings[0]);
                    response.PreferredLayers = PreferredLayersToFbs();
                    _forwarder?.SetPreferredLayers(PreferredLayers);
                    _listener.OnConsumerNeedsBitrate(this);
                }
                request.Accept(FBS.Response.Body.Consumer_SetPreferredLayersResponse,
                    FBS.Consumer.SetPreferredLayersResponse.Pack(request.Builder, response).Value);
                break;
            }

            case FBS.Request.Method.CONSUMER_SET_PRIORITY:
            {
                var body = request.Body<FBS.Consumer.SetPriorityRequest>(FBS.Request.Body.Consumer_SetPriorityRequest);
                if (body.Priority < 1)
                    throw new MediasoupTypeError("wrong priority (must be higher than 0)");
                Priority = body.Priority;
                _listener.OnConsumerNeedsBitrate(this);
                var response = new FBS.Consumer.SetPriorityResponseT { Priority = Priority };
                request.Accept(FBS.Response.Body.Consumer_SetPriorityResponse,
                    FBS.Consumer.SetPriorityResponse.Pack(request.Builder, response).Value);
                break;
            }

            case FBS.Request.Method.CONSUMER_REQUEST_KEY_FRAME:
                RequestKeyFrame();
                request.Accept();
                break;

            case FBS.Request.Method.CONSUMER_ENABLE_TRACE_EVENT:
            {
                var body = request.Body<FBS.Consumer.EnableTraceEventRequest>(FBS.Request.Body.Consumer_EnableTraceEventRequest);
                TraceEventSelection.Replace(_traceEventTypes, body.GetEventsBytes());
                request.Accept();
                break;
            }

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    private void Dump(ChannelRequest request)
    {
        var supported = new List<byte>();
        foreach (RtpCodec c in RtpParameters.Codecs)
        {
            if (c.MimeType.IsMediaCodec)
                supported.Add(c.PayloadType);
        }
        var consumable = new List<FBS.RtpParameters.RtpEncodingParametersT>();
        foreach (RtpEncoding e in _consumableEncodings)
            consumable.Add(e.ToFbs());
        var streams = new List<FBS.RtpStream.DumpT>();
        foreach (SendStreamParams s in _sendStreams)
            streams.Add(new FBS.RtpStream.DumpT { Params = s.ToFbs(), Score = Score });

        var dump = new FBS.Consumer.ConsumerDumpT
        {
            Base = new FBS.Consumer.BaseConsumerDumpT
            {
                Id = Id,
                Type = (FBS.RtpParameters.Type)Type,
                ProducerId = ProducerId,
                Kind = Kind == MediaKind.Audio ? FBS.RtpParameters.MediaKind.AUDIO : FBS.RtpParameters.MediaKind.VIDEO,
                RtpParameters = RtpParameters.ToFbs(),
                ConsumableRtpEncodings = consumable,
                SupportedCodecPayloadTypes = supported,
                TraceEventTypes = new List<FBS.Consumer.TraceEventType>(_traceEventTypes),
                Paused = Paused,
                ProducerPaused = ProducerPaused,
                Priority = Priority,
            },
            RtpStreams = streams,
        };
        if (Type is RtpStreamType.Simulcast or RtpStreamType.Svc)
        {
            dump.PreferredSpatialLayer = PreferredLayers.Spatial;
            dump.PreferredTemporalLayer = PreferredLayers.Temporal;
            VideoLayers target = _forwarder?.TargetLayers ?? VideoLayers.None;
            dump.TargetSpatialLayer = target.Spatial;
            dump.TargetTemporalLayer = target.Temporal;
            dump.CurrentSpatialLayer = CurrentLayers.Spatial;
            dump.CurrentTemporalLayer = CurrentLayers.Temporal;
        }
        var response = new FBS.Consumer.DumpResponseT { Data = dump };
        request.Accept(FBS.Response.Body.Consumer_DumpResponse, FBS.Consumer.DumpResponse.Pack(request.Builder, response).Value);
    }

    private void GetStats(ChannelRequest request)
    {
        var stats = new List<FBS.RtpStream.StatsT>();
        ulong wallMs = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long nowMs = _ctx.Loop.NowMs;
        foreach (SendStreamParams s in _sendStreams)
        {
            Rtp.Streams.SendStreamStats? st = s.Stats;
            var baseStats = new FBS.RtpStream.BaseStatsT
            {
                Timestamp = wallMs,
                Ssrc = s.Ssrc,
                Kind = Kind == MediaKind.Audio ? FBS.RtpParameters.MediaKind.AUDIO : FBS.RtpParameters.MediaKind.VIDEO,
                MimeType = s.MimeType.ToString(),
                PacketsLost = st?.PacketsLost ?? 0,
                FractionLost = st?.FractionLost ?? 0,
                Jitter = (uint)(st?.Jitter ?? 0),
                PacketsDiscarded = (ulong)(st?.PacketsDiscarded ?? 0),
                PacketsRetransmitted = (ulong)(st?.PacketsRetransmitted ?? 0),
                PacketsRepaired = (ulong)(st?.PacketsRepaired ?? 0),
                NackCount = (ulong)(st?.NackCount ?? 0),
                NackPacketCount = (ulong)(st?.NackPacketCount ?? 0),
                PliCount = (ulong)(st?.PliCount ?? 0),
                FirCount = (ulong)(st?.FirCount ?? 0),
                Rid = s.Rid,
                RtxSsrc = s.RtxSsrc != 0 ? s.RtxSsrc : null,
                RoundTripTime = st?.RoundTripTimeMs ?? 0,
                Score = st?.Score ?? Score,
            };
            var send = new FBS.RtpStream.SendStatsT
            {
                Base = new FBS.RtpStream.StatsT { Data = FBS.RtpStream.StatsDataUnion.FromBaseStats(baseStats) },
                PacketCount = (ulong)(st?.PacketCount ?? 0),
                ByteCount = (ulong)(st?.ByteCount ?? 0),
                Bitrate = (ulong)(st?.GetBitrate(nowMs) ?? 0),
            };
            stats.Add(new FBS.RtpStream.StatsT { Data = FBS.RtpStream.StatsDataUnion.FromSendStats(send) });
        }
        // And the producer stream being forwarded, once it exists.
        int forwarded = Type == RtpStreamType.Pipe ? -1 : _forwarder?.ForwardedEncoding ?? -1;
        if (_producer != null && forwarded >= 0)
        {
            foreach (ProducerStream? ps in _producer.Streams)
            {
                if (ps != null && ps.MappedSsrc == _consumableEncodings[forwarded].Ssrc)
                    stats.Add(ps.ToStats(_producer.Kind, nowMs, wallMs));
            }
        }
        var response = new FBS.Consumer.GetStatsResponseT { Stats = stats };
        request.Accept(FBS.Response.Body.Consumer_GetStatsResponse, FBS.Consumer.GetStatsResponse.Pack(request.Builder, response).Value);
    }

    // ---- media ----

    private bool IsActive => !Paused && !ProducerPaused && !_closed && _transport is { IsConnected: true };

    /// <summary>
    /// A packet of the producer (already in router form): the forwarder of this consumer's type
    /// decides whether and how it goes out.
    /// </summary>
    public void SendRtpPacket(RtpPacket packet, in LayerInfo layers)
    {
        if (!IsActive || !_supportedPayloadTypes[packet.PayloadType & 0x7F])
            return;
        int encodingIdx = Type == RtpStreamType.Simple
            ? (packet.Ssrc == _consumableEncodings[0].Ssrc ? 0 : -1)
            : IndexOfConsumable(packet.Ssrc);
        if (encodingIdx < 0)
            return;
        if (!_forwarder.OnPacket(packet, layers, encodingIdx, _ctx.Loop.NowUs, out ForwardedPacket fwd))
            return;
        Forward(_sendStreams[fwd.Stream], packet, fwd, layers.IsKeyFrame, CaptureAtUs(encodingIdx, packet.Timestamp));
        // Packets the forwarder held until this one went out (the rest of a key frame).
        while (_forwarder.TryTakeHeld(out RtpPacket held, out LayerInfo heldLayers, out int heldEncoding))
        {
            if (_forwarder.OnPacket(held, heldLayers, heldEncoding, _ctx.Loop.NowUs, out fwd))
                Forward(_sendStreams[fwd.Stream], held, fwd, heldLayers.IsKeyFrame, CaptureAtUs(heldEncoding, held.Timestamp));
        }
    }

    // IForwarderHost
    void IForwarderHost.RequestKeyFrame(int encoding)
    {
        if (Kind != MediaKind.Video || _producer == null || !IsActive)
            return;
        if (encoding >= 0 && encoding < _consumableEncodings.Count)
        {
            _producer.RequestKeyFrame(_consumableEncodings[encoding].Ssrc);
            return;
        }
        foreach (RtpEncoding e in _consumableEncodings)
            _producer.RequestKeyFrame(e.Ssrc);
    }

    void IForwarderHost.OnLayersChanged()
    {
        VideoLayers layers = _forwarder.CurrentLayers;
        if (layers == CurrentLayers || Type is not (RtpStreamType.Simulcast or RtpStreamType.Svc))
            return;
        bool sourceChanged = layers.Spatial != CurrentLayers.Spatial;
        CurrentLayers = layers;
        EmitLayersChange();
        // Another encoding (or none) now feeds the stream: its producer score is the one that
        // counts, and the receiver's past reports said nothing about it.
        if (sourceChanged && Type == RtpStreamType.Simulcast)
        {
            if (_sendStreams[0].Stats is Rtp.Streams.SendStreamStats st)
            {
                st.ResetScore(Rtp.Streams.SendStreamStats.InitialScore, _ctx.Loop.NowMs);
                Score = st.Score;
            }
            EmitScore();
        }
    }

    bool IForwarderHost.TryGetSenderClock(int encoding, out long ntpUs, out uint rtpTimestamp)
    {
        ProducerStream? ps = SourceStream(encoding);
        bool known = ps != null && ps.Stats.HasSenderReport;
        ntpUs = known ? ps!.Stats.LastSenderReportNtpUs : 0;
        rtpTimestamp = known ? ps!.Stats.LastSenderReportTs : 0;
        return known;
    }

    // ---- bandwidth allocation (the transport shares its outgoing bitrate) ----

    /// <summary>The layer steps this consumer could forward and their cost now; 0 when it does
    /// not adapt (audio, plain video, pipes) or does not send.</summary>
    public int FillLadder(Span<Bwe.LayerRung> rungs) => IsActive && _forwarder != null ? _forwarder.FillLadder(rungs) : 0;

    /// <summary>The highest layers the transport's bitrate allows (None: no limit).</summary>
    public void SetBitrateCap(VideoLayers cap) => _forwarder?.SetBitrateCap(cap);

    /// <summary>What this consumer sends now (bit/s), retransmissions included.</summary>
    public long SendBitrate(long nowMs)
    {
        if (!IsActive)
            return 0;
        long rate = 0;
        for (int i = 0; i < _sendStreams.Count; i++)
            rate += _sendStreams[i].Stats?.GetBitrate(nowMs) ?? 0;
        return rate;
    }

    long IForwarderHost.LayerBitrate(int encoding, int spatial, int temporal) =>
        SourceStream(encoding)?.Stats.GetBitrate(_ctx.Loop.NowMs, spatial, temporal) ?? 0;

    private void EmitLayersChange()
    {
        var b = _ctx.Channel.BeginNotification();
        var n = new FBS.Consumer.LayersChangeNotificationT
        {
            Layers = CurrentLayers.IsSet
                ? new FBS.Consumer.ConsumerLayersT { SpatialLayer = (byte)CurrentLayers.Spatial, TemporalLayer = (byte)CurrentLayers.Temporal }
                : null,
        };
        int off = FBS.Consumer.LayersChangeNotification.Pack(b, n).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.CONSUMER_LAYERS_CHANGE, FBS.Notification.Body.Consumer_LayersChangeNotification, off);
    }

    // Sends packet as the forwarder placed it.
    /// <summary>
    /// When the packet's media was captured, on our clock, from its sender's last report (the
    /// report's RTP time arrived when it did): consumer sender reports then describe capture
    /// times, so audio and video stay in sync for the receiver across simulcast switches and
    /// forwarding delays. -1 before the sender's first report.
    /// </summary>
    private long CaptureAtUs(int encodingIdx, uint timestamp)
    {
        ProducerStream? ps = SourceStream(encodingIdx);
        if (ps == null || !ps.Stats.HasSenderReport)
            return -1;
        uint clockRate = ps.Codec.ClockRate == 0 ? 90000 : ps.Codec.ClockRate;
        long deltaUs = (long)(int)(timestamp - ps.Stats.LastSenderReportTs) * 1_000_000 / clockRate;
        return ps.Stats.LastSenderReportReceivedAtUs + deltaUs;
    }

    private ProducerStream? SourceStream(int encodingIdx)
    {
        if (_producer == null || (uint)encodingIdx >= (uint)_consumableEncodings.Count)
            return null;
        uint mapped = _consumableEncodings[encodingIdx].Ssrc;
        // Per packet: index the list (a foreach over the interface would allocate an enumerator).
        IReadOnlyList<ProducerStream?> streams = _producer.Streams;
        for (int i = 0; i < streams.Count; i++)
        {
            ProducerStream? ps = streams[i];
            if (ps != null && ps.MappedSsrc == mapped)
                return ps;
        }
        return null;
    }

    private void Forward(SendStreamParams stream, RtpPacket packet, in ForwardedPacket fwd, bool isKeyFrame, long captureAtUs)
    {
        ushort seq = fwd.SequenceNumber;
        uint timestamp = fwd.Timestamp;
        var rewrite = new RtpRewrite(Id, stream.Ssrc, seq, timestamp, stream.PayloadType, _mid, payload: fwd.Payload);
        _transport!.SendRtpPacket(packet, rewrite);
        PacketsSent++;
        BytesSent += (ulong)packet.Length;
        long nowUs = _ctx.Loop.NowUs;
        if (stream.Stats!.OnPacket(seq, timestamp, nowUs, captureAtUs) == Rtp.Streams.SeqUpdateResult.Restarted)
            stream.Retransmission?.Clear();
        stream.Stats.CountSent(packet.Length, packet.PayloadLength, _ctx.Loop.NowMs);
        if (stream.Retransmission != null)
            Store(stream, packet, seq, timestamp, fwd.Payload);
        if (_traceEventTypes.Count > 0)
            TraceSent(packet, rewrite, isKeyFrame);
    }

    private void TraceSent(RtpPacket packet, in RtpRewrite rewrite, bool isKeyFrame)
    {
        foreach (FBS.Consumer.TraceEventType type in _traceEventTypes)
        {
            if (type != FBS.Consumer.TraceEventType.RTP && !(type == FBS.Consumer.TraceEventType.KEYFRAME && isKeyFrame))
                continue;
            FBS.RtpPacket.DumpT dump = RtpPacketDump.ToFbs(packet, isKeyFrame);
            dump.Ssrc = rewrite.Ssrc;
            dump.SequenceNumber = rewrite.SequenceNumber;
            dump.PayloadType = rewrite.PayloadType;
            Trace(type, FBS.Common.TraceDirection.DIRECTION_OUT, type == FBS.Consumer.TraceEventType.RTP
                ? FBS.Consumer.TraceInfoUnion.FromRtpTraceInfo(new FBS.Consumer.RtpTraceInfoT { RtpPacket = dump })
                : FBS.Consumer.TraceInfoUnion.FromKeyFrameTraceInfo(new FBS.Consumer.KeyFrameTraceInfoT { RtpPacket = dump }));
        }
    }

    private void Trace(FBS.Consumer.TraceEventType type, FBS.Common.TraceDirection direction, FBS.Consumer.TraceInfoUnion? info)
    {
        var n = new FBS.Consumer.TraceNotificationT
        {
            Type = type,
            Timestamp = (ulong)_ctx.Loop.NowMs,
            Direction = direction,
            Info = info,
        };
        var b = _ctx.Channel.BeginNotification();
        int off = FBS.Consumer.TraceNotification.Pack(b, n).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.CONSUMER_TRACE, FBS.Notification.Body.Consumer_TraceNotification, off);
    }

    private byte[] _cnameBytes = Array.Empty<byte>();

    private unsafe void Store(SendStreamParams stream, RtpPacket packet, ushort seq, uint timestamp, Transports.PayloadRewrite payload)
    {
        // One stored copy per producer packet, shared by every consumer that keeps it.
        byte* shared = _ctx.Media.SharedStoreFor(packet, _ctx.Net.Pool);
        if (shared == null)
            return;
        var stored = new StoredPacket { Data = (nint)shared, Length = packet.Length, OutputSeq = seq, OutputTimestamp = timestamp, Payload = payload };
        if (!stream.Retransmission!.Insert(seq, timestamp, stored))
            SharedPacketStore.Release(shared, _ctx.Net.Pool);
    }

    private unsafe void ReleaseStored(StoredPacket p) => SharedPacketStore.Release((byte*)p.Data, _ctx.Net.Pool);

    /// <summary>A NACK from the receiving endpoint: resend what we still have (as RTX when
    /// negotiated), at most once per RTT per packet.</summary>
    public unsafe void ReceiveNack(Rtcp.GenericNack nack)
    {
        SendStreamParams? stream = StreamBySsrc(nack.MediaSsrc);
        if (stream?.Retransmission == null || !IsActive)
            return;
        long nowMs = _ctx.Loop.NowMs;
        Span<StoredPacket> found = stackalloc StoredPacket[Rtp.Streams.RetransmissionBuffer<StoredPacket>.MaxPacketsPerNackItem];
        RtpPacket view = _ctx.Media.RetransmitPacket;
        for (int i = 0; i < nack.ItemCount; i++)
        {
            Rtcp.NackItem item = nack.GetItem(i);
            stream.Stats!.CountNackReceived(1 + System.Numerics.BitOperations.PopCount(item.Bitmask));
            int n = stream.Retransmission.ResolveNack(item.PacketId, item.Bitmask, nowMs, stream.Stats.RoundTripTimeMs, found, out int first);
            stream.Stats.CountRetransmitted(n, first);
            for (int k = 0; k < n; k++)
            {
                if (!view.TryParse(SharedPacketStore.PacketOf((byte*)found[k].Data), found[k].Length, SharedPacketStore.Capacity))
                    continue;
                ushort outSeq = found[k].OutputSeq;
                uint outTs = found[k].OutputTimestamp;
                var rewrite = stream.RtxSsrc != 0
                    ? new RtpRewrite(Id, stream.Ssrc, outSeq, outTs, stream.PayloadType, _mid, stream.RtxSsrc, stream.RtxPayloadType, stream.RtxSeq++, found[k].Payload)
                    : new RtpRewrite(Id, stream.Ssrc, outSeq, outTs, stream.PayloadType, _mid, payload: found[k].Payload);
                _transport!.SendRtpPacket(view, rewrite);
            }
        }
    }

    private SendStreamParams? StreamBySsrc(uint ssrc)
    {
        foreach (SendStreamParams s in _sendStreams)
        {
            if (s.Ssrc == ssrc)
                return s;
        }
        return null;
    }

    /// <summary>A report block about one of our streams from the receiving endpoint.</summary>
    public void ReceiveReceiverReport(in Rtcp.ReportBlock block, uint arrivalCompactNtp)
    {
        SendStreamParams? stream = StreamBySsrc(block.Ssrc);
        if (stream?.Stats == null)
            return;
        float rtt = block.LastSr != 0 ? Rtp.Streams.RtcpTiming.RttMs(arrivalCompactNtp, block.LastSr, block.DelaySinceLastSr) : 0f;
        if (stream.Stats.ReceiveReceiverReport(block.FractionLost, block.TotalLost, block.Jitter, rtt, _ctx.Loop.NowMs) && Type != RtpStreamType.Pipe)
        {
            Score = stream.Stats.Score;
            EmitScore();
        }
    }

    /// <summary>The fraction lost its receiver last reported for what this consumer forwards
    /// of the producer stream <paramref name="mappedSsrc"/> (0 when it forwards none of it).</summary>
    public byte RemoteFractionLost(uint mappedSsrc)
    {
        if (!IsActive || _forwarder == null)
            return 0;
        int encoding = Type == RtpStreamType.Pipe ? IndexOfConsumable(mappedSsrc) : _forwarder.ForwardedEncoding;
        if (encoding < 0 || _consumableEncodings[encoding].Ssrc != mappedSsrc)
            return 0;
        SendStreamParams stream = _sendStreams[Type == RtpStreamType.Pipe ? encoding : 0];
        return stream.Stats?.FractionLost ?? 0;
    }

    /// <summary>SR + SDES for each stream that has sent media recently.</summary>
    public bool FillSenderReport(ref Rtcp.CompoundBuilder builder, long nowUs, Rtcp.NtpTime ntpNow)
    {
        bool any = false;
        foreach (SendStreamParams s in _sendStreams)
        {
            if (s.Stats == null || !s.Stats.TryGetSenderReport(nowUs, out uint rtpTs, out uint packets, out uint octets))
                continue;
            any |= builder.AddSenderReport(s.Ssrc, new Rtcp.SenderInfo(ntpNow, rtpTs, packets, octets));
            builder.AddSdesCname(s.Ssrc, _cnameBytes);
        }
        return any;
    }

    /// <summary>A producer stream's score changed (or the stream appeared).</summary>
    public void OnProducerStreamScore(int encodingIdx, byte score)
    {
        if ((uint)encodingIdx >= (uint)ProducerScores.Length || ProducerScores[encodingIdx] == score)
            return;
        ProducerScores[encodingIdx] = score;
        _forwarder?.OnProducerScore(encodingIdx, score);
        if (Type != RtpStreamType.Pipe)
            EmitScore();
    }

    private void EmitScore()
    {
        var b = _ctx.Channel.BeginNotification();
        var n = new FBS.Consumer.ScoreNotificationT { Score = ScoreToFbs() };
        int off = FBS.Consumer.ScoreNotification.Pack(b, n).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.CONSUMER_SCORE, FBS.Notification.Body.Consumer_ScoreNotification, off);
    }

    private int IndexOfConsumable(uint mappedSsrc)
    {
        for (int i = 0; i < _consumableEncodings.Count; i++)
        {
            if (_consumableEncodings[i].Ssrc == mappedSsrc)
                return i;
        }
        return -1;
    }

    /// <summary>The receiving endpoint asked for a key frame (PLI/FIR).</summary>
    public void ReceiveKeyFrameRequest(bool fir, uint ssrc)
    {
        var type = fir ? FBS.Consumer.TraceEventType.FIR : FBS.Consumer.TraceEventType.PLI;
        if (_traceEventTypes.Contains(type))
        {
            Trace(type, FBS.Common.TraceDirection.DIRECTION_IN, fir
                ? FBS.Consumer.TraceInfoUnion.FromFirTraceInfo(new FBS.Consumer.FirTraceInfoT { Ssrc = ssrc })
                : FBS.Consumer.TraceInfoUnion.FromPliTraceInfo(new FBS.Consumer.PliTraceInfoT { Ssrc = ssrc }));
        }
        RequestKeyFrame();
    }

    // Only the encoding being switched to (or forwarded) needs one; -1: every encoding.
    private void RequestKeyFrame() => ((IForwarderHost)this).RequestKeyFrame(_forwarder?.KeyFrameEncoding ?? -1);

    // ---- transport events ----

    public void OnTransportConnected()
    {
        _forwarder?.Restart();
        RequestKeyFrame();
    }

    public void OnTransportDisconnected() => _forwarder?.Restart();

    // ---- producer events, from the router ----

    public void OnProducerPaused()
    {
        if (ProducerPaused)
            return;
        ProducerPaused = true;
        _forwarder?.Restart();
        _listener.OnConsumerNeedsBitrate(this);
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.CONSUMER_PRODUCER_PAUSE);
    }

    public void OnProducerResumed()
    {
        if (!ProducerPaused)
            return;
        ProducerPaused = false;
        _forwarder?.Restart();
        _listener.OnConsumerNeedsBitrate(this);
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.CONSUMER_PRODUCER_RESUME);
    }

    /// <summary>The producer went away: tell the host, then close (the host closes its side).</summary>
    public void OnProducerClosed()
    {
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.CONSUMER_PRODUCER_CLOSE);
        _listener.OnConsumerProducerClosed(this);
    }

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
        foreach (SendStreamParams s in _sendStreams)
            s.Retransmission?.Clear();
    }
}
