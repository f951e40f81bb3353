using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Consumer-side store of sent packets for answering NACKs. Holds a contiguous
/// sequence range (gaps are empty slots) in a fixed ring, ordered by sequence number with
/// non-decreasing RTP timestamps; entries older than the max delay (in RTP time, relative
/// to the newest timestamp) are evicted on insertion. T is the caller's handle to the
/// packet memory (pool slot, refcounted buffer...): the buffer never touches the bytes, and
/// hands every handle it lets go of to the release callback exactly once.</summary>
public sealed class RetransmissionBuffer<T> where T : struct
{
    public const int DefaultMaxItems = 2500;
    public const long MaxDelayVideoMs = 2000;
    public const long MaxDelayAudioMs = 1000;
    /// <summary>One NACK item asks for its packet id plus a 16-bit bitmask.</summary>
    public const int MaxPacketsPerNackItem = 17;
    public const long DefaultRttMs = 100;

    private struct Slot
    {
        public T Handle;
        public long ResentAtMs;
        public uint Timestamp;
        public ushort Seq;
        public byte SentTimes;
        public bool Used;
    }

    private Slot[] _slots;
    private readonly int _maxItems;
    private readonly long _maxDelayMs;
    private readonly uint _clockRate;
    private readonly Action<T>? _release;
    private int _head;   // physical index of the oldest slot (always used when _count > 0)
    private int _count;  // logical length including empty slots
    private ushort _oldestSeq;

    /// <param name="initialCapacity">Slots allocated up front (default: all of maxItems, so
    /// nothing is ever allocated later). A smaller value saves memory on low-rate streams
    /// (audio) at the cost of a few doublings while the stream ramps up.</param>
    public RetransmissionBuffer(int maxItems, long maxDelayMs, uint clockRate, Action<T>? release = null,
        int initialCapacity = 0)
    {
        _maxItems = Math.Clamp(maxItems, 1, 0x8000);
        _slots = new Slot[initialCapacity > 0 ? Math.Min(initialCapacity, _maxItems) : _maxItems];
        _maxDelayMs = maxDelayMs;
        _clockRate = clockRate;
        _release = release;
    }

    public int MaxItems => _maxItems;
    /// <summary>Slots currently allocated.</summary>
    public int Capacity => _slots.Length;
    /// <summary>Span of sequence numbers covered, empty slots included.</summary>
    public int Length => _count;
    public bool IsEmpty => _count == 0;
    public ushort OldestSeq => _oldestSeq;
    public ushort NewestSeq => (ushort)(_oldestSeq + _count - 1);

    public bool Contains(ushort seq) => IndexOf(seq) >= 0;

    public bool TryGet(ushort seq, out T handle, out uint timestamp)
    {
        int i = IndexOf(seq);
        if (i < 0)
        {
            handle = default;
            timestamp = 0;
            return false;
        }
        handle = _slots[i].Handle;
        timestamp = _slots[i].Timestamp;
        return true;
    }

    /// <summary>Stores a packet. False means it was not stored (duplicate, too old, or its
    /// timestamp does not fit the order) and the caller keeps ownership of the handle.</summary>
    public bool Insert(ushort seq, uint timestamp, T handle)
    {
        if (_count == 0)
        {
            PushFirst(seq, timestamp, handle);
            return true;
        }

        ref Slot newest = ref Newest();
        // Lower seq but higher timestamp than the newest: the sender restarted, start over.
        if (SeqMath.IsLower(seq, newest.Seq) && SeqMath.IsHigher(timestamp, newest.Timestamp))
        {
            Clear();
            PushFirst(seq, timestamp, handle);
            return true;
        }

        // A packet with a higher timestamp is the reference for ageing even if its seq is
        // older (heavy loss).
        uint newestTs = SeqMath.IsHigher(timestamp, newest.Timestamp) ? timestamp : newest.Timestamp;
        if (ClearTooOld(newestTs) && _count == 0)
        {
            PushFirst(seq, timestamp, handle);
            return true;
        }

        ref Slot oldest = ref _slots[_head];
        ushort newestSeq = NewestSeq;
        uint newestStoredTs = Newest().Timestamp;

        if (SeqMath.IsHigher(seq, newestSeq))
        {
            if (SeqMath.IsLower(timestamp, newestStoredTs))
                return false;
            int blanks = (ushort)(seq - newestSeq) - 1;
            if (_count + blanks + 1 > _maxItems)
            {
                int toRemove = _count + blanks + 1 - _maxItems;
                if (toRemove > _count - 1)
                {
                    // The jump is wider than the whole buffer.
                    Clear();
                    PushFirst(seq, timestamp, handle);
                    return true;
                }
                RemoveOldest(toRemove);
                if (_count == 0)
                {
                    PushFirst(seq, timestamp, handle);
                    return true;
                }
            }
            EnsureCapacity(_count + blanks + 1);
            for (int i = 0; i < blanks; i++)
                _slots[Phys(_count++)] = default;
            Fill(ref _slots[Phys(_count++)], seq, timestamp, handle);
            return true;
        }

        if (SeqMath.IsLower(seq, _oldestSeq))
        {
            if (IsTooOld(timestamp, newestStoredTs) || SeqMath.IsHigher(timestamp, oldest.Timestamp))
                return false;
            int blanks = (ushort)(_oldestSeq - seq) - 1;
            if (_count + blanks + 1 > _maxItems)
                return false;
            EnsureCapacity(_count + blanks + 1);
            for (int i = 0; i < blanks; i++)
            {
                _head = _head == 0 ? _slots.Length - 1 : _head - 1;
                _slots[_head] = default;
            }
            _head = _head == 0 ? _slots.Length - 1 : _head - 1;
            Fill(ref _slots[_head], seq, timestamp, handle);
            _count += blanks + 1;
            _oldestSeq = seq;
            return true;
        }

        // In between: there is a slot for it already.
        int idx = (ushort)(seq - _oldestSeq);
        ref Slot slot = ref _slots[Phys(idx)];
        if (slot.Used)
            return false;
        // Timestamps must stay ordered with the nearest stored neighbours.
        for (int j = idx - 1; j >= 0; j--)
        {
            ref Slot older = ref _slots[Phys(j)];
            if (!older.Used)
                continue;
            if (SeqMath.IsLower(timestamp, older.Timestamp))
                return false;
            break;
        }
        for (int j = idx + 1; j < _count; j++)
        {
            ref Slot newer = ref _slots[Phys(j)];
            if (!newer.Used)
                continue;
            if (SeqMath.IsHigher(timestamp, newer.Timestamp))
                return false;
            break;
        }
        Fill(ref slot, seq, timestamp, handle);
        return true;
    }

