using System;
using System.Collections.Generic;
using Mediasoup.Channel;
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
                    RtpStreams = new List<FBS.RtpStream.DumpT>(),
                    TraceEventTypes = new List<FBS.Producer.TraceEventType>(_traceEventTypes),
                    Paused = Paused,
                };
                request.Accept(FBS.Response.Body.Producer_DumpResponse, FBS.Producer.DumpResponse.Pack(request.Builder, dump).Value);
                break;
            }

            case FBS.Request.Method.PRODUCER_GET_STATS:
            {
                var stats = new FBS.Producer.GetStatsResponseT { Stats = new List<FBS.RtpStream.StatsT>() };
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
                }
                request.Accept();
                break;

            case FBS.Request.Method.PRODUCER_ENABLE_TRACE_EVENT:
            {
                var body = request.Body<FBS.Producer.EnableTraceEventRequest>(FBS.Request.Body.Producer_EnableTraceEventRequest);
                _traceEventTypes.Clear();
                for (int i = 0; i < body.EventsLength; i++)
                {
                    FBS.Producer.TraceEventType t = body.Events(i);
                    if (!_traceEventTypes.Contains(t))
                        _traceEventTypes.Add(t);
                }
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
                // RTP injected through the channel (DirectTransport): handled with the media plane.
                break;
            default:
                throw new MediasoupError($"unknown event '{notification.Event}'");
        }
    }

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
    }
}
