using System;
using System.Collections.Generic;
using Google.FlatBuffers;
using Mediasoup.Channel;
using Mediasoup.Worker;

namespace Mediasoup.Data;

internal interface IDataConsumerListener
{
    /// <summary>Delivers a message over SCTP; returns false when it could not be queued.</summary>
    bool OnDataConsumerSendSctpMessage(DataConsumer consumer, ReadOnlySpan<byte> data, uint ppid, out bool sendBufferFull);

    void OnDataConsumerDataProducerClosed(DataConsumer consumer);
}

/// <summary>
/// Messages leaving the router towards one endpoint: over an SCTP stream, or as channel
/// notifications (direct). Filters by subchannels.
/// </summary>
internal sealed class DataConsumer : IRequestHandler
{
    private readonly WorkerContext _ctx;
    private readonly IDataConsumerListener _listener;
    private readonly SortedSet<ushort> _subchannels = new();
    private bool _closed;

    public DataConsumer(WorkerContext ctx, IDataConsumerListener listener, FBS.Transport.ConsumeDataRequest request,
        uint maxMessageSize, bool pipe)
    {
        _ctx = ctx;
        _listener = listener;
        Id = request.DataConsumerId ?? throw new MediasoupTypeError("missing dataConsumerId");
        DataProducerId = request.DataProducerId ?? throw new MediasoupTypeError("missing dataProducerId");
        Type = request.Type;
        if (Type == FBS.DataConsumer.Type.SCTP)
        {
            FBS.SctpParameters.SctpStreamParameters p = request.SctpStreamParameters
                ?? throw new MediasoupTypeError("missing sctpStreamParameters");
            SctpStreamParameters = SctpStreamParameters.FromFbs(p);
        }
        Label = request.Label ?? "";
        Protocol = request.Protocol ?? "";
        Paused = request.Paused;
        for (int i = 0; i < request.SubchannelsLength; i++)
            _subchannels.Add(request.Subchannels(i));
        MaxMessageSize = maxMessageSize;
        Pipe = pipe;
        ctx.Registry.Register(Id, this, null);
    }

    public string Id { get; }
    public string DataProducerId { get; }
    public FBS.DataConsumer.Type Type { get; }
    public SctpStreamParameters? SctpStreamParameters { get; }
    public string Label { get; }
    public string Protocol { get; }
    public bool Paused { get; private set; }
    public bool DataProducerPaused { get; set; }
    public bool Pipe { get; }
    public uint MaxMessageSize { get; }
    public uint BufferedAmount { get; set; }
    public uint BufferedAmountLowThreshold { get; private set; } = 1024;
    public ulong MessagesSent { get; private set; }
    public ulong BytesSent { get; private set; }
    public bool SctpAssociationUsable { get; set; }

    private bool IsActive => !Paused && !DataProducerPaused && !_closed
                             && (Type == FBS.DataConsumer.Type.DIRECT || SctpAssociationUsable);

    public FBS.DataConsumer.DumpResponseT ToDump() => new()
    {
        Id = Id,
        DataProducerId = DataProducerId,
        Type = Type,
        SctpStreamParameters = SctpStreamParameters?.ToFbs(),
        Label = Label,
        Protocol = Protocol,
        BufferedAmount = BufferedAmount,
        BufferedAmountLowThreshold = BufferedAmountLowThreshold,
        Paused = Paused,
        DataProducerPaused = DataProducerPaused,
        Subchannels = new List<ushort>(_subchannels),
    };

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.DATACONSUMER_DUMP:
                request.Accept(FBS.Response.Body.DataConsumer_DumpResponse, FBS.DataConsumer.DumpResponse.Pack(request.Builder, ToDump()).Value);
                break;

            case FBS.Request.Method.DATACONSUMER_GET_STATS:
            {
                var stats = new FBS.DataConsumer.GetStatsResponseT
                {
                    Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    Label = Label,
                    Protocol = Protocol,
                    MessagesSent = MessagesSent,
                    BytesSent = BytesSent,
                    BufferedAmount = BufferedAmount,
                };
                request.Accept(FBS.Response.Body.DataConsumer_GetStatsResponse, FBS.DataConsumer.GetStatsResponse.Pack(request.Builder, stats).Value);
                break;
            }

