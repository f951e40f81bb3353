namespace Mediasoup.Bwe;

/// <summary>
/// Groups arriving packets into the bursts a sender put on the wire together (GCC draft,
/// draft-ietf-rmcat-gcc-02 §5.2: packets sent within <see cref="BurstSpanUs"/> of the group's
/// first one, plus packets that arrive in a burst faster than they were sent, i.e. a queue
/// draining) and yields, as each group completes, how much later its last packet arrived
/// than the previous group's, against how much later it was sent. Sans IO, no allocation.
/// </summary>
public sealed class RemoteArrivalGroups
{
    /// <summary>Send-time span of one group.</summary>
    public const long BurstSpanUs = 5000;

    /// <summary>A gap in arrivals this much longer than the gap in sending: the stream paused
    /// or the clocks jumped; deltas across it say nothing of queues, so grouping restarts.</summary>
    public const long MaxDelayJumpUs = 3_000_000;

    private struct Group
    {
        public bool Valid;
        public long FirstSendUs;
        public long LastSendUs;
        public long LastArrivalUs;
        public long Size;
    }

    private Group _current;
    private Group _previous;

    public void Reset()
    {
        _current = default;
        _previous = default;
    }

    /// <summary>Adds one packet (send time unwrapped, both in µs); true when it closed a group
    /// and the deltas between that group and the one before are given.</summary>
    public bool Add(long sendUs, long arrivalUs, int size, out long sendDeltaUs, out long arrivalDeltaUs, out long sizeDelta)
    {
        sendDeltaUs = arrivalDeltaUs = sizeDelta = 0;
        if (!_current.Valid)
        {
            Start(ref _current, sendUs, arrivalUs, size);
            return false;
        }
        // Older than the group being built: reordered on the way, its timing is noise.
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
        bool emitted = false;
        if (_previous.Valid)
        {
            sendDeltaUs = _current.LastSendUs - _previous.LastSendUs;
            arrivalDeltaUs = _current.LastArrivalUs - _previous.LastArrivalUs;
            sizeDelta = _current.Size - _previous.Size;
            emitted = arrivalDeltaUs >= 0 && arrivalDeltaUs - sendDeltaUs <= MaxDelayJumpUs;
        }
        _previous = _current;
        if (!emitted && _previous.Valid && arrivalDeltaUs - sendDeltaUs > MaxDelayJumpUs)
            _previous = default;
        Start(ref _current, sendUs, arrivalUs, size);
        return emitted;
    }

    private bool BelongsToCurrent(long sendUs, long arrivalUs)
    {
        if (sendUs - _current.FirstSendUs <= BurstSpanUs)
            return true;
        // A burst: arrived within the span of the group's last packet and closer to it than it
        // was sent (the queue in front of us releasing packets it had held back).
        long arrivalDelta = arrivalUs - _current.LastArrivalUs;
        long sendDelta = sendUs - _current.LastSendUs;
        return arrivalDelta >= 0 && arrivalDelta < BurstSpanUs && arrivalDelta < sendDelta;
    }

    private static void Start(ref Group g, long sendUs, long arrivalUs, int size)
    {
        g.Valid = true;
        g.FirstSendUs = sendUs;
        g.LastSendUs = sendUs;
        g.LastArrivalUs = arrivalUs;
        g.Size = size;
    }
}
