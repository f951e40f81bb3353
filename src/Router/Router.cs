using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Consumers;
using Mediasoup.Producers;
using Mediasoup.Transports;
using Mediasoup.Worker;

namespace Mediasoup.Router;

/// <summary>
/// A Router: owns transports and RTP observers and keeps who consumes what
/// (producer → consumers, consumer → producer), so that producer events reach consumers
/// living in other transports.
/// </summary>
internal sealed class Router : IRequestHandler, ITransportListener
{
    private readonly WorkerContext _ctx;
    private readonly Func<string, WebRtcServer.WebRtcServer?> _findWebRtcServer;
    private readonly Dictionary<string, Transport> _transports = new();
    private readonly Dictionary<string, Observers.RtpObserver> _rtpObservers = new();
    private readonly Dictionary<string, Producer> _producers = new();
    private readonly Dictionary<Producer, List<Consumer>> _producerConsumers = new();
    private readonly Dictionary<Consumer, Producer> _consumerProducer = new();
    private bool _closed;

    public Router(WorkerContext ctx, string id, Func<string, WebRtcServer.WebRtcServer?> findWebRtcServer)
    {
        _ctx = ctx;
        _findWebRtcServer = findWebRtcServer;
        Id = id;
        ctx.Registry.Register(id, this, null);
    }

    public string Id { get; }

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.ROUTER_DUMP:
                Dump(request);
                break;

            case FBS.Request.Method.ROUTER_CREATE_WEBRTCTRANSPORT:
            case FBS.Request.Method.ROUTER_CREATE_WEBRTCTRANSPORT_WITH_SERVER:
            {
                var body = request.Body<FBS.Router.CreateWebRtcTransportRequest>(FBS.Request.Body.Router_CreateWebRtcTransportRequest);
                string id = CheckNewTransportId(body.TransportId, request);
                FBS.WebRtcTransport.WebRtcTransportOptions options = body.Options ?? throw new MediasoupTypeError("missing options");
                WebRtcTransport transport;
                if (request.Method == FBS.Request.Method.ROUTER_CREATE_WEBRTCTRANSPORT)
                {
                    FBS.WebRtcTransport.ListenIndividual listen = options.ListenType == FBS.WebRtcTransport.Listen.ListenIndividual
                        ? options.Listen<FBS.WebRtcTransport.ListenIndividual>()!.Value
                        : throw new MediasoupTypeError("wrong listen (expected ListenIndividual)");
                    transport = new WebRtcTransport(_ctx, this, id, options, listen);
                }
                else
                {
                    FBS.WebRtcTransport.ListenServer listen = options.ListenType == FBS.WebRtcTransport.Listen.ListenServer
                        ? options.Listen<FBS.WebRtcTransport.ListenServer>()!.Value
                        : throw new MediasoupTypeError("wrong listen (expected ListenServer)");
                    WebRtcServer.WebRtcServer server = _findWebRtcServer(listen.WebRtcServerId ?? "")
                        ?? throw new MediasoupError($"wrong webRtcServerId (no associated WebRtcServer found) [method:{request.MethodName}]");
                    var candidates = server.GetIceCandidates(options.EnableUdp, options.EnableTcp, options.PreferUdp, options.PreferTcp);
                    transport = new WebRtcTransport(_ctx, this, id, options, candidates, server);
                }
                _transports.Add(id, transport);
                transport.AcceptCreation(request);
                break;
            }

            case FBS.Request.Method.ROUTER_CREATE_PLAINTRANSPORT:
            {
                var body = request.Body<FBS.Router.CreatePlainTransportRequest>(FBS.Request.Body.Router_CreatePlainTransportRequest);
                string id = CheckNewTransportId(body.TransportId, request);
                var transport = new PlainTransport(_ctx, this, id, body.Options ?? throw new MediasoupTypeError("missing options"));
                _transports.Add(id, transport);
                transport.AcceptCreation(request);
                break;
            }

            case FBS.Request.Method.ROUTER_CREATE_DIRECTTRANSPORT:
            {
                var body = request.Body<FBS.Router.CreateDirectTransportRequest>(FBS.Request.Body.Router_CreateDirectTransportRequest);
                string id = CheckNewTransportId(body.TransportId, request);
                var transport = new DirectTransport(_ctx, this, id, body.Options ?? throw new MediasoupTypeError("missing options"));
                _transports.Add(id, transport);
                transport.AcceptCreation(request);
                break;
            }

            case FBS.Request.Method.ROUTER_CLOSE_TRANSPORT:
            {
                var body = request.Body<FBS.Router.CloseTransportRequest>(FBS.Request.Body.Router_CloseTransportRequest);
                if (!_transports.Remove(body.TransportId ?? "", out Transport? transport))
                    throw new MediasoupNotFoundError($"Transport not found [method:{request.MethodName}]");
                transport.Close();
                request.Accept();
                break;
            }

