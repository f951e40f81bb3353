namespace Mediasoup.Bwe;

/// <summary>Change between two consecutive packet groups (draft-ietf-rmcat-gcc-02 §5.1: d(i) = t(i) − t(i−1) − (T(i) − T(i−1))).</summary>
internal readonly record struct InterArrivalDelta(long SendDeltaUs, long ArrivalDeltaUs, int SizeDelta, long ArrivalUs);

/// <summary>
/// Groups packets into bursts (draft-ietf-rmcat-gcc-02 §5.2: sent within 5 ms of the group's
/// first packet, or arriving within 5 ms of the previous one with a negative propagation delta,
/// i.e. queued behind it) and yields the send and arrival deltas between consecutive groups.
/// Packets sent before the current group started (reordered) are ignored; an arrival jump of
/// more than 3 s against the send clock (receiver clock reset, garbage) restarts the grouping.
/// </summary>
internal sealed class InterArrival
{
    public const long GroupLengthUs = 5_000;
    public const long BurstDeltaUs = 5_000;
    public const long MaxBurstDurationUs = 100_000;
    public const long ArrivalJumpUs = 3_000_000;

    private Group _current;
    private Group _previous;

    private struct Group
    {
        public bool Valid;
        public long FirstSendUs;
        public long LastSendUs;
        public long FirstArrivalUs;
        public long LastArrivalUs;
        public int Size;
    }

    public void Reset()
    {
        _current = default;
        _previous = default;
    }

    /// <summary>Adds a received packet (in send order); true when it closed a group and <paramref name="delta"/> compares it with the one before.</summary>
    public bool Add(long sendUs, long arrivalUs, int size, out InterArrivalDelta delta)
    {
        delta = default;
        if (!_current.Valid)
        {
            Start(ref _current, sendUs, arrivalUs, size);
            return false;
        }
        if (sendUs < _current.FirstSendUs)
            return false;
        if (BelongsToCurrent(sendUs, arrivalUs))
        {
            if (sendUs > _current.LastSendUs)
                _current.LastSendUs = sendUs;
            if (arrivalUs > _current.LastArrivalUs)
                _current.LastArrivalUs = arrivalUs;
            _current.Size += size;
            return false;
        }

        bool produced = false;
        if (_previous.Valid)
        {
            long sendDelta = _current.LastSendUs - _previous.LastSendUs;
            long arrivalDelta = _current.LastArrivalUs - _previous.LastArrivalUs;
            long skew = arrivalDelta - sendDelta;
            if (skew > ArrivalJumpUs || skew < -ArrivalJumpUs)
            {
                _previous = default;
                Start(ref _current, sendUs, arrivalUs, size);
                return false;
            }
            if (arrivalDelta >= 0)
            {
                delta = new InterArrivalDelta(sendDelta, arrivalDelta, _current.Size - _previous.Size, _current.LastArrivalUs);
                produced = true;
            }
        }
        _previous = _current;
        Start(ref _current, sendUs, arrivalUs, size);
        return produced;
    }

    private bool BelongsToCurrent(long sendUs, long arrivalUs)
    {
        if (sendUs - _current.FirstSendUs <= GroupLengthUs)
            return true;
        long arrivalDelta = arrivalUs - _current.LastArrivalUs;
        long propagationDelta = arrivalDelta - (sendUs - _current.LastSendUs);
        return propagationDelta < 0 && arrivalDelta <= BurstDeltaUs && arrivalUs - _current.FirstArrivalUs < MaxBurstDurationUs;
    }

    private static void Start(ref Group group, long sendUs, long arrivalUs, int size)
    {
        group.Valid = true;
        group.FirstSendUs = sendUs;
        group.LastSendUs = sendUs;
        group.FirstArrivalUs = arrivalUs;
        group.LastArrivalUs = arrivalUs;
        group.Size = size;
    }
}
