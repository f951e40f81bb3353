using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Worker;

namespace Mediasoup.Router;

/// <summary>
/// A Router: owns transports and RTP observers and routes media between producers and
/// consumers. Transports and observers arrive with the media-plane issues; until then
/// their creation is refused with an error that names the method.
/// </summary>
internal sealed class Router : IRequestHandler
{
    private readonly WorkerContext _ctx;
    private readonly Dictionary<string, object> _transports = new();
    private readonly Dictionary<string, object> _rtpObservers = new();
    private bool _closed;

    public Router(WorkerContext ctx, string id)
    {
        _ctx = ctx;
        Id = id;
        ctx.Registry.Register(id, this, null);
    }

    public string Id { get; }

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.ROUTER_DUMP:
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
                int offset = FBS.Router.DumpResponse.Pack(request.Builder, dump).Value;
                request.Accept(FBS.Response.Body.Router_DumpResponse, offset);
                break;
            }

            case FBS.Request.Method.ROUTER_CLOSE_TRANSPORT:
            {
                var body = request.Body<FBS.Router.CloseTransportRequest>(FBS.Request.Body.Router_CloseTransportRequest);
                string id = body.TransportId ?? "";
                if (!_transports.ContainsKey(id))
                    throw new MediasoupNotFoundError($"Transport not found [method:{request.MethodName}]");
                throw new MediasoupError($"not implemented yet [method:{request.MethodName}]");
            }

            case FBS.Request.Method.ROUTER_CLOSE_RTPOBSERVER:
            {
                var body = request.Body<FBS.Router.CloseRtpObserverRequest>(FBS.Request.Body.Router_CloseRtpObserverRequest);
                string id = body.RtpObserverId ?? "";
                if (!_rtpObservers.ContainsKey(id))
                    throw new MediasoupNotFoundError($"RtpObserver not found [method:{request.MethodName}]");
                throw new MediasoupError($"not implemented yet [method:{request.MethodName}]");
            }

            case FBS.Request.Method.ROUTER_CREATE_WEBRTCTRANSPORT:
            case FBS.Request.Method.ROUTER_CREATE_WEBRTCTRANSPORT_WITH_SERVER:
            case FBS.Request.Method.ROUTER_CREATE_PLAINTRANSPORT:
            case FBS.Request.Method.ROUTER_CREATE_PIPETRANSPORT:
            case FBS.Request.Method.ROUTER_CREATE_DIRECTTRANSPORT:
            case FBS.Request.Method.ROUTER_CREATE_ACTIVESPEAKEROBSERVER:
            case FBS.Request.Method.ROUTER_CREATE_AUDIOLEVELOBSERVER:
                throw new MediasoupError($"not implemented yet [method:{request.MethodName}]");

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    /// <summary>Closes everything below, silently (no notifications: the host closes its side).</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _ctx.Registry.Unregister(Id);
        _transports.Clear();
        _rtpObservers.Clear();
    }
}
