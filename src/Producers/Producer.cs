using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Codecs;
using Mediasoup.Consumers;
using Mediasoup.Loop;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;
using Mediasoup.RtpParameters;
using Mediasoup.Worker;
using RtpParams = Mediasoup.RtpParameters;

namespace Mediasoup.Producers;

/// <summary>Payload type and SSRC mapping from what the endpoint sends to what the router uses.</summary>
internal sealed class RtpMapping
{
    public readonly Dictionary<byte, byte> Codecs = new();
    public readonly List<(string Rid, uint Ssrc, uint MappedSsrc)> Encodings = new();

    public FBS.RtpParameters.RtpMappingT ToFbs()
    {
        var m = new FBS.RtpParameters.RtpMappingT
        {
            Codecs = new List<FBS.RtpParameters.CodecMappingT>(),
            Encodings = new List<FBS.RtpParameters.EncodingMappingT>(),
        };
        foreach (var kv in Codecs)
            m.Codecs.Add(new FBS.RtpParameters.CodecMappingT { PayloadType = kv.Key, MappedPayloadType = kv.Value });
        foreach ((string rid, uint ssrc, uint mapped) in Encodings)
        {
            m.Encodings.Add(new FBS.RtpParameters.EncodingMappingT
            {
                Rid = rid.Length > 0 ? rid : null,
                Ssrc = ssrc != 0 ? ssrc : null,
                MappedSsrc = mapped,
            });
        }
        return m;
    }
}

internal interface IProducerListener
{
    void OnProducerPaused(Producer producer);
    void OnProducerResumed(Producer producer);

    /// <summary>Sends a key frame request (PLI or FIR) for the stream towards the sender.</summary>
    void OnProducerNeedsKeyFrame(Producer producer, uint ssrc, bool useFir);

    /// <summary>Sends a generic NACK for the given (ascending) sequence numbers.</summary>
    void OnProducerSendNack(Producer producer, uint ssrc, ReadOnlySpan<ushort> lost);
}

/// <summary>
/// Media sent into a transport by one endpoint: its RTP parameters and mapping, pause state,
/// trace settings, and (with the media plane) its receive streams and scores.
/// </summary>
internal sealed class Producer : IRequestHandler, INotificationHandler
{
    private readonly WorkerContext _ctx;
    private readonly IProducerListener _listener;
    private readonly List<FBS.Producer.TraceEventType> _traceEventTypes = new();
    private bool _closed;

    public Producer(WorkerContext ctx, IProducerListener listener, FBS.Transport.ProduceRequest request)
    {
        _ctx = ctx;
        _listener = listener;
        Id = request.ProducerId ?? throw new MediasoupTypeError("missing producerId");
        Kind = request.Kind == FBS.RtpParameters.MediaKind.AUDIO ? MediaKind.Audio : MediaKind.Video;
        FBS.RtpParameters.RtpParameters fbsParams = request.RtpParameters
            ?? throw new MediasoupTypeError("missing rtpParameters");
        RtpParameters = RtpParams.RtpParameters.FromFbs(fbsParams.UnPack(), requireCname: true);

        Type = RtpParameters.StreamType() ?? throw new MediasoupTypeError("invalid RTP parameters");
        RtpCodec mediaCodec = RtpParameters.CodecForEncoding(RtpParameters.Encodings[0]);
        bool validForType = Type switch
        {
            RtpStreamType.Simulcast => mediaCodec.MimeType.Kind == MediaKind.Video && mediaCodec.MimeType.SupportsSimulcast,
            RtpStreamType.Svc => mediaCodec.MimeType.Kind == MediaKind.Video && mediaCodec.MimeType.SupportsSvc,
            _ => true,
        };
        if (!validForType)
            throw new MediasoupTypeError($"{mediaCodec.MimeType} codec not supported for {TypeName(Type)}");

        FBS.RtpParameters.RtpMapping mapping = request.RtpMapping ?? throw new MediasoupTypeError("missing rtpMapping");
        for (int i = 0; i < mapping.CodecsLength; i++)
        {
            FBS.RtpParameters.CodecMapping c = mapping.Codecs(i) ?? throw new MediasoupTypeError("wrong entry in rtpMapping.codecs");
            RtpMapping.Codecs[c.PayloadType] = c.MappedPayloadType;
        }
        int encodingCount = mapping.EncodingsLength;
        for (int i = 0; i < encodingCount; i++)
        {
            FBS.RtpParameters.EncodingMapping e = mapping.Encodings(i) ?? throw new MediasoupTypeError("wrong entry in rtpMapping.encodings");
            bool hasRid = e.Rid != null;
            if (encodingCount > 1 && e.Ssrc == null && !hasRid)
                throw new MediasoupTypeError("wrong entry in rtpMapping.encodings (missing ssrc or rid)");
            if (RtpParameters.Mid.Length == 0 && encodingCount == 1 && e.Ssrc == null && !hasRid)
                throw new MediasoupTypeError("wrong entry in rtpMapping.encodings (missing ssrc or rid, or rtpParameters.mid)");
            if (e.MappedSsrc == 0)
                throw new MediasoupTypeError("wrong entry in rtpMapping.encodings (missing mappedSsrc)");
            RtpMapping.Encodings.Add((e.Rid ?? "", e.Ssrc ?? 0, e.MappedSsrc));
        }
        if (RtpMapping.Encodings.Count != RtpParameters.Encodings.Count)
            throw new MediasoupTypeError("rtpParameters.encodings size does not match rtpMapping.encodings size");

        Paused = request.Paused;
        _extIds = ExtensionIdsOf(RtpParameters);
        KeyFrameRequestDelayMs = request.KeyFrameRequestDelay;
        EnableMediasoupPacketIdHeaderExtension = request.EnableMediasoupPacketIdHeaderExtension;
        StreamScores = new byte[RtpParameters.Encodings.Count];

        ctx.Registry.Register(Id, this, this);
    }

