using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Worker;

namespace Mediasoup.Data;

internal interface IDataProducerListener
{
    void OnDataProducerPaused(DataProducer producer);
    void OnDataProducerResumed(DataProducer producer);

    /// <summary>A message to fan out to the producer's data consumers.</summary>
    void OnDataProducerMessage(DataProducer producer, ReadOnlySpan<byte> data, uint ppid,
        ReadOnlySpan<ushort> subchannels, ushort? requiredSubchannel, ushort? ignoredSubchannel);
}

/// <summary>Messages entering the router on one SCTP stream or through the channel (direct).</summary>
internal sealed class DataProducer : IRequestHandler, INotificationHandler
{
    private readonly WorkerContext _ctx;
    private readonly IDataProducerListener _listener;
    private bool _closed;

    public DataProducer(WorkerContext ctx, IDataProducerListener listener, FBS.Transport.ProduceDataRequest request, uint maxMessageSize)
    {
        _ctx = ctx;
        _listener = listener;
        Id = request.DataProducerId ?? throw new MediasoupTypeError("missing dataProducerId");
        Type = request.Type;
        if (Type == FBS.DataProducer.Type.SCTP)
        {
            FBS.SctpParameters.SctpStreamParameters p = request.SctpStreamParameters
                ?? throw new MediasoupTypeError("missing sctpStreamParameters");
            SctpStreamParameters = SctpStreamParameters.FromFbs(p);
        }
        Label = request.Label ?? "";
        Protocol = request.Protocol ?? "";
        Paused = request.Paused;
        MaxMessageSize = maxMessageSize;
        ctx.Registry.Register(Id, this, this);
    }

    public string Id { get; }
    public FBS.DataProducer.Type Type { get; }
    public SctpStreamParameters? SctpStreamParameters { get; }
    public string Label { get; }
    public string Protocol { get; }
    public bool Paused { get; private set; }
    public uint MaxMessageSize { get; }
    public ulong MessagesReceived { get; private set; }
    public ulong BytesReceived { get; private set; }

    public FBS.DataProducer.DumpResponseT ToDump() => new()
    {
        Id = Id,
        Type = Type,
        SctpStreamParameters = SctpStreamParameters?.ToFbs(),
        Label = Label,
        Protocol = Protocol,
        Paused = Paused,
    };

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.DATAPRODUCER_DUMP:
                request.Accept(FBS.Response.Body.DataProducer_DumpResponse, FBS.DataProducer.DumpResponse.Pack(request.Builder, ToDump()).Value);
                break;

            case FBS.Request.Method.DATAPRODUCER_GET_STATS:
            {
                var stats = new FBS.DataProducer.GetStatsResponseT
                {
                    Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    Label = Label,
                    Protocol = Protocol,
                    MessagesReceived = MessagesReceived,
                    BytesReceived = BytesReceived,
                };
                request.Accept(FBS.Response.Body.DataProducer_GetStatsResponse, FBS.DataProducer.GetStatsResponse.Pack(request.Builder, stats).Value);
                break;
            }

            case FBS.Request.Method.DATAPRODUCER_PAUSE:
                if (!Paused)
                {
                    Paused = true;
                    _listener.OnDataProducerPaused(this);
                }
                request.Accept();
                break;

            case FBS.Request.Method.DATAPRODUCER_RESUME:
                if (Paused)
                {
                    Paused = false;
                    _listener.OnDataProducerResumed(this);
                }
                request.Accept();
                break;

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    public void HandleNotification(ChannelNotification notification)
    {
        if (notification.Event != FBS.Notification.Event.DATAPRODUCER_SEND)
            throw new MediasoupError($"unknown event '{notification.Event}'");
        var body = notification.Body<FBS.DataProducer.SendNotification>(FBS.Notification.Body.DataProducer_SendNotification);
        ArraySegment<byte> data = body.GetDataBytes() ?? ArraySegment<byte>.Empty;
        if ((uint)data.Count > MaxMessageSize)
            throw new MediasoupTypeError($"given message exceeds maxMessageSize value [maxMessageSize:{MaxMessageSize}, len:{data.Count}]");
        Span<ushort> subchannels = stackalloc ushort[Math.Min(body.SubchannelsLength, 256)];
        for (int i = 0; i < subchannels.Length; i++)
            subchannels[i] = body.Subchannels(i);
        ReceiveMessage(data, body.Ppid, subchannels, body.RequiredSubchannel, body.IgnoredSubchannel);
    }

    /// <summary>A message from the endpoint (SCTP) or the host (direct). Counted even while
    /// paused; forwarded only when not paused.</summary>
    public void ReceiveMessage(ReadOnlySpan<byte> data, uint ppid, ReadOnlySpan<ushort> subchannels,
        ushort? requiredSubchannel, ushort? ignoredSubchannel)
    {
        MessagesReceived++;
        BytesReceived += (ulong)data.Length;
        if (Paused)
            return;
        _listener.OnDataProducerMessage(this, data, ppid, subchannels, requiredSubchannel, ignoredSubchannel);
    }

    public List<DataConsumer> Consumers { get; } = new();

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
    }
}
