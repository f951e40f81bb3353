using Mediasoup.Consumers;
using Mediasoup.Data;
using Mediasoup.Producers;

namespace Mediasoup.Transports;

/// <summary>What a transport tells its Router (which keeps the producer → consumer maps).</summary>
internal interface ITransportListener
{
    /// <summary>Throws MediasoupError when the producer cannot be added (e.g. id in use).</summary>
    void OnTransportNewProducer(Transport transport, Producer producer);
    void OnTransportProducerClosed(Transport transport, Producer producer);
    void OnTransportProducerPaused(Transport transport, Producer producer);
    void OnTransportProducerResumed(Transport transport, Producer producer);

    /// <summary>Returns the producer to consume; NotFoundError when it does not exist.</summary>
    Producer GetProducerForConsumer(string producerId);
    void OnTransportNewConsumer(Transport transport, Consumer consumer, Producer producer);
    void OnTransportConsumerClosed(Transport transport, Consumer consumer);

    void OnTransportNewDataProducer(Transport transport, DataProducer producer);
    void OnTransportDataProducerClosed(Transport transport, DataProducer producer);
    void OnTransportDataProducerPaused(Transport transport, DataProducer producer);
    void OnTransportDataProducerResumed(Transport transport, DataProducer producer);
    DataProducer GetDataProducerForConsumer(string dataProducerId);
    void OnTransportNewDataConsumer(Transport transport, DataConsumer consumer, DataProducer producer);
    void OnTransportDataConsumerClosed(Transport transport, DataConsumer consumer);

    /// <summary>A WebRtcServer under the transport closed; the transport must go.</summary>
    void OnTransportListenServerClosed(Transport transport);
}