    public string Id { get; }
    public MediaKind Kind { get; }
    public RtpParams.RtpParameters RtpParameters { get; }
    public RtpStreamType Type { get; }
    public RtpMapping RtpMapping { get; } = new();
    public bool Paused { get; private set; }
    public uint KeyFrameRequestDelayMs { get; }
    public bool EnableMediasoupPacketIdHeaderExtension { get; }

    /// <summary>Score of each encoding's receive stream, 0 while it has no stream.</summary>
    public byte[] StreamScores { get; }

    /// <summary>RTP observers watching this (audio) producer's levels.</summary>
    public List<Observers.RtpObserver> Observers { get; } = new();

    /// <summary>Consumers of this producer, kept by the router; iterated per packet.</summary>
    public List<Consumer> Consumers { get; } = new();

    private readonly HeaderExtensionIds _extIds;
    private ProducerStream?[] _streams = Array.Empty<ProducerStream?>();

    public IReadOnlyList<ProducerStream?> Streams => _streams;

    private static HeaderExtensionIds ExtensionIdsOf(RtpParams.RtpParameters p) => new()
    {
        Mid = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.Mid),
        Rid = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.RtpStreamId),
        Rrid = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.RepairRtpStreamId),
        AbsSendTime = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.AbsSendTime),
        TransportWideCc01 = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.TransportWideCcDraft01),
        SsrcAudioLevel = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.SsrcAudioLevel),
        DependencyDescriptor = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.DependencyDescriptor),
        VideoOrientation = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.VideoOrientation),
        TimeOffset = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.TimeOffset),
        AbsCaptureTime = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.AbsCaptureTime),
        PlayoutDelay = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.PlayoutDelay),
        MediasoupPacketId = p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.MediasoupPacketId),
    };

    /// <summary>
    /// An RTP packet from the endpoint. Finds or creates its stream, unwraps RTX, rewrites
    /// SSRC, payload type and the header extension block to the router's values, in place.
    /// Returns true when the packet is to be forwarded to consumers.
    /// </summary>
    public bool ReceiveRtpPacket(RtpPacket packet, out LayerInfo layers)
    {
        layers = LayerInfo.None;
        packet.ExtensionIds = _extIds;
        uint ssrc = packet.Ssrc;
        ProducerStream? stream = null;
        bool isRtx = false;
        foreach (ProducerStream? s in _streams)
        {
            if (s == null)
                continue;
            if (s.Ssrc == ssrc)
            {
                stream = s;
                break;
            }
            if (s.RtxSsrc == ssrc && ssrc != 0)
            {
                stream = s;
                isRtx = true;
                break;
            }
        }
        if (stream == null)
        {
            stream = CreateStream(packet, out isRtx);
            if (stream == null)
                return false;
        }

        long nowUs = _ctx.Loop.NowUs;
        long nowMs = _ctx.Loop.NowMs;
        bool scoreChanged;
        Span<ushort> nackList = stackalloc ushort[64];
        NackResult nack = default;
        if (isRtx)
        {
            if (packet.PayloadType != stream.RtxPayloadType
                || !stream.Stats.ReceiveRtxStreamPacket(packet.SequenceNumber, packet.Timestamp, nowUs)
                || !packet.RtxDecode(stream.PayloadType, stream.Ssrc))
                return false;
            layers = ReadLayers(stream, packet);
            if (stream.Stats.ReceiveRetransmittedPacket(packet.SequenceNumber, packet.Timestamp, nowUs) == SeqUpdateResult.Discarded)
                return false;
            if (stream.Nack != null)
                nack = stream.Nack.ReceivePacket(packet.SequenceNumber, layers.IsKeyFrame, isRecovered: true, nowMs, nackList);
            if (!nack.Recovered)
                return false; // a retransmission nobody was waiting for
            stream.Stats.ReceiveRepairedPacket(Info(packet, layers), nowUs, out scoreChanged);
        }
        else
        {
            if (packet.PayloadType != stream.PayloadType && !IsCodecPayloadType(packet.PayloadType))
                return false;
            layers = ReadLayers(stream, packet);
            bool firstPacket = stream.Stats.PacketCount == 0;
            if (stream.Stats.ReceivePacket(Info(packet, layers), nowUs, out scoreChanged) == SeqUpdateResult.Discarded)
                return false;
            if (stream.Nack != null)
                nack = stream.Nack.ReceivePacket(packet.SequenceNumber, layers.IsKeyFrame, isRecovered: false, nowMs, nackList);
            // A stream that starts with a delta frame cannot be decoded by anyone: ask at once.
            if (firstPacket && Kind == MediaKind.Video && Codec.CanBeKeyFrame(stream.CodecKind) && !layers.IsKeyFrame)
                RequestKeyFrameFor(stream, force: true);
        }
        HandleNackResult(stream, nack, nackList);
        if (scoreChanged)
            OnStreamScoreChanged(stream);

        bool isKeyFrame = layers.IsKeyFrame;
        if (isKeyFrame)
            _keyFrames?.KeyFrameReceived(stream.Ssrc);
        if (_traceEventTypes.Count > 0)
            TraceReceived(packet, isKeyFrame, isRtx);
        if (_extIds.VideoOrientation != 0 && packet.TryReadVideoOrientation(out bool camera, out bool flip, out ushort rotation))
            UpdateVideoOrientation(camera, flip, rotation);

        if (Paused)
            return false;

        if (Observers.Count > 0 && _extIds.SsrcAudioLevel != 0 && packet.TryReadSsrcAudioLevel(out byte volume, out _))
        {
            foreach (Observers.RtpObserver o in Observers)
                o.ReceiveAudioLevel(this, volume);
        }

        // Router values: mapped SSRC and payload type, internal extension ids.
        if (!RtpMapping.Codecs.TryGetValue(packet.PayloadType, out byte mappedPt))
            return false;
        packet.PayloadType = mappedPt;
        packet.Ssrc = stream.MappedSsrc;
        return RewriteExtensions(packet);
    }

    private static RtpPacketInfo Info(RtpPacket p, in LayerInfo l) =>
        new(p.SequenceNumber, p.Timestamp, p.Length, p.PayloadLength, l.SpatialLayer, l.TemporalLayer);

    // Once per packet: every consumer's forwarder and the layer counters use the result.
    private LayerInfo ReadLayers(ProducerStream stream, RtpPacket packet)
    {
        if (Kind != MediaKind.Video)
            return LayerInfo.None;
        ReadOnlySpan<byte> dd = default;
        if (stream.DependencyDescriptor != null && packet.TryGetDependencyDescriptor(out Span<byte> value))
            dd = value;
        return LayerInfo.TryRead(stream.CodecKind, packet.Payload, packet.Marker, dd, stream.DependencyDescriptor, out LayerInfo l)
            ? l : LayerInfo.None;
    }

    private void HandleNackResult(ProducerStream stream, NackResult result, ReadOnlySpan<ushort> list)
    {
        if (result.NackCount > 0)
        {
            stream.Stats.CountNackSent(result.NackCount);
            _listener.OnProducerSendNack(this, stream.Ssrc, list[..result.NackCount]);
        }
        if (result.KeyFrameRequired)
            RequestKeyFrameFor(stream, force: true);
    }

    private void OnStreamScoreChanged(ProducerStream stream)
    {
        StreamScores[stream.EncodingIdx] = stream.Score;
        EmitScores();
        foreach (Consumer c in Consumers)
            c.OnProducerStreamScore(stream.EncodingIdx, stream.Score);
    }

    /// <summary>Periodic work: NACK retries, inactivity and scores, key frame retries.</summary>
    private void OnTimer()
    {
        long nowMs = _ctx.Loop.NowMs;
        Span<ushort> nackList = stackalloc ushort[64];
        foreach (ProducerStream? s in _streams)
        {
            if (s == null)
                continue;
            if (s.Nack != null)
                HandleNackResult(s, s.Nack.OnTimer(nowMs, nackList), nackList);
            if ((s.Stats.OnTimer(nowMs) & RecvStreamEvents.ScoreChanged) != 0)
                OnStreamScoreChanged(s);
        }
        if (_keyFrames != null)
        {
            Span<uint> ssrcs = stackalloc uint[8];
            int n = _keyFrames.OnTimer(nowMs, ssrcs);
            for (int i = 0; i < n; i++)
            {
                foreach (ProducerStream? s in _streams)
                {
                    if (s != null && s.Ssrc == ssrcs[i])
                        SendKeyFrameRequest(s);
                }
            }
        }
    }

    /// <summary>Receiver report blocks for every stream (and its RTX), for the transport's RTCP.</summary>
    public void FillReceiverReports(ref Rtcp.CompoundBuilder builder, uint reporterSsrc, long nowUs)
    {
        foreach (ProducerStream? s in _streams)
        {
            if (s == null)
                continue;
            // With in-band FEC (Opus) the sender should protect for the lossiest receiver.
            ReceptionReport r = s.Stats.BuildReceiverReport(nowUs, WorstRemoteFractionLost(s.MappedSsrc), out uint lsr, out uint dlsr);
            builder.AddReportBlock(reporterSsrc, new Rtcp.ReportBlock(s.Ssrc, r.FractionLost, r.TotalLost, r.ExtendedHighestSeq, r.Jitter, lsr, dlsr));
            if (s.Stats.TryBuildRtxReceiverReport(nowUs, out ReceptionReport rtx, out lsr, out dlsr))
                builder.AddReportBlock(reporterSsrc, new Rtcp.ReportBlock(s.RtxSsrc, rtx.FractionLost, rtx.TotalLost, rtx.ExtendedHighestSeq, rtx.Jitter, lsr, dlsr));
        }
    }

    private byte WorstRemoteFractionLost(uint mappedSsrc)
    {
        byte worst = 0;
        foreach (Consumer c in Consumers)
            worst = Math.Max(worst, c.RemoteFractionLost(mappedSsrc));
        return worst;
    }

    /// <summary>An SR from the sending endpoint for one of our streams.</summary>
    public bool ReceiveSenderReport(uint ssrc, in Rtcp.SenderInfo info, long nowUs)
    {
        foreach (ProducerStream? s in _streams)
        {
            if (s == null)
                continue;
            if (s.Ssrc == ssrc)
            {
                if (s.Stats.ReceiveSenderReport(info.NtpSeconds, info.NtpFraction, info.RtpTimestamp, nowUs))
                    OnStreamScoreChanged(s);
                if (_traceEventTypes.Contains(FBS.Producer.TraceEventType.SR))
                {
                    Trace(FBS.Producer.TraceEventType.SR, FBS.Common.TraceDirection.DIRECTION_IN,
                        FBS.Producer.TraceInfoUnion.FromSrTraceInfo(new FBS.Producer.SrTraceInfoT
                        {
                            Ssrc = ssrc, NtpSec = info.NtpSeconds, NtpFrac = info.NtpFraction, RtpTs = info.RtpTimestamp,
                            PacketCount = info.PacketCount, OctetCount = info.OctetCount,
                        }));
                }
                return true;
            }
            if (s.RtxSsrc == ssrc && ssrc != 0)
            {
                s.Stats.ReceiveRtxSenderReport(info.NtpSeconds, info.NtpFraction, nowUs);
                return true;
            }
        }
        return false;
    }

    private (bool Camera, bool Flip, ushort Rotation)? _videoOrientation;

    private void UpdateVideoOrientation(bool camera, bool flip, ushort rotation)
    {
        if (_videoOrientation is var (c, f, r) && c == camera && f == flip && r == rotation)
            return;
        _videoOrientation = (camera, flip, rotation);
        var b = _ctx.Channel.BeginNotification();
        int off = FBS.Producer.VideoOrientationChangeNotification.CreateVideoOrientationChangeNotification(b, camera, flip, rotation).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.PRODUCER_VIDEO_ORIENTATION_CHANGE,
            FBS.Notification.Body.Producer_VideoOrientationChangeNotification, off);
    }

    private void TraceReceived(RtpPacket packet, bool isKeyFrame, bool isRtx)
    {
        if (_traceEventTypes.Contains(FBS.Producer.TraceEventType.RTP))
        {
            Trace(FBS.Producer.TraceEventType.RTP, FBS.Common.TraceDirection.DIRECTION_IN,
                FBS.Producer.TraceInfoUnion.FromRtpTraceInfo(new FBS.Producer.RtpTraceInfoT { RtpPacket = RtpPacketDump.ToFbs(packet, isKeyFrame), IsRtx = isRtx }));
        }
        if (isKeyFrame && _traceEventTypes.Contains(FBS.Producer.TraceEventType.KEYFRAME))
        {
            Trace(FBS.Producer.TraceEventType.KEYFRAME, FBS.Common.TraceDirection.DIRECTION_IN,
                FBS.Producer.TraceInfoUnion.FromKeyFrameTraceInfo(new FBS.Producer.KeyFrameTraceInfoT { RtpPacket = RtpPacketDump.ToFbs(packet, true), IsRtx = isRtx }));
        }
    }

    private void Trace(FBS.Producer.TraceEventType type, FBS.Common.TraceDirection direction, FBS.Producer.TraceInfoUnion? info)
    {
        var n = new FBS.Producer.TraceNotificationT
        {
            Type = type,
            Timestamp = (ulong)_ctx.Loop.NowMs,
            Direction = direction,
            Info = info,
        };
        var b = _ctx.Channel.BeginNotification();
        int off = FBS.Producer.TraceNotification.Pack(b, n).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.PRODUCER_TRACE, FBS.Notification.Body.Producer_TraceNotification, off);
    }

    private bool IsCodecPayloadType(byte pt)
    {
        foreach (RtpCodec c in RtpParameters.Codecs)
        {
            if (c.PayloadType == pt && c.MimeType.IsMediaCodec)
                return true;
        }
        return false;
    }

    /// <summary>Matches a packet of an unknown SSRC to an encoding: by SSRC, RTX SSRC, RID or
    /// RRID, or the only encoding when it names neither.</summary>
    private ProducerStream? CreateStream(RtpPacket packet, out bool isRtx)
    {
        isRtx = false;
        uint ssrc = packet.Ssrc;
        int index = -1;
        List<RtpEncoding> encodings = RtpParameters.Encodings;
        for (int i = 0; i < encodings.Count && index < 0; i++)
        {
            if (encodings[i].Ssrc == ssrc && ssrc != 0)
                index = i;
            else if (encodings[i].HasRtx && encodings[i].RtxSsrc == ssrc && ssrc != 0)
            {
                index = i;
                isRtx = true;
            }
        }
        if (index < 0 && packet.TryReadRid(out ReadOnlySpan<byte> rid))
            index = FindByRid(rid);
        if (index < 0 && packet.TryReadRrid(out ReadOnlySpan<byte> rrid))
        {
            index = FindByRid(rrid);
            isRtx = index >= 0;
        }
        if (index < 0 && encodings.Count == 1 && encodings[0].Ssrc == 0 && encodings[0].Rid.Length == 0)
        {
            index = 0;
            isRtx = RtpParameters.RtxCodecForEncoding(encodings[0]) is RtpCodec rtx && rtx.PayloadType == packet.PayloadType;
        }
        if (index < 0)
            return null;

        if (_streams.Length != encodings.Count)
            Array.Resize(ref _streams, encodings.Count);
        ProducerStream? existing = _streams[index];
        RtpEncoding enc = encodings[index];
        RtpCodec codec = RtpParameters.CodecForEncoding(enc);
        RtpCodec? rtxCodec = RtpParameters.RtxCodecForEncoding(enc);
        if (existing != null)
        {
            // The other half (media or RTX) of an existing stream shows up with its SSRC.
            if (isRtx && existing.RtxSsrc == 0)
                existing.RtxSsrc = ssrc;
            return isRtx ? existing : null;
        }
        if (isRtx)
            return null; // RTX before any media of its stream: nothing to repair yet
        bool useNack = codec.HasFeedback("nack");
        var options = new RecvStreamOptions
        {
            ClockRate = codec.ClockRate,
            SpatialLayers = (byte)enc.SpatialLayers,
            TemporalLayers = (byte)enc.TemporalLayers,
            UseNack = useNack,
            UsePli = codec.HasFeedback("nack", "pli"),
            UseFir = codec.HasFeedback("ccm", "fir"),
            UseInBandFec = codec.Parameters.TryGetInteger("useinbandfec", out int fec) && fec == 1,
            UseDtx = enc.Dtx,
            HasRtx = rtxCodec != null,
            // Only simulcast streams go silent on purpose; their score then drops to 0.
            UseInactivityCheck = Type == RtpStreamType.Simulcast && encodings.Count > 1,
        };
        var stream = new ProducerStream
        {
            EncodingIdx = index,
            Ssrc = ssrc,
            MappedSsrc = RtpMapping.Encodings[index].MappedSsrc,
            PayloadType = codec.PayloadType,
            Codec = codec,
            CodecKind = CodecKinds.FromMimeType(codec.MimeType.ToString()),
            Stats = new RecvStreamStats(options, _ctx.Loop.NowMs),
            Nack = useNack ? new NackGenerator() : null,
            RtxSsrc = enc.HasRtx ? enc.RtxSsrc : 0,
            RtxPayloadType = rtxCodec?.PayloadType ?? 0,
            Rid = enc.Rid,
            UsePli = options.UsePli,
            UseFir = options.UseFir,
        };
        // AV1/H264 layers come from the dependency descriptor, when the sender includes it.
        if (_extIds.DependencyDescriptor != 0 && stream.CodecKind is CodecKind.Av1 or CodecKind.H264)
            stream.DependencyDescriptor = new DependencyDescriptorContext();
        if (rtxCodec != null)
            stream.Stats.EnableRtx();
        _streams[index] = stream;
        EnsureTimer();
        StreamScores[index] = stream.Score;
        EmitScores();
        // Consumers learn the new stream's score (a simulcast consumer starts forwarding on it).
        foreach (Consumer c in Consumers)
            c.OnProducerStreamScore(index, stream.Score);
        return stream;
    }

    private int FindByRid(ReadOnlySpan<byte> rid)
    {
        List<RtpEncoding> encodings = RtpParameters.Encodings;
        for (int i = 0; i < encodings.Count; i++)
        {
            string r = encodings[i].Rid;
            if (r.Length == rid.Length && System.Text.Encoding.ASCII.GetByteCount(r) == r.Length && RidEquals(r, rid))
                return i;
        }
        return -1;
    }

    private static bool RidEquals(string s, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != bytes[i])
                return false;
        }
        return true;
    }

    /// <summary>Keeps only what consumers may forward, under the router's fixed ids, with an
    /// 8-byte MID slot that each consumer fills with its own MID.</summary>
    private bool RewriteExtensions(RtpPacket packet)
    {
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[12];
        Span<byte> values = stackalloc byte[128];
        var builder = new ExtensionListBuilder(specs, values);
        HeaderExtensionIds internalIds = HeaderExtensionIds.Internal;
        builder.Reserve(internalIds.Mid, HeaderExtensionIds.MidMaxLength);
        if (Kind == MediaKind.Audio)
        {
            // Audio leaves without abs-send-time and transport-wide sequence numbers: the
            // sender's values describe its own link, and bandwidth estimation runs on video.
            CopyExtension(packet, ref builder, _extIds.SsrcAudioLevel, internalIds.SsrcAudioLevel);
        }
        else
        {
            // Empty slots the sending transport stamps with its own send time and
            // transport-wide sequence number (whatever the sender put there is of its link).
            builder.Reserve(internalIds.AbsSendTime, 3);
            builder.Reserve(internalIds.TransportWideCc01, 2);
            CopyExtension(packet, ref builder, _extIds.DependencyDescriptor, internalIds.DependencyDescriptor);
            CopyExtension(packet, ref builder, _extIds.VideoOrientation, internalIds.VideoOrientation);
            CopyExtension(packet, ref builder, _extIds.TimeOffset, internalIds.TimeOffset);
        }
        CopyExtension(packet, ref builder, _extIds.AbsCaptureTime, internalIds.AbsCaptureTime);
        CopyExtension(packet, ref builder, _extIds.PlayoutDelay, internalIds.PlayoutDelay);
        CopyExtension(packet, ref builder, _extIds.MediasoupPacketId, internalIds.MediasoupPacketId);
        if (!builder.Apply(packet))
            return false;
        packet.ExtensionIds = internalIds;
        return true;
    }

    private static void CopyExtension(RtpPacket packet, ref ExtensionListBuilder builder, byte fromId, byte toId)
    {
        if (fromId != 0 && packet.TryGetExtension(fromId, out Span<byte> value))
            builder.Add(toId, value);
    }

    private byte _firSequence;

    /// <summary>FIR command sequence number (RFC 5104 §4.3.1.1), one per request.</summary>
    public byte NextFirSequence() => ++_firSequence;

    /// <summary>A consumer wants a key frame of the stream it forwards (mapped SSRC).</summary>
    public void RequestKeyFrame(uint mappedSsrc)
    {
        if (Kind != MediaKind.Video || Paused)
            return;
        foreach (ProducerStream? s in _streams)
        {
            if (s != null && s.MappedSsrc == mappedSsrc)
                RequestKeyFrameFor(s, force: false);
        }
    }

    private KeyFrameRequestManager? _keyFrames;
    private LoopTimer? _timer;

    private void EnsureTimer()
    {
        if (_timer != null)
            return;
        if (Kind == MediaKind.Video)
            _keyFrames = new KeyFrameRequestManager(KeyFrameRequestDelayMs);
        _timer = _ctx.Loop.CreateTimer(OnTimer);
        _timer.Start(40, 40);
    }

    /// <summary>Coalesced through the key frame manager (delay, one retry); force bypasses the delay.</summary>
    private void RequestKeyFrameFor(ProducerStream s, bool force)
    {
        if (!(s.UsePli || s.UseFir) || _keyFrames == null)
            return;
        long nowMs = _ctx.Loop.NowMs;
        if (force)
            _keyFrames.ForceKeyFrameNeeded(s.Ssrc, nowMs);
        if (force || _keyFrames.KeyFrameNeeded(s.Ssrc, nowMs))
            SendKeyFrameRequest(s);
    }

    private void SendKeyFrameRequest(ProducerStream s)
    {
        KeyFrameRequestKind kind = s.Stats.RequestKeyFrame(out byte _);
        bool useFir = kind == KeyFrameRequestKind.Fir || (!s.UsePli && s.UseFir);
        _listener.OnProducerNeedsKeyFrame(this, s.Ssrc, useFir);
        var type = useFir ? FBS.Producer.TraceEventType.FIR : FBS.Producer.TraceEventType.PLI;
        if (_traceEventTypes.Contains(type))
        {
            Trace(type, FBS.Common.TraceDirection.DIRECTION_OUT, useFir
                ? FBS.Producer.TraceInfoUnion.FromFirTraceInfo(new FBS.Producer.FirTraceInfoT { Ssrc = s.Ssrc })
                : FBS.Producer.TraceInfoUnion.FromPliTraceInfo(new FBS.Producer.PliTraceInfoT { Ssrc = s.Ssrc }));
        }
    }

    private void EmitScores()
    {
        var b = _ctx.Channel.BeginNotification();
        var scores = new List<FBS.Producer.ScoreT>();
        foreach (ProducerStream? s in _streams)
        {
            if (s == null)
                continue;
            scores.Add(new FBS.Producer.ScoreT { EncodingIdx = (uint)s.EncodingIdx, Ssrc = s.Ssrc, Rid = s.Rid.Length > 0 ? s.Rid : null, Score_ = s.Score });
        }
        var n = new FBS.Producer.ScoreNotificationT { Scores = scores };
        int offset = FBS.Producer.ScoreNotification.Pack(b, n).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.PRODUCER_SCORE, FBS.Notification.Body.Producer_ScoreNotification, offset);
    }

    public static string TypeName(RtpStreamType t) => t switch
    {
        RtpStreamType.Simple => "simple",
        RtpStreamType.Simulcast => "simulcast",
        RtpStreamType.Svc => "svc",
        _ => "pipe",
    };

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.PRODUCER_DUMP:
            {
                var dump = new FBS.Producer.DumpResponseT
                {
                    Id = Id,
                    Kind = Kind == MediaKind.Audio ? FBS.RtpParameters.MediaKind.AUDIO : FBS.RtpParameters.MediaKind.VIDEO,
                    Type = (FBS.RtpParameters.Type)Type,
                    RtpParameters = RtpParameters.ToFbs(),
                    RtpMapping = RtpMapping.ToFbs(),
                    RtpStreams = StreamDumps(),
                    TraceEventTypes = new List<FBS.Producer.TraceEventType>(_traceEventTypes),
                    Paused = Paused,
                };
                request.Accept(FBS.Response.Body.Producer_DumpResponse, FBS.Producer.DumpResponse.Pack(request.Builder, dump).Value);
                break;
            }

            case FBS.Request.Method.PRODUCER_GET_STATS:
            {
                var stats = new FBS.Producer.GetStatsResponseT { Stats = new List<FBS.RtpStream.StatsT>() };
                ulong wallMs = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (ProducerStream? st in _streams)
                {
                    if (st != null)
                        stats.Stats.Add(st.ToStats(Kind, _ctx.Loop.NowMs, wallMs));
                }
                request.Accept(FBS.Response.Body.Producer_GetStatsResponse, FBS.Producer.GetStatsResponse.Pack(request.Builder, stats).Value);
                break;
            }

            case FBS.Request.Method.PRODUCER_PAUSE:
                if (!Paused)
                {
                    Paused = true;
                    _listener.OnProducerPaused(this);
                }
                request.Accept();
                break;

            case FBS.Request.Method.PRODUCER_RESUME:
                if (Paused)
                {
                    Paused = false;
                    _listener.OnProducerResumed(this);
                    // Consumers resync on a key frame: ask for one on every stream.
                    foreach (ProducerStream? st in _streams)
                    {
                        if (st != null && Kind == MediaKind.Video)
                            RequestKeyFrameFor(st, force: true);
                    }
                }
                request.Accept();
                break;

            case FBS.Request.Method.PRODUCER_ENABLE_TRACE_EVENT:
            {
                var body = request.Body<FBS.Producer.EnableTraceEventRequest>(FBS.Request.Body.Producer_EnableTraceEventRequest);
                TraceEventSelection.Replace(_traceEventTypes, body.GetEventsBytes());
                request.Accept();
                break;
            }

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    public void HandleNotification(ChannelNotification notification)
    {
        switch (notification.Event)
        {
            case FBS.Notification.Event.PRODUCER_SEND:
            {
                var body = notification.Body<FBS.Producer.SendNotification>(FBS.Notification.Body.Producer_SendNotification);
                if (body.GetDataBytes() is ArraySegment<byte> data && _listener is Transports.DirectTransport direct)
                    direct.ReceiveRtpFromChannel(data);
                break;
            }
            default:
                throw new MediasoupError($"unknown event '{notification.Event}'");
        }
    }

    private List<FBS.RtpStream.DumpT> StreamDumps()
    {
        var list = new List<FBS.RtpStream.DumpT>();
        foreach (ProducerStream? st in _streams)
        {
            if (st != null)
                list.Add(st.ToDump(RtpParameters.Cname));
        }
        return list;
    }

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _timer?.Stop();
        _ctx.Registry.Unregister(Id);
    }
}