            case FBS.Request.Method.ROUTER_CLOSE_RTPOBSERVER:
            {
                var body = request.Body<FBS.Router.CloseRtpObserverRequest>(FBS.Request.Body.Router_CloseRtpObserverRequest);
                if (!_rtpObservers.Remove(body.RtpObserverId ?? "", out Observers.RtpObserver? observer))
                    throw new MediasoupNotFoundError($"RtpObserver not found [method:{request.MethodName}]");
                observer.Close();
                request.Accept();
                break;
            }

            case FBS.Request.Method.ROUTER_CREATE_AUDIOLEVELOBSERVER:
            {
                var body = request.Body<FBS.Router.CreateAudioLevelObserverRequest>(FBS.Request.Body.Router_CreateAudioLevelObserverRequest);
                string id = CheckNewObserverId(body.RtpObserverId, request);
                var o = new Observers.AudioLevelObserver(_ctx, id, FindProducer, body.Options ?? throw new MediasoupTypeError("missing options"));
                _rtpObservers.Add(id, o);
                request.Accept();
                break;
            }

            case FBS.Request.Method.ROUTER_CREATE_ACTIVESPEAKEROBSERVER:
            {
                var body = request.Body<FBS.Router.CreateActiveSpeakerObserverRequest>(FBS.Request.Body.Router_CreateActiveSpeakerObserverRequest);
                string id = CheckNewObserverId(body.RtpObserverId, request);
                var o = new Observers.ActiveSpeakerObserver(_ctx, id, FindProducer, body.Options ?? throw new MediasoupTypeError("missing options"));
                _rtpObservers.Add(id, o);
                request.Accept();
                break;
            }

            case FBS.Request.Method.ROUTER_CREATE_PIPETRANSPORT:
            {
                var body = request.Body<FBS.Router.CreatePipeTransportRequest>(FBS.Request.Body.Router_CreatePipeTransportRequest);
                string id = CheckNewTransportId(body.TransportId, request);
                var transport = new PipeTransport(_ctx, this, id, body.Options ?? throw new MediasoupTypeError("missing options"));
                _transports.Add(id, transport);
                transport.AcceptCreation(request);
                break;
            }

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    private Producer? FindProducer(string id) => _producers.TryGetValue(id, out Producer? p) ? p : null;

    private string CheckNewObserverId(string? id, ChannelRequest request)
    {
        if (id == null)
            throw new MediasoupTypeError("missing rtpObserverId");
        if (_rtpObservers.ContainsKey(id))
            throw new MediasoupError($"an RtpObserver with same rtpObserverId already exists [method:{request.MethodName}]");
        return id;
    }

    private string CheckNewTransportId(string? id, ChannelRequest request)
    {
        if (id == null)
            throw new MediasoupTypeError("missing transportId");
        if (_transports.ContainsKey(id))
            throw new MediasoupError($"a Transport with same transportId already exists [method:{request.MethodName}]");
        return id;
    }

    private void Dump(ChannelRequest request)
    {
        var dump = new FBS.Router.DumpResponseT
        {
            Id = Id,
            TransportIds = new List<string>(_transports.Keys),
            RtpObserverIds = new List<string>(_rtpObservers.Keys),
            MapProducerIdConsumerIds = new List<FBS.Common.StringStringArrayT>(),
            MapConsumerIdProducerId = new List<FBS.Common.StringStringT>(),
            MapProducerIdObserverIds = new List<FBS.Common.StringStringArrayT>(),
            MapDataProducerIdDataConsumerIds = new List<FBS.Common.StringStringArrayT>(),
            MapDataConsumerIdDataProducerId = new List<FBS.Common.StringStringT>(),
        };
        foreach (var kv in _producerConsumers)
            dump.MapProducerIdConsumerIds.Add(new FBS.Common.StringStringArrayT { Key = kv.Key.Id, Values = kv.Value.ConvertAll(c => c.Id) });
        foreach (var kv in _consumerProducer)
            dump.MapConsumerIdProducerId.Add(new FBS.Common.StringStringT { Key = kv.Key.Id, Value = kv.Value.Id });
        foreach (Producer p in _producers.Values)
            dump.MapProducerIdObserverIds.Add(new FBS.Common.StringStringArrayT { Key = p.Id, Values = p.Observers.ConvertAll(o => o.Id) });
        foreach (Data.DataProducer dp in _dataProducers.Values)
            dump.MapDataProducerIdDataConsumerIds.Add(new FBS.Common.StringStringArrayT { Key = dp.Id, Values = dp.Consumers.ConvertAll(c => c.Id) });
        foreach (var kv in _dataConsumerProducer)
            dump.MapDataConsumerIdDataProducerId.Add(new FBS.Common.StringStringT { Key = kv.Key.Id, Value = kv.Value.Id });
        request.Accept(FBS.Response.Body.Router_DumpResponse, FBS.Router.DumpResponse.Pack(request.Builder, dump).Value);
    }

