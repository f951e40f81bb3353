using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Loop;
using Mediasoup.Producers;
using Mediasoup.Worker;

namespace Mediasoup.Observers;

/// <summary>
/// Every interval: the average level of each observed producer that sent at least 10 packets,
/// the loudest first (up to maxEntries, at or above threshold dBov), or a single silence
/// event when none qualifies.
/// </summary>
internal sealed class AudioLevelObserver : RtpObserver
{
    private readonly Dictionary<Producer, (long Sum, int Count)> _levels = new();
    private readonly LoopTimer _timer;
    private bool _silence = true;

    public AudioLevelObserver(WorkerContext ctx, string id, System.Func<string, Producer?> findProducer,
        FBS.AudioLevelObserver.AudioLevelObserverOptions options)
        : base(ctx, id, findProducer)
    {
        MaxEntries = options.MaxEntries;
        Threshold = options.Threshold;
        if (Threshold > 0)
            throw new MediasoupTypeError($"invalid threshold value {Threshold}");
        IntervalMs = System.Math.Clamp((int)options.Interval, 250, 5000);
        _timer = ctx.Loop.CreateTimer(Update);
        _timer.Start(IntervalMs, IntervalMs);
        Register();
    }

    public ushort MaxEntries { get; }
    public sbyte Threshold { get; }
    public int IntervalMs { get; }

    public override void ReceiveAudioLevel(Producer producer, byte volume)
    {
        if (Paused)
            return;
        _levels.TryGetValue(producer, out var acc);
        _levels[producer] = (acc.Sum + volume, acc.Count + 1);
    }

    private void Update()
    {
        var loud = new List<(sbyte DBov, Producer Producer)>();
        foreach (var kv in _levels)
        {
            if (kv.Value.Count < 10)
                continue;
            sbyte dBov = (sbyte)-(int)System.Math.Round((double)kv.Value.Sum / kv.Value.Count, System.MidpointRounding.AwayFromZero);
            if (dBov >= Threshold)
                loud.Add((dBov, kv.Key));
        }
        _levels.Clear();
        if (loud.Count == 0)
        {
            if (!_silence)
            {
                _silence = true;
                Ctx.Channel.SendNotification(Id, FBS.Notification.Event.AUDIOLEVELOBSERVER_SILENCE);
            }
            return;
        }
        _silence = false;
        loud.Sort((a, b) => b.DBov.CompareTo(a.DBov));
        var n = new FBS.AudioLevelObserver.VolumesNotificationT { Volumes = new List<FBS.AudioLevelObserver.VolumeT>() };
        for (int i = 0; i < loud.Count && i < MaxEntries; i++)
            n.Volumes.Add(new FBS.AudioLevelObserver.VolumeT { ProducerId = loud[i].Producer.Id, Volume_ = loud[i].DBov });
        var b = Ctx.Channel.BeginNotification();
        int off = FBS.AudioLevelObserver.VolumesNotification.Pack(b, n).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.AUDIOLEVELOBSERVER_VOLUMES, FBS.Notification.Body.AudioLevelObserver_VolumesNotification, off);
    }

    protected override void OnPaused()
    {
        _timer.Stop();
        _levels.Clear();
        if (!_silence)
        {
            _silence = true;
            Ctx.Channel.SendNotification(Id, FBS.Notification.Event.AUDIOLEVELOBSERVER_SILENCE);
        }
    }

    protected override void OnResumed() => _timer.Start(IntervalMs, IntervalMs);

    protected override void OnProducerRemoved(Producer producer) => _levels.Remove(producer);

    public override void Close()
    {
        _timer.Stop();
        base.Close();
    }
}
