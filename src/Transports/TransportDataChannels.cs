using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Data;
using Mediasoup.Loop;
using Mediasoup.Sctp;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>What a transport lends its data channels: its identity towards the router, its
/// listener, whether media may flow, and the wire for SCTP packets.</summary>
internal interface IDataChannelsOwner
{
    /// <summary>The transport the router knows these data producers and consumers by.</summary>
    Transport Transport { get; }

    ITransportListener Listener { get; }

    bool IsConnected { get; }

    /// <summary>PipeTransports carry subchannel-encoded messages between routers.</summary>
    bool IsPipe { get; }

    /// <summary>One SCTP packet to put on the wire (DTLS application data, or a datagram).</summary>
    void SendSctpPacket(ReadOnlySpan<byte> packet);
}

/// <summary>
/// A transport's data producers and consumers and, when SCTP is enabled, the SCTP
/// association that carries them: the data requests of the transport, the stream table,
/// the association's timer, and the buffered amounts its consumers report.
/// </summary>
internal sealed class TransportDataChannels : IDataProducerListener, IDataConsumerListener, ISctpAssociationListener
{
    /// <summary>DCEP (RFC 8832) control messages: channels here are pre-negotiated, so a stray
    /// DATA_CHANNEL_OPEN/ACK is not data and is not forwarded.</summary>
    private const uint DcepPpid = 50;

    /// <summary>Message size limit when the host gave none.</summary>
    private const uint DefaultMaxMessageSize = 262144;

    private readonly WorkerContext _ctx;
    private readonly IDataChannelsOwner _owner;
    private readonly Dictionary<string, DataProducer> _dataProducers = new();
    private readonly Dictionary<string, DataConsumer> _dataConsumers = new();
    private readonly SortedDictionary<ushort, DataProducer> _sctpStreamProducers = new();
    private readonly SctpDataAccounting _sctpAccounting = new();
    private SctpAssociation? _sctp;
    private LoopTimer? _sctpTimer;
    private ushort _negotiatedOs, _negotiatedMis;
    private DataConsumer? _sendingConsumer;

    public TransportDataChannels(WorkerContext ctx, IDataChannelsOwner owner)
    {
        _ctx = ctx;
        _owner = owner;
    }

    private Transport Transport => _owner.Transport;

    private Transport.SctpOptions? Sctp => _owner.Transport.Sctp;

    public IEnumerable<string> DataProducerIds => _dataProducers.Keys;

    public IEnumerable<string> DataConsumerIds => _dataConsumers.Keys;

    public SctpAssociationState SctpState => _sctp?.State ?? SctpAssociationState.New;

    /// <summary>The transport's data requests; false when the method is not one of them.</summary>
    public bool TryHandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.TRANSPORT_CLOSE_DATAPRODUCER:
            {
                var body = request.Body<FBS.Transport.CloseDataProducerRequest>(FBS.Request.Body.Transport_CloseDataProducerRequest);
                if (!_dataProducers.TryGetValue(body.DataProducerId ?? "", out DataProducer? dp))
                    throw new MediasoupNotFoundError($"DataProducer not found [method:{request.MethodName}]");
                RemoveDataProducer(dp);
                request.Accept();
                return true;
            }

            case FBS.Request.Method.TRANSPORT_CLOSE_DATACONSUMER:
            {
                var body = request.Body<FBS.Transport.CloseDataConsumerRequest>(FBS.Request.Body.Transport_CloseDataConsumerRequest);
                if (!_dataConsumers.TryGetValue(body.DataConsumerId ?? "", out DataConsumer? dc))
                    throw new MediasoupNotFoundError($"DataConsumer not found [method:{request.MethodName}]");
                RemoveDataConsumer(dc);
                _owner.Listener.OnTransportDataConsumerClosed(Transport, dc);
                request.Accept();
                return true;
            }

            case FBS.Request.Method.TRANSPORT_PRODUCE_DATA:
                ProduceData(request);
                return true;

            case FBS.Request.Method.TRANSPORT_CONSUME_DATA:
                ConsumeData(request);
                return true;