            case FBS.Request.Method.DATACONSUMER_PAUSE:
                Paused = true;
                request.Accept();
                break;

            case FBS.Request.Method.DATACONSUMER_RESUME:
                Paused = false;
                request.Accept();
                break;

            case FBS.Request.Method.DATACONSUMER_GET_BUFFERED_AMOUNT:
            {
                var r = new FBS.DataConsumer.GetBufferedAmountResponseT { BufferedAmount = BufferedAmount };
                request.Accept(FBS.Response.Body.DataConsumer_GetBufferedAmountResponse, FBS.DataConsumer.GetBufferedAmountResponse.Pack(request.Builder, r).Value);
                break;
            }

            case FBS.Request.Method.DATACONSUMER_SET_BUFFERED_AMOUNT_LOW_THRESHOLD:
            {
                var body = request.Body<FBS.DataConsumer.SetBufferedAmountLowThresholdRequest>(FBS.Request.Body.DataConsumer_SetBufferedAmountLowThresholdRequest);
                BufferedAmountLowThreshold = body.Threshold;
                request.Accept();
                // Already below the new threshold: say so now, as the reference does.
                if (BufferedAmount <= BufferedAmountLowThreshold && Type == FBS.DataConsumer.Type.SCTP)
                    EmitBufferedAmountLow();
                break;
            }

            case FBS.Request.Method.DATACONSUMER_SEND:
            {
                if (Type != FBS.DataConsumer.Type.SCTP)
                    throw new MediasoupTypeError("invalid DataConsumer type");
                var body = request.Body<FBS.DataConsumer.SendRequest>(FBS.Request.Body.DataConsumer_SendRequest);
                ArraySegment<byte> data = body.GetDataBytes() ?? ArraySegment<byte>.Empty;
                if ((uint)data.Count > MaxMessageSize)
                    throw new MediasoupTypeError($"given message exceeds maxMessageSize value [maxMessageSize:{MaxMessageSize}, len:{data.Count}]");
                if (!IsActive)
                    throw new MediasoupError("message send failed");
                if (!_listener.OnDataConsumerSendSctpMessage(this, data, body.Ppid, out bool full))
                    throw new MediasoupError(full ? "sctpsendbufferfull" : "message send failed");
                MessagesSent++;
                BytesSent += (ulong)data.Count;
                var r = new FBS.DataConsumer.SendResponseT { BufferedAmount = BufferedAmount };
                request.Accept(FBS.Response.Body.DataConsumer_SendResponse, FBS.DataConsumer.SendResponse.Pack(request.Builder, r).Value);
                break;
            }

            case FBS.Request.Method.DATACONSUMER_SET_SUBCHANNELS:
            {
                var body = request.Body<FBS.DataConsumer.SetSubchannelsRequest>(FBS.Request.Body.DataConsumer_SetSubchannelsRequest);
                _subchannels.Clear();
                for (int i = 0; i < body.SubchannelsLength; i++)
                    _subchannels.Add(body.Subchannels(i));
                var r = new FBS.DataConsumer.SetSubchannelsResponseT { Subchannels = new List<ushort>(_subchannels) };
                request.Accept(FBS.Response.Body.DataConsumer_SetSubchannelsResponse, FBS.DataConsumer.SetSubchannelsResponse.Pack(request.Builder, r).Value);
                break;
            }

            case FBS.Request.Method.DATACONSUMER_ADD_SUBCHANNEL:
            {
                var body = request.Body<FBS.DataConsumer.AddSubchannelRequest>(FBS.Request.Body.DataConsumer_AddSubchannelRequest);
                _subchannels.Add(body.Subchannel);
                var r = new FBS.DataConsumer.AddSubchannelResponseT { Subchannels = new List<ushort>(_subchannels) };
                request.Accept(FBS.Response.Body.DataConsumer_AddSubchannelResponse, FBS.DataConsumer.AddSubchannelResponse.Pack(request.Builder, r).Value);
                break;
            }