    /// <summary>Looks up a NACKed packet for resending. A packet already resent within the
    /// last RTT is skipped (the earlier resend is probably still in flight).
    /// firstResend: this is its first retransmission (counts as repaired).</summary>
    public bool TryGetForResend(ushort seq, long nowMs, float rttMs, out T handle, out bool firstResend)
    {
        handle = default;
        firstResend = false;
        int i = IndexOf(seq);
        if (i < 0)
            return false;
        ref Slot s = ref _slots[i];
        long rtt = rttMs > 0f ? (long)rttMs : DefaultRttMs;
        if (s.SentTimes > 0 && nowMs - s.ResentAtMs <= rtt)
            return false;
        s.ResentAtMs = nowMs;
        if (s.SentTimes < byte.MaxValue)
            s.SentTimes++;
        firstResend = s.SentTimes == 1;
        handle = s.Handle;
        return true;
    }

    /// <summary>Resolves one NACK item (packet id + bitmask of the 16 following) into the
    /// handles to resend, in order. Returns how many were written (at most 17);
    /// firstResends counts those resent for the first time.</summary>
    public int ResolveNack(ushort packetId, ushort bitmask, long nowMs, float rttMs, Span<T> output, out int firstResends)
    {
        firstResends = 0;
        int n = 0;
        ushort seq = packetId;
        bool requested = true;
        while ((requested || bitmask != 0) && n < output.Length)
        {
            if (requested && TryGetForResend(seq, nowMs, rttMs, out T h, out bool first))
            {
                output[n++] = h;
                if (first)
                    firstResends++;
            }
            requested = (bitmask & 1) != 0;
            bitmask >>= 1;
            seq++;
        }
        return n;
    }

    /// <summary>Releases everything.</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            ref Slot s = ref _slots[Phys(i)];
            if (s.Used)
                _release?.Invoke(s.Handle);
            s = default;
        }
        _head = 0;
        _count = 0;
    }

    private int IndexOf(ushort seq)
    {
        if (_count == 0 || SeqMath.IsLower(seq, _oldestSeq))
            return -1;
        int idx = (ushort)(seq - _oldestSeq);
        if (idx >= _count)
            return -1;
        int p = Phys(idx);
        return _slots[p].Used ? p : -1;
    }

    private int Phys(int logical)
    {
        int p = _head + logical;
        return p >= _slots.Length ? p - _slots.Length : p;
    }

    private ref Slot Newest() => ref _slots[Phys(_count - 1)];

    private void EnsureCapacity(int needed)
    {
        if (needed <= _slots.Length)
            return;
        var bigger = new Slot[Math.Min(Math.Max(needed, _slots.Length * 2), _maxItems)];
        for (int i = 0; i < _count; i++)
            bigger[i] = _slots[Phys(i)];
        _slots = bigger;
        _head = 0;
    }

    private void PushFirst(ushort seq, uint timestamp, T handle)
    {
        _head = 0;
        _count = 1;
        _oldestSeq = seq;
        Fill(ref _slots[0], seq, timestamp, handle);
    }

    private static void Fill(ref Slot s, ushort seq, uint timestamp, T handle)
    {
        s.Handle = handle;
        s.Seq = seq;
        s.Timestamp = timestamp;
        s.ResentAtMs = 0;
        s.SentTimes = 0;
        s.Used = true;
    }

    // Removes n logical slots from the front, then any empty ones so the oldest is used.
    private void RemoveOldest(int n)
    {
        int target = Math.Max(_count - n, 0);
        while (_count > target)
            PopFront();
        TrimFront();
    }

    private void PopFront()
    {
        ref Slot s = ref _slots[_head];
        if (s.Used)
            _release?.Invoke(s.Handle);
        s = default;
        _head = Phys(1);
        _count--;
        _oldestSeq++;
        if (_count == 0)
            _head = 0;
    }

    private void TrimFront()
    {
        while (_count > 0 && !_slots[_head].Used)
            PopFront();
    }

    private bool ClearTooOld(uint newestTs)
    {
        bool removed = false;
        while (_count > 0 && IsTooOld(_slots[_head].Timestamp, newestTs))
        {
            PopFront();
            TrimFront();
            removed = true;
        }
        return removed;
    }

    private bool IsTooOld(uint timestamp, uint newestTs)
    {
        if (SeqMath.IsHigher(timestamp, newestTs) || _clockRate == 0)
            return false;
        long diffTs = unchecked(newestTs - timestamp);
        return unchecked((uint)(diffTs * 1000 / _clockRate)) > _maxDelayMs;
    }
}
