using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Loop;
using Mediasoup.Producers;
using Mediasoup.Worker;

namespace Mediasoup.Observers;

/// <summary>
/// Picks the dominant speaker among the observed producers and reports changes. Activity is
/// the share of packets per interval whose level is above a speech floor, smoothed over the
/// last intervals; the dominant speaker changes only when another producer has been clearly
/// more active (hysteresis), so brief noise does not flip it. (A simpler scorer than the
/// reference's dominant speaker identification, with the same inputs and events.)
/// </summary>
internal sealed class ActiveSpeakerObserver : RtpObserver
{
    // Level (−dBov) below which a packet counts as speech: 127 is silence, 0 loudest.
    private const byte SpeechLevel = 60;
    private const double Smoothing = 0.5;
    private const double SwitchMargin = 0.15;

    private sealed class Speaker
    {
        public int Packets;
        public int SpeechPackets;
        public double Activity;
    }

    private readonly Dictionary<Producer, Speaker> _speakers = new();
    private readonly LoopTimer _timer;
    private Producer? _dominant;

    public ActiveSpeakerObserver(WorkerContext ctx, string id, System.Func<string, Producer?> findProducer,
        FBS.ActiveSpeakerObserver.ActiveSpeakerObserverOptions options)
        : base(ctx, id, findProducer)
    {
        IntervalMs = System.Math.Clamp((int)options.Interval, 100, 5000);
        _timer = ctx.Loop.CreateTimer(Update);
        _timer.Start(IntervalMs, IntervalMs);
        Register();
    }

    public int IntervalMs { get; }

    protected override void OnProducerAdded(Producer producer) => _speakers[producer] = new Speaker();

    protected override void OnProducerRemoved(Producer producer)
    {
        _speakers.Remove(producer);
        if (_dominant == producer)
            _dominant = null;
    }

    public override void ReceiveAudioLevel(Producer producer, byte volume)
    {
        if (Paused || !_speakers.TryGetValue(producer, out Speaker? s))
            return;
        s.Packets++;
        if (volume <= SpeechLevel)
            s.SpeechPackets++;
    }

    private void Update()
    {
        Producer? best = null;
        double bestActivity = 0;
        foreach (var kv in _speakers)
        {
            Speaker s = kv.Value;
            double share = s.Packets > 0 ? (double)s.SpeechPackets / s.Packets : 0;
            s.Activity = Smoothing * s.Activity + (1 - Smoothing) * share;
            s.Packets = s.SpeechPackets = 0;
            if (s.Activity > bestActivity)
            {
                best = kv.Key;
                bestActivity = s.Activity;
            }
        }
        if (best == null || best == _dominant || bestActivity < 0.05)
            return;
        double current = _dominant != null && _speakers.TryGetValue(_dominant, out Speaker? d) ? d.Activity : 0;
        if (_dominant != null && bestActivity < current + SwitchMargin)
            return;
        _dominant = best;
        var b = Ctx.Channel.BeginNotification();
        var n = new FBS.ActiveSpeakerObserver.DominantSpeakerNotificationT { ProducerId = best.Id };
        int off = FBS.ActiveSpeakerObserver.DominantSpeakerNotification.Pack(b, n).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER,
            FBS.Notification.Body.ActiveSpeakerObserver_DominantSpeakerNotification, off);
    }

    protected override void OnPaused() => _timer.Stop();

    protected override void OnResumed() => _timer.Start(IntervalMs, IntervalMs);

    public override void Close()
    {
        _timer.Stop();
        base.Close();
    }
}