            case FBS.Request.Method.DATACONSUMER_REMOVE_SUBCHANNEL:
            {
                var body = request.Body<FBS.DataConsumer.RemoveSubchannelRequest>(FBS.Request.Body.DataConsumer_RemoveSubchannelRequest);
                _subchannels.Remove(body.Subchannel);
                var r = new FBS.DataConsumer.RemoveSubchannelResponseT { Subchannels = new List<ushort>(_subchannels) };
                request.Accept(FBS.Response.Body.DataConsumer_RemoveSubchannelResponse, FBS.DataConsumer.RemoveSubchannelResponse.Pack(request.Builder, r).Value);
                break;
            }

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    /// <summary>Whether a message with these subchannel options is for this consumer.</summary>
    public bool AcceptsSubchannels(ReadOnlySpan<ushort> subchannels, ushort? required, ushort? ignored)
    {
        // A pipe without subscriptions carries everything; the other side filters.
        if (Pipe && _subchannels.Count == 0)
            return true;
        if (required is ushort r && !_subchannels.Contains(r))
            return false;
        if (!Pipe && ignored is ushort i && _subchannels.Contains(i))
            return false;
        if (subchannels.IsEmpty)
            return true;
        foreach (ushort s in subchannels)
        {
            if (_subchannels.Contains(s))
                return true;
        }
        return false;
    }

    /// <summary>A message from the data producer.</summary>
    public void SendMessage(ReadOnlySpan<byte> data, uint ppid, ReadOnlySpan<ushort> subchannels, ushort? required, ushort? ignored)
    {
        if (!IsActive || !AcceptsSubchannels(subchannels, required, ignored) || (uint)data.Length > MaxMessageSize)
            return;
        if (Type == FBS.DataConsumer.Type.DIRECT)
        {
            FlatBufferBuilder b = _ctx.Channel.BeginNotification();
            b.StartVector(1, data.Length, 1);
            for (int k = data.Length - 1; k >= 0; k--)
                b.PutByte(data[k]);
            VectorOffset vector = b.EndVector();
            int off = FBS.DataConsumer.MessageNotification.CreateMessageNotification(b, ppid, vector).Value;
            _ctx.Channel.SendNotification(Id, FBS.Notification.Event.DATACONSUMER_MESSAGE, FBS.Notification.Body.DataConsumer_MessageNotification, off);
        }
        else if (Pipe && (!subchannels.IsEmpty || required.HasValue || ignored.HasValue))
        {
            // Carry the subchannel info across the pipe: only subchannels this pipe subscribes
            // to (all of them when it subscribes to none).
            Span<ushort> carried = stackalloc ushort[subchannels.Length];
            int n = 0;
            foreach (ushort sc in subchannels)
            {
                if (_subchannels.Count == 0 || _subchannels.Contains(sc))
                    carried[n++] = sc;
            }
            byte[] encoded = new byte[SubchannelsCodec.EncodedLength(n, required, ignored) + data.Length];
            int len = SubchannelsCodec.Encode(encoded, carried[..n], required, ignored, data);
            if (len < 0 || !_listener.OnDataConsumerSendSctpMessage(this, encoded.AsSpan(0, len), ppid, out _))
                return;
        }
        else if (!_listener.OnDataConsumerSendSctpMessage(this, data, ppid, out _))
        {
            return;
        }
        MessagesSent++;
        BytesSent += (ulong)data.Length;
    }

    public void EmitBufferedAmountLow()
    {
        var b = _ctx.Channel.BeginNotification();
        int off = FBS.DataConsumer.BufferedAmountLowNotification.CreateBufferedAmountLowNotification(b, BufferedAmount).Value;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.DATACONSUMER_BUFFERED_AMOUNT_LOW, FBS.Notification.Body.DataConsumer_BufferedAmountLowNotification, off);
    }

    public void OnDataProducerPaused()
    {
        if (DataProducerPaused)
            return;
        DataProducerPaused = true;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.DATACONSUMER_DATAPRODUCER_PAUSE);
    }

    public void OnDataProducerResumed()
    {
        if (!DataProducerPaused)
            return;
        DataProducerPaused = false;
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.DATACONSUMER_DATAPRODUCER_RESUME);
    }

    public void OnDataProducerClosed()
    {
        _ctx.Channel.SendNotification(Id, FBS.Notification.Event.DATACONSUMER_DATAPRODUCER_CLOSE);
        _listener.OnDataConsumerDataProducerClosed(this);
    }

    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
    }
}