            default:
                return false;
        }
    }

    private void CheckDataType(bool isSctp, string what)
    {
        bool direct = Transport.Direct;
        if (Sctp == null && !direct)
            throw new MediasoupError("SCTP not enabled and not a direct Transport");
        if (isSctp && Sctp == null)
            throw new MediasoupTypeError($"cannot create a {what} of type 'sctp', SCTP not enabled in this Transport");
        if (!isSctp && !direct)
            throw new MediasoupTypeError($"cannot create a {what} of type 'direct', not a direct Transport");
    }

    private void ProduceData(ChannelRequest request)
    {
        var body = request.Body<FBS.Transport.ProduceDataRequest>(FBS.Request.Body.Transport_ProduceDataRequest);
        string id = body.DataProducerId ?? throw new MediasoupTypeError("missing dataProducerId");
        if (_dataProducers.ContainsKey(id))
            throw new MediasoupError($"a DataProducer with same dataProducerId already exists [method:{request.MethodName}]");
        CheckDataType(body.Type == FBS.DataProducer.Type.SCTP, "DataProducer");
        uint maxSize = Transport.MaxReceiveMessageSize;
        var dp = new DataProducer(_ctx, this, body, maxSize != 0 ? maxSize : DefaultMaxMessageSize);
        try
        {
            if (dp.SctpStreamParameters is SctpStreamParameters sp && _sctpStreamProducers.ContainsKey(sp.StreamId))
                throw new MediasoupError($"streamId already exists in SCTP listener [streamId:{sp.StreamId}]");
            _owner.Listener.OnTransportNewDataProducer(Transport, dp);
        }
        catch
        {
            dp.Close();
            throw;
        }
        if (dp.SctpStreamParameters is SctpStreamParameters p)
            _sctpStreamProducers[p.StreamId] = dp;
        _dataProducers.Add(id, dp);
        MaySctpConnect();
        request.Accept(FBS.Response.Body.DataProducer_DumpResponse, FBS.DataProducer.DumpResponse.Pack(request.Builder, dp.ToDump()).Value);
    }

    private void ConsumeData(ChannelRequest request)
    {
        var body = request.Body<FBS.Transport.ConsumeDataRequest>(FBS.Request.Body.Transport_ConsumeDataRequest);
        string id = body.DataConsumerId ?? throw new MediasoupTypeError("missing dataConsumerId");
        if (_dataConsumers.ContainsKey(id))
            throw new MediasoupError($"a DataConsumer with same dataConsumerId already exists [method:{request.MethodName}]");
        CheckDataType(body.Type == FBS.DataConsumer.Type.SCTP, "DataConsumer");
        DataProducer dp = _owner.Listener.GetDataProducerForConsumer(body.DataProducerId ?? "");
        uint maxSize = Transport.MaxMessageSize;
        var dc = new DataConsumer(_ctx, this, body, maxSize != 0 ? maxSize : DefaultMaxMessageSize, pipe: _owner.IsPipe);
        try
        {
            _owner.Listener.OnTransportNewDataConsumer(Transport, dc, dp);
        }
        catch
        {
            dc.Close();
            throw;
        }
        _dataConsumers.Add(id, dc);
        if (dc.Type == FBS.DataConsumer.Type.SCTP)
            dc.SctpAssociationUsable = _sctp != null && SctpState <= SctpAssociationState.Connected;
        MaySctpConnect();
        request.Accept(FBS.Response.Body.DataConsumer_DumpResponse, FBS.DataConsumer.DumpResponse.Pack(request.Builder, dc.ToDump()).Value);
    }

    private void RemoveDataProducer(DataProducer dp)
    {
        _dataProducers.Remove(dp.Id);
        if (dp.SctpStreamParameters is SctpStreamParameters p)
        {
            _sctpStreamProducers.Remove(p.StreamId);
            // Incoming stream: tell the peer it is gone (stream reset), as with a closed channel.
            if (Sctp is { IsDataChannel: true })
                _sctp?.ResetStream(p.StreamId);
        }
        dp.Close();
        _owner.Listener.OnTransportDataProducerClosed(Transport, dp);
    }

    private void RemoveDataConsumer(DataConsumer dc)
    {
        _dataConsumers.Remove(dc.Id);
        if (dc.SctpStreamParameters is SctpStreamParameters p && _sctp != null
            && _sctp.State == SctpAssociationState.Connected)
            _sctp.ResetStream(p.StreamId);
        dc.Close();
    }

    // ---- IDataProducerListener / IDataConsumerListener ----

    public void OnDataProducerPaused(DataProducer producer) => _owner.Listener.OnTransportDataProducerPaused(Transport, producer);

    public void OnDataProducerResumed(DataProducer producer) => _owner.Listener.OnTransportDataProducerResumed(Transport, producer);

    public void OnDataProducerMessage(DataProducer producer, ReadOnlySpan<byte> data, uint ppid,
        ReadOnlySpan<ushort> subchannels, ushort? requiredSubchannel, ushort? ignoredSubchannel)
    {
        List<DataConsumer> consumers = producer.Consumers;
        for (int i = 0; i < consumers.Count; i++)
            consumers[i].SendMessage(data, ppid, subchannels, requiredSubchannel, ignoredSubchannel);
    }

    public bool OnDataConsumerSendSctpMessage(DataConsumer consumer, ReadOnlySpan<byte> data, uint ppid, out bool sendBufferFull)
    {
        sendBufferFull = false;
        if (_sctp == null || consumer.SctpStreamParameters is not SctpStreamParameters sp)
            return false;
        _sendingConsumer = consumer;
        SctpSendResult result;
        try
        {
            // Counted before the call: usrsctp may put the data on the wire inside it.
            _sctpAccounting.Queued(data.Length);
            result = _sctp.SendSctpMessage(sp.StreamId, ppid, data, sp.Ordered, sp.MaxPacketLifeTime, sp.MaxRetransmits);
            if (result != SctpSendResult.Ok)
                _sctpAccounting.Queued(-data.Length);
        }
        finally
        {
            _sendingConsumer = null;
        }
        ArmSctpTimer();
        consumer.BufferedAmount = (uint)Math.Min(_sctpAccounting.NotYetSent, uint.MaxValue);
        sendBufferFull = result == SctpSendResult.BufferFull;
        return result == SctpSendResult.Ok;
    }

    public void OnDataConsumerDataProducerClosed(DataConsumer consumer) => RemoveDataConsumer(consumer);

    // ---- SCTP association (usrsctp) ----

    /// <summary>Creates the association when SCTP is enabled (kinds call it after binding).</summary>
    public void CreateSctpAssociation()
    {
        if (Sctp is not Transport.SctpOptions o)
            return;
        try
        {
            _sctp = new SctpAssociation(65535, 65535, (int)Math.Max(o.MaxReceiveMessageSize, 1),
                (int)Math.Max(o.SendBufferSize, 1), o.IsDataChannel, this, _ctx.Logger);
        }
        catch (Exception ex)
        {
            throw new MediasoupError($"cannot create the SCTP association: {ex.Message}");
        }
        _sctpTimer = _ctx.Loop.CreateTimer(OnSctpTimer);
    }

    private void OnSctpTimer()
    {
        _sctp?.OnTimer(_ctx.Loop.NowMs);
        ArmSctpTimer();
    }

    private void ArmSctpTimer()
    {
        if (_sctp == null || _sctpTimer == null)
            return;
        long next = _sctp.NextTimerMs;
        if (next == long.MaxValue)
            _sctpTimer.Stop();
        else
            _sctpTimer.Start(Math.Max(0, next - _ctx.Loop.NowMs));
    }

    /// <summary>An SCTP packet from the peer (over DTLS, UDP or TCP).</summary>
    public void ReceiveSctpData(ReadOnlySpan<byte> packet)
    {
        if (_sctp == null)
            return;
        _sctp.ProcessSctpData(packet);
        ArmSctpTimer();
    }

    /// <summary>Opens the association as client once connected and data channels exist.</summary>
    public void MaySctpConnect()
    {
        if (_sctp == null || _sctp.State != SctpAssociationState.New || !_owner.IsConnected)
            return;
        if (_sctpStreamProducers.Count == 0 && !HasSctpDataConsumers())
            return;
        _sctp.Connect();
        ArmSctpTimer();
    }

    private bool HasSctpDataConsumers()
    {
        foreach (DataConsumer dc in _dataConsumers.Values)
        {
            if (dc.Type == FBS.DataConsumer.Type.SCTP)
                return true;
        }
        return false;
    }

    public void OnSctpAssociationSendData(ReadOnlySpan<byte> packet)
    {
        _sctpAccounting.Sent(packet);
        _owner.SendSctpPacket(packet);
        if (_dataConsumers.Count > 0)
            UpdateBufferedAmounts();
    }

    public void OnSctpAssociationStateChanged(SctpAssociationState state)
    {
        // While the association is coming up, messages are queued in it rather than dropped.
        bool usable = state <= SctpAssociationState.Connected;
        foreach (DataConsumer dc in _dataConsumers.Values)
        {
            if (dc.Type == FBS.DataConsumer.Type.SCTP)
                dc.SctpAssociationUsable = usable;
        }
        var b = _ctx.Channel.BeginNotification();
        int off = FBS.Transport.SctpStateChangeNotification.CreateSctpStateChangeNotification(b, (FBS.SctpAssociation.SctpState)(byte)state).Value;
        _ctx.Channel.SendNotification(Transport.Id, FBS.Notification.Event.TRANSPORT_SCTP_STATE_CHANGE, FBS.Notification.Body.Transport_SctpStateChangeNotification, off);
    }

    public void OnSctpAssociationNegotiatedCapabilities(ushort outboundStreams, ushort inboundStreams)
    {
        _negotiatedOs = outboundStreams;
        _negotiatedMis = inboundStreams;
        var n = new FBS.Transport.SctpNegotiatedCapabilitiesNotificationT
        {
            NegotiatedCapabilities = new FBS.SctpAssociation.SctpNegotiatedCapabilitiesT { NegotiatedMaxOutboundStreams = outboundStreams, NegotiatedMaxInboundStreams = inboundStreams },
        };
        var b = _ctx.Channel.BeginNotification();
        int off = FBS.Transport.SctpNegotiatedCapabilitiesNotification.Pack(b, n).Value;
        _ctx.Channel.SendNotification(Transport.Id, FBS.Notification.Event.TRANSPORT_SCTP_NEGOTIATED_CAPABILITIES,
            FBS.Notification.Body.Transport_SctpNegotiatedCapabilitiesNotification, off);
    }

    public void OnSctpAssociationMessageReceived(ushort streamId, uint ppid, ReadOnlySpan<byte> message)
    {
        if (ppid == DcepPpid || !_sctpStreamProducers.TryGetValue(streamId, out DataProducer? dp))
            return;
        if (_owner.IsPipe && SubchannelsCodec.TryDecode(message, out ReadOnlySpan<byte> payload, out ushort[] subchannels, out ushort? required, out ushort? ignored))
        {
            dp.ReceiveMessage(payload, ppid, subchannels, required, ignored);
            return;
        }
        dp.ReceiveMessage(message, ppid, default, null, null);
    }

    public void OnSctpAssociationInboundStreamsReset(ReadOnlySpan<ushort> streamIds)
    {
        // DataChannel mode: the peer closed its channel; our consumer on that stream goes too.
        if (Sctp is not { IsDataChannel: true })
            return;
        foreach (ushort sid in streamIds)
        {
            foreach (DataConsumer dc in new List<DataConsumer>(_dataConsumers.Values))
            {
                if (dc.SctpStreamParameters?.StreamId == sid)
                {
                    RemoveDataConsumer(dc);
                    _owner.Listener.OnTransportDataConsumerClosed(Transport, dc);
                }
            }
        }
    }

    public void OnSctpAssociationBufferedAmount(long bufferedAmount) => UpdateBufferedAmounts();

    public void OnSctpAssociationBufferedAmountLow(long bufferedAmount) => UpdateBufferedAmounts();

    /// <summary>bufferedAmount is per association here; each SCTP consumer sees it and gets
    /// its own low-threshold event when the amount crosses its threshold downwards.</summary>
    private void UpdateBufferedAmounts()
    {
        foreach (DataConsumer dc in _dataConsumers.Values)
        {
            if (dc.Type != FBS.DataConsumer.Type.SCTP)
                continue;
            uint before = dc.BufferedAmount;
            dc.BufferedAmount = (uint)Math.Min(_sctpAccounting.NotYetSent, uint.MaxValue);
            if (before > dc.BufferedAmountLowThreshold && dc.BufferedAmount <= dc.BufferedAmountLowThreshold)
                dc.EmitBufferedAmountLow();
        }
    }

    public void OnSctpAssociationSendBufferFull()
    {
        if (_sendingConsumer != null)
            _ctx.Channel.SendNotification(_sendingConsumer.Id, FBS.Notification.Event.DATACONSUMER_SCTP_SENDBUFFER_FULL);
    }

    // ---- dump and close ----

    /// <summary>The SCTP sections of the transport's dump (state, capabilities, stream table).</summary>
    public void FillSctpDump(FBS.Transport.DumpT dump)
    {
        dump.SctpState = (FBS.SctpAssociation.SctpState)(byte)SctpState;
        dump.SctpNegotiatedCapabilities = new FBS.SctpAssociation.SctpNegotiatedCapabilitiesT { NegotiatedMaxOutboundStreams = _negotiatedOs, NegotiatedMaxInboundStreams = _negotiatedMis };
        dump.SctpListener = new FBS.Transport.SctpListenerT { StreamIdTable = new List<FBS.Common.Uint16StringT>() };
        foreach (var kv in _sctpStreamProducers)
            dump.SctpListener.StreamIdTable.Add(new FBS.Common.Uint16StringT { Key = kv.Key, Value = kv.Value.Id });
    }

    /// <summary>Closes the data consumers (telling the router), the data producers, then the association.</summary>
    public void Close()
    {
        foreach (DataConsumer dc in new List<DataConsumer>(_dataConsumers.Values))
        {
            RemoveDataConsumer(dc);
            _owner.Listener.OnTransportDataConsumerClosed(Transport, dc);
        }
        foreach (DataProducer dp in new List<DataProducer>(_dataProducers.Values))
            RemoveDataProducer(dp);
        _sctpTimer?.Stop();
        _sctp?.Dispose();
        _sctp = null;
    }
}
