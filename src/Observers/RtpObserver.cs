using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Producers;
using Mediasoup.Worker;

namespace Mediasoup.Observers;

/// <summary>Looks at the audio levels of some of a router's producers.</summary>
internal abstract class RtpObserver : IRequestHandler
{
    protected readonly WorkerContext Ctx;
    private readonly System.Func<string, Producer?> _findProducer;
    protected readonly List<Producer> ObservedProducers = new();
    private bool _closed;

    protected RtpObserver(WorkerContext ctx, string id, System.Func<string, Producer?> findProducer)
    {
        Ctx = ctx;
        Id = id;
        _findProducer = findProducer;
    }

    public string Id { get; }
    public bool Paused { get; private set; }

    protected void Register() => Ctx.Registry.Register(Id, this, null);

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.RTPOBSERVER_PAUSE:
                if (!Paused)
                {
                    Paused = true;
                    OnPaused();
                }
                request.Accept();
                break;

            case FBS.Request.Method.RTPOBSERVER_RESUME:
                if (Paused)
                {
                    Paused = false;
                    OnResumed();
                }
                request.Accept();
                break;

            case FBS.Request.Method.RTPOBSERVER_ADD_PRODUCER:
            {
                var body = request.Body<FBS.RtpObserver.AddProducerRequest>(FBS.Request.Body.RtpObserver_AddProducerRequest);
                Producer producer = _findProducer(body.ProducerId ?? "")
                    ?? throw new MediasoupNotFoundError($"Producer not found [producerId:{body.ProducerId}]");
                if (producer.Kind != RtpParameters.MediaKind.Audio)
                    throw new MediasoupTypeError("not an audio Producer");
                if (ObservedProducers.Contains(producer))
                    throw new MediasoupError("Producer already in map");
                ObservedProducers.Add(producer);
                producer.Observers.Add(this);
                OnProducerAdded(producer);
                request.Accept();
                break;
            }

            case FBS.Request.Method.RTPOBSERVER_REMOVE_PRODUCER:
            {
                var body = request.Body<FBS.RtpObserver.RemoveProducerRequest>(FBS.Request.Body.RtpObserver_RemoveProducerRequest);
                Producer producer = _findProducer(body.ProducerId ?? "")
                    ?? throw new MediasoupNotFoundError($"Producer not found [producerId:{body.ProducerId}]");
                RemoveProducer(producer);
                request.Accept();
                break;
            }

            default:
                throw new MediasoupError($"unknown method '{request.MethodName}'");
        }
    }

    /// <summary>The producer left (removed, or closed).</summary>
    public void RemoveProducer(Producer producer)
    {
        if (!ObservedProducers.Remove(producer))
            return;
        producer.Observers.Remove(this);
        OnProducerRemoved(producer);
    }

    /// <summary>ssrc-audio-level of one packet: volume is −dBov (0 loudest … 127 silence).</summary>
    public abstract void ReceiveAudioLevel(Producer producer, byte volume);

    protected virtual void OnPaused() { }
    protected virtual void OnResumed() { }
    protected virtual void OnProducerAdded(Producer producer) { }
    protected virtual void OnProducerRemoved(Producer producer) { }

    public virtual void Close()
    {
        if (_closed)
            return;
        _closed = true;
        Ctx.Registry.Unregister(Id);
        foreach (Producer p in ObservedProducers)
            p.Observers.Remove(this);
        ObservedProducers.Clear();
    }
}