    // ---- ITransportListener ----

    public void OnTransportNewProducer(Transport transport, Producer producer)
    {
        if (_producers.ContainsKey(producer.Id))
            throw new MediasoupError("Producer already present in mapProducers");
        _producers.Add(producer.Id, producer);
        _producerConsumers.Add(producer, new List<Consumer>());
    }

    public void OnTransportProducerClosed(Transport transport, Producer producer)
    {
        if (!_producerConsumers.Remove(producer, out List<Consumer>? consumers))
            return;
        _producers.Remove(producer.Id);
        foreach (Observers.RtpObserver o in new List<Observers.RtpObserver>(producer.Observers))
            o.RemoveProducer(producer);
        producer.Consumers.Clear();
        foreach (Consumer c in consumers)
        {
            _consumerProducer.Remove(c);
            c.OnProducerClosed();
        }
    }

    public void OnTransportProducerPaused(Transport transport, Producer producer)
    {
        if (_producerConsumers.TryGetValue(producer, out List<Consumer>? consumers))
        {
            foreach (Consumer c in consumers)
                c.OnProducerPaused();
        }
    }

    public void OnTransportProducerResumed(Transport transport, Producer producer)
    {
        if (_producerConsumers.TryGetValue(producer, out List<Consumer>? consumers))
        {
            foreach (Consumer c in consumers)
                c.OnProducerResumed();
        }
    }

    public Producer GetProducerForConsumer(string producerId) =>
        _producers.TryGetValue(producerId, out Producer? p)
            ? p
            : throw new MediasoupNotFoundError($"Producer not found [producerId:{producerId}]");

    public void OnTransportNewConsumer(Transport transport, Consumer consumer, Producer producer)
    {
        consumer.Attach(producer, transport);
        _producerConsumers[producer].Add(consumer);
        producer.Consumers.Add(consumer);
        _consumerProducer.Add(consumer, producer);
    }

    public void OnTransportConsumerClosed(Transport transport, Consumer consumer)
    {
        if (_consumerProducer.Remove(consumer, out Producer? producer)
            && _producerConsumers.TryGetValue(producer, out List<Consumer>? consumers))
        {
            consumers.Remove(consumer);
            producer.Consumers.Remove(consumer);
        }
    }

    // ---- data ----

    private readonly Dictionary<string, Data.DataProducer> _dataProducers = new();
    private readonly Dictionary<Data.DataConsumer, Data.DataProducer> _dataConsumerProducer = new();

    public void OnTransportNewDataProducer(Transport transport, Data.DataProducer producer)
    {
        if (_dataProducers.ContainsKey(producer.Id))
            throw new MediasoupError("DataProducer already present in mapDataProducers");
        _dataProducers.Add(producer.Id, producer);
    }

    public void OnTransportDataProducerClosed(Transport transport, Data.DataProducer producer)
    {
        if (!_dataProducers.Remove(producer.Id))
            return;
        foreach (Data.DataConsumer c in new List<Data.DataConsumer>(producer.Consumers))
        {
            _dataConsumerProducer.Remove(c);
            c.OnDataProducerClosed();
        }
        producer.Consumers.Clear();
    }

    public void OnTransportDataProducerPaused(Transport transport, Data.DataProducer producer)
    {
        foreach (Data.DataConsumer c in producer.Consumers)
            c.OnDataProducerPaused();
    }

    public void OnTransportDataProducerResumed(Transport transport, Data.DataProducer producer)
    {
        foreach (Data.DataConsumer c in producer.Consumers)
            c.OnDataProducerResumed();
    }

    public Data.DataProducer GetDataProducerForConsumer(string dataProducerId) =>
        _dataProducers.TryGetValue(dataProducerId, out Data.DataProducer? p)
            ? p
            : throw new MediasoupNotFoundError($"DataProducer not found [dataProducerId:{dataProducerId}]");

    public void OnTransportNewDataConsumer(Transport transport, Data.DataConsumer consumer, Data.DataProducer producer)
    {
        consumer.DataProducerPaused = producer.Paused;
        producer.Consumers.Add(consumer);
        _dataConsumerProducer.Add(consumer, producer);
    }

    public void OnTransportDataConsumerClosed(Transport transport, Data.DataConsumer consumer)
    {
        if (_dataConsumerProducer.Remove(consumer, out Data.DataProducer? producer))
            producer.Consumers.Remove(consumer);
    }

    public void OnTransportListenServerClosed(Transport transport)
    {
        if (_transports.Remove(transport.Id))
            transport.Close();
    }

    /// <summary>Closes everything below, silently (no notifications: the host closes its side).</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
        foreach (Transport t in new List<Transport>(_transports.Values))
            t.Close();
        _transports.Clear();
        foreach (Observers.RtpObserver o in _rtpObservers.Values)
            o.Close();
        _rtpObservers.Clear();
    }
}
