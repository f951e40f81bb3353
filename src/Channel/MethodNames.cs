namespace Mediasoup.Channel;

/// <summary>Method names as the reference worker spells them in error reasons
/// ("[method:worker.createRouter]"), indexed by FBS.Request.Method.</summary>
internal static class MethodNames
{
    private static readonly string[] Names =
    [
        "worker.dump", // WORKER_DUMP
        "worker.getResourceUsage", // WORKER_GET_RESOURCE_USAGE
        "worker.updateSettings", // WORKER_UPDATE_SETTINGS
        "worker.createWebRtcServer", // WORKER_CREATE_WEBRTCSERVER
        "worker.createRouter", // WORKER_CREATE_ROUTER
        "worker.closeWebRtcServer", // WORKER_WEBRTCSERVER_CLOSE
        "worker.closeRouter", // WORKER_CLOSE_ROUTER
        "webRtcServer.dump", // WEBRTCSERVER_DUMP
        "router.dump", // ROUTER_DUMP
        "router.createWebRtcTransport", // ROUTER_CREATE_WEBRTCTRANSPORT
        "router.createWebRtcTransportWithServer", // ROUTER_CREATE_WEBRTCTRANSPORT_WITH_SERVER
        "router.createPlainTransport", // ROUTER_CREATE_PLAINTRANSPORT
        "router.createPipeTransport", // ROUTER_CREATE_PIPETRANSPORT
        "router.createDirectTransport", // ROUTER_CREATE_DIRECTTRANSPORT
        "router.closeTransport", // ROUTER_CLOSE_TRANSPORT
        "router.createActiveSpeakerObserver", // ROUTER_CREATE_ACTIVESPEAKEROBSERVER
        "router.createAudioLevelObserver", // ROUTER_CREATE_AUDIOLEVELOBSERVER
        "router.closeRtpObserver", // ROUTER_CLOSE_RTPOBSERVER
        "transport.dump", // TRANSPORT_DUMP
        "transport.getStats", // TRANSPORT_GET_STATS
        "transport.connect", // TRANSPORT_CONNECT
        "transport.setMaxIncomingBitrate", // TRANSPORT_SET_MAX_INCOMING_BITRATE
        "transport.setMaxOutgoingBitrate", // TRANSPORT_SET_MAX_OUTGOING_BITRATE
        "transport.setMinOutgoingBitrate", // TRANSPORT_SET_MIN_OUTGOING_BITRATE
        "transport.restartIce", // TRANSPORT_RESTART_ICE
        "transport.produce", // TRANSPORT_PRODUCE
        "transport.produceData", // TRANSPORT_PRODUCE_DATA
        "transport.consume", // TRANSPORT_CONSUME
        "transport.consumeData", // TRANSPORT_CONSUME_DATA
        "transport.enableTraceEvent", // TRANSPORT_ENABLE_TRACE_EVENT
        "transport.closeProducer", // TRANSPORT_CLOSE_PRODUCER
        "transport.closeConsumer", // TRANSPORT_CLOSE_CONSUMER
        "transport.closeDataProducer", // TRANSPORT_CLOSE_DATAPRODUCER
        "transport.closeDataConsumer", // TRANSPORT_CLOSE_DATACONSUMER
        "plainTransport.connect", // PLAINTRANSPORT_CONNECT
        "pipeTransport.connect", // PIPETRANSPORT_CONNECT
        "webRtcTransport.connect", // WEBRTCTRANSPORT_CONNECT
        "producer.dump", // PRODUCER_DUMP
        "producer.getStats", // PRODUCER_GET_STATS
        "producer.pause", // PRODUCER_PAUSE
        "producer.resume", // PRODUCER_RESUME
        "producer.enableTraceEvent", // PRODUCER_ENABLE_TRACE_EVENT
        "consumer.dump", // CONSUMER_DUMP
        "consumer.getStats", // CONSUMER_GET_STATS
        "consumer.pause", // CONSUMER_PAUSE
        "consumer.resume", // CONSUMER_RESUME
        "consumer.setPreferredLayers", // CONSUMER_SET_PREFERRED_LAYERS
        "consumer.setPriority", // CONSUMER_SET_PRIORITY
        "consumer.requestKeyFrame", // CONSUMER_REQUEST_KEY_FRAME
        "consumer.enableTraceEvent", // CONSUMER_ENABLE_TRACE_EVENT
        "dataProducer.dump", // DATAPRODUCER_DUMP
        "dataProducer.getStats", // DATAPRODUCER_GET_STATS
        "dataProducer.pause", // DATAPRODUCER_PAUSE
        "dataProducer.resume", // DATAPRODUCER_RESUME
        "dataConsumer.dump", // DATACONSUMER_DUMP
        "dataConsumer.getStats", // DATACONSUMER_GET_STATS
        "dataConsumer.pause", // DATACONSUMER_PAUSE
        "dataConsumer.resume", // DATACONSUMER_RESUME
        "dataConsumer.getBufferedAmount", // DATACONSUMER_GET_BUFFERED_AMOUNT
        "dataConsumer.setBufferedAmountLowThreshold", // DATACONSUMER_SET_BUFFERED_AMOUNT_LOW_THRESHOLD
        "dataConsumer.send", // DATACONSUMER_SEND
        "dataConsumer.setSubchannels", // DATACONSUMER_SET_SUBCHANNELS
        "dataConsumer.addSubchannel", // DATACONSUMER_ADD_SUBCHANNEL
        "dataConsumer.removeSubchannel", // DATACONSUMER_REMOVE_SUBCHANNEL
        "rtpObserver.pause", // RTPOBSERVER_PAUSE
        "rtpObserver.resume", // RTPOBSERVER_RESUME
        "rtpObserver.addProducer", // RTPOBSERVER_ADD_PRODUCER
        "rtpObserver.removeProducer", // RTPOBSERVER_REMOVE_PRODUCER
    ];

    public static bool TryGet(FBS.Request.Method method, out string name)
    {
        int i = (int)method;
        if ((uint)i < (uint)Names.Length)
        {
            name = Names[i];
            return true;
        }
        name = "";
        return false;
    }
}
