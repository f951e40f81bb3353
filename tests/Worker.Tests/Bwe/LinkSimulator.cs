namespace Mediasoup.Tests.Bwe;

/// <summary>
/// Deterministic one-way link for estimator tests: a bottleneck of <see cref="CapacityBps"/>
/// (0: no bottleneck) with a drop-tail queue of <see cref="QueueLimitBytes"/>, then a fixed
/// one-way delay, seeded random loss (or a loss function of time for bursts), and seeded
/// reordering (a packet held back by up to <see cref="ReorderMaxExtraUs"/>).
/// </summary>
internal sealed class LinkSimulator<T>
{
    private readonly Random _rng;
    private readonly Queue<long> _departures = new();
    private readonly PriorityQueue<(T Item, long ArrivalUs), (long, long)> _inFlight = new();
    private long _lastDepartureUs;
    private long _queuedBytes;
    private readonly Queue<int> _queuedSizes = new();
    private long _order;

    public LinkSimulator(int seed) => _rng = new Random(seed);

    public long CapacityBps { get; set; }
    public int QueueLimitBytes { get; set; } = 60_000;
    public long DelayUs { get; set; } = 25_000;
    public double LossRate { get; set; }
    public Func<long, double>? LossAt { get; set; }
    public double ReorderRate { get; set; }
    public long ReorderMaxExtraUs { get; set; } = 10_000;
    public double DuplicateRate { get; set; }

    public long SentBytes { get; private set; }
    public long DeliveredBytes { get; private set; }
    public int QueueDrops { get; private set; }
    public int RandomDrops { get; private set; }
    public long MaxQueuedBytes { get; private set; }

    public void Send(long nowUs, T item, int size)
    {
        SentBytes += size;
        long departureUs = nowUs;
        if (CapacityBps > 0)
        {
            while (_departures.Count > 0 && _departures.Peek() <= nowUs)
            {
                _departures.Dequeue();
                _queuedBytes -= _queuedSizes.Dequeue();
            }
            if (_queuedBytes + size > QueueLimitBytes)
            {
                QueueDrops++;
                return;
            }
            departureUs = Math.Max(nowUs, _lastDepartureUs) + size * 8_000_000L / CapacityBps;
            _lastDepartureUs = departureUs;
            _departures.Enqueue(departureUs);
            _queuedSizes.Enqueue(size);
            _queuedBytes += size;
            MaxQueuedBytes = Math.Max(MaxQueuedBytes, _queuedBytes);
        }
        double loss = LossAt?.Invoke(nowUs) ?? LossRate;
        if (loss > 0 && _rng.NextDouble() < loss)
        {
            RandomDrops++;
            return;
        }
        long arrivalUs = departureUs + DelayUs;
        if (ReorderRate > 0 && _rng.NextDouble() < ReorderRate)
            arrivalUs += 1 + (long)(_rng.NextDouble() * ReorderMaxExtraUs);
        _inFlight.Enqueue((item, arrivalUs), (arrivalUs, _order++));
        if (DuplicateRate > 0 && _rng.NextDouble() < DuplicateRate)
        {
            long again = arrivalUs + 1 + (long)(_rng.NextDouble() * 200_000);
            _inFlight.Enqueue((item, again), (again, _order++));
        }
    }

    public bool TryReceive(long nowUs, out T item, out long arrivalUs)
    {
        if (_inFlight.TryPeek(out var head, out _) && head.ArrivalUs <= nowUs)
        {
            _inFlight.Dequeue();
            item = head.Item;
            arrivalUs = head.ArrivalUs;
            return true;
        }
        item = default!;
        arrivalUs = 0;
        return false;
    }

    public void Delivered(int size) => DeliveredBytes += size;
}
