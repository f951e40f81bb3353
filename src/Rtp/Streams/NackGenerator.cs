using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>What a call into the <see cref="NackGenerator"/> decided.</summary>
public readonly struct NackResult
{
    public NackResult(bool recovered, int nackCount, bool keyFrameRequired)
    {
        Recovered = recovered;
        NackCount = nackCount;
        KeyFrameRequired = keyFrameRequired;
    }

    /// <summary>The packet was one we were missing (or an RTX packet carrying a sequence
    /// number not seen yet): count it as repaired.</summary>
    public bool Recovered { get; }
    /// <summary>How many sequence numbers were written to the caller's span, ascending.</summary>
    public int NackCount { get; }
    /// <summary>Too much is missing to NACK it all: request a key frame instead.</summary>
    public bool KeyFrameRequired { get; }
}

/// <summary>Receive-side NACK scheduling. Missing sequence numbers are held for a short
/// reordering delay, NACKed, then re-NACKed at most once per RTT (checked every 40 ms) up to
/// 10 times. The list is capped at 1000: beyond that it is trimmed to the newest key frame,
/// or cleared with a key frame request. Fixed-capacity storage, no allocation per call.</summary>
public sealed class NackGenerator
{
    public const int MaxPacketAge = 10000;
    public const int MaxNackPackets = 1000;
    public const int MaxNackRetries = 10;
    public const long TimerIntervalMs = 40;
    public const long DefaultRttMs = 100;
    /// <summary>The delay the reference producer uses before a first NACK.</summary>
    public const long DefaultSendNackDelayMs = 10;
    // Key frame starts remembered; older ones only matter when the list overflows.
    private const int KeyFrameCapacity = 1024;
    // Physical room for the NACK list: live entries plus tombstones between compactions.
    private const int ListCapacity = 2 * MaxNackPackets + 64;

    private struct Entry
    {
        public long CreatedAtMs;
        public long SentAtMs;
        public ushort Seq;
        public byte Retries;
        public bool Sent;
        public bool Live;
    }

    private readonly long _sendNackDelayMs;
    // Entries in ascending (wrap-aware) seq order within [_head, _tail); removed ones are
    // tombstones until compaction.
    private readonly Entry[] _list = new Entry[ListCapacity];
    private int _head;
    private int _tail;
    private int _live;
    // Ring of key frame sequence numbers, ascending because they are only added at the front.
    private readonly ushort[] _keyFrames = new ushort[KeyFrameCapacity];
    private int _kfHead;
    private int _kfCount;
    private bool _started;
    private ushort _lastSeq;
    private long _rttMs = DefaultRttMs;
    private long _timerDeadlineMs = long.MaxValue;

    public NackGenerator(long sendNackDelayMs = DefaultSendNackDelayMs) => _sendNackDelayMs = Math.Max(sendNackDelayMs, 0);

    /// <summary>Missing packets being tracked.</summary>
    public int PendingCount => _live;
    public long RttMs => _rttMs;
    /// <summary>When <see cref="OnTimer"/> must run next; long.MaxValue when idle.</summary>
    public long NextDeadlineMs => _timerDeadlineMs;

    public void UpdateRtt(long rttMs) => _rttMs = rttMs;

    public bool IsPending(ushort seq) => Find(seq) >= 0;

    /// <summary>Feeds one valid packet (isRecovered: it came via RTX). Sequence numbers due
    /// for a NACK right away are written to nackOut (size it to <see cref="MaxNackPackets"/>;
    /// what does not fit stays pending).</summary>
    public NackResult ReceivePacket(ushort seq, bool isKeyFrame, bool isRecovered, long nowMs, Span<ushort> nackOut)
    {
        if (!_started)
        {
            _started = true;
            _lastSeq = seq;
            if (isKeyFrame)
                AddKeyFrame(seq);
            return default;
        }

        if (seq == _lastSeq)
            return default;

        // Older than the newest: a reordered packet, or the retransmission we asked for.
        if (SeqMath.IsLower(seq, _lastSeq))
        {
            int i = Find(seq);
            if (i < 0)
                return default;
            Remove(i);
            // Accepted even if its NACK was not sent yet: it would have been.
            return new NackResult(true, 0, false);
        }

        if (isKeyFrame)
            AddKeyFrame(seq);
        PruneKeyFrames((ushort)(seq - MaxPacketAge));

        // Note: the reference also keeps a set of RTX-recovered sequence numbers newer than
        // the last one to skip them when NACKing; every later range starts above them, so it
        // can never match and is left out.
        bool keyFrameRequired = AddMissing((ushort)(_lastSeq + 1), seq, nowMs);
        _lastSeq = seq;

        int count = CollectBatch(bySeq: true, nowMs, nackOut);

        // Only when idle: restarting would postpone the periodic retries forever.
        if (_timerDeadlineMs == long.MaxValue)
            ScheduleTimer(nowMs);

        // RTX can carry a never-seen packet (libwebrtc probing): treat it as recovered.
        return new NackResult(isRecovered, count, keyFrameRequired);
    }

    /// <summary>Periodic retries. Call at <see cref="NextDeadlineMs"/>; earlier calls do nothing.</summary>
    public NackResult OnTimer(long nowMs, Span<ushort> nackOut)
    {
        if (nowMs < _timerDeadlineMs)
            return default;
        int count = CollectBatch(bySeq: false, nowMs, nackOut);
        ScheduleTimer(nowMs);
        return new NackResult(false, count, false);
    }

    public void Reset()
    {
        Array.Clear(_list);
        _head = _tail = _live = 0;
        _kfHead = _kfCount = 0;
        _started = false;
        _lastSeq = 0;
        _timerDeadlineMs = long.MaxValue;
    }

    private void ScheduleTimer(long nowMs) => _timerDeadlineMs = _live == 0 ? long.MaxValue : nowMs + TimerIntervalMs;

    // Adds [start, end) as missing; true if it overflowed and a key frame is needed instead.
    private bool AddMissing(ushort start, ushort end, long nowMs)
    {
        RemoveOlderThan((ushort)(end - MaxPacketAge));

        int numNew = (ushort)(end - start);
        if (_live + numNew > MaxNackPackets)
        {
            while (RemoveUntilKeyFrame() && _live + numNew > MaxNackPackets)
            {
            }
            if (_live + numNew > MaxNackPackets)
            {
                Clear();
                return true;
            }
        }

        if (_tail + numNew > ListCapacity)
            Compact();
        for (ushort s = start; s != end; s++)
        {
            ref Entry e = ref _list[_tail++];
            e.Seq = s;
            e.CreatedAtMs = nowMs;
            e.SentAtMs = 0;
            e.Retries = 0;
            e.Sent = false;
            e.Live = true;
            _live++;
        }
        return false;
    }

    // Drops the entries older than the oldest remembered key frame that still covers some;
    // false when no key frame helps.
    private bool RemoveUntilKeyFrame()
    {
        while (_kfCount > 0)
        {
            ushort kf = _keyFrames[_kfHead];
            if (RemoveOlderThan(kf))
                return true;
            _kfHead = (_kfHead + 1) % KeyFrameCapacity;
            _kfCount--;
        }
        return false;
    }

    // Removes live entries lower than seq; true if any.
    private bool RemoveOlderThan(ushort seq)
    {
        bool removed = false;
        while (_head < _tail)
        {
            ref Entry e = ref _list[_head];
            if (e.Live)
            {
                if (!SeqMath.IsLower(e.Seq, seq))
                    break;
                e.Live = false;
                _live--;
                removed = true;
            }
            _head++;
        }
        if (_head == _tail)
            _head = _tail = 0;
        return removed;
    }

    private int CollectBatch(bool bySeq, long nowMs, Span<ushort> nackOut)
    {
        int count = 0;
        long rtt = _rttMs > 0 ? _rttMs : DefaultRttMs;
        for (int i = _head; i < _tail && count < nackOut.Length; i++)
        {
            ref Entry e = ref _list[i];
            if (!e.Live)
                continue;
            // Give reordered packets a moment before the first NACK.
            if (_sendNackDelayMs > 0 && nowMs - e.CreatedAtMs < _sendNackDelayMs)
                continue;
            bool due = bySeq
                // Every entry is at or below the newest seq, so only "never sent" matters.
                ? !e.Sent && !SeqMath.IsHigher(e.Seq, _lastSeq)
                : !e.Sent || nowMs - e.SentAtMs >= rtt;
            if (!due)
                continue;
            nackOut[count++] = e.Seq;
            e.Retries++;
            e.Sent = true;
            e.SentAtMs = nowMs;
            if (e.Retries >= MaxNackRetries)
                Remove(i);
        }
        return count;
    }

    private void Remove(int i)
    {
        _list[i].Live = false;
        _live--;
        while (_head < _tail && !_list[_head].Live)
            _head++;
        while (_tail > _head && !_list[_tail - 1].Live)
            _tail--;
        if (_head == _tail)
            _head = _tail = 0;
    }

    private void Clear()
    {
        _head = _tail = _live = 0;
    }

    private void Compact()
    {
        int w = 0;
        for (int r = _head; r < _tail; r++)
        {
            if (_list[r].Live)
                _list[w++] = _list[r];
        }
        _head = 0;
        _tail = w;
    }

    // Binary search by wrap-aware distance behind the newest seq; live entries only.
    private int Find(ushort seq)
    {
        int lo = _head, hi = _tail - 1;
        int key = Behind(seq);
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int k = Behind(_list[mid].Seq);
            if (k == key)
                return _list[mid].Live ? mid : -1;
            // Larger distance behind means older, which sits earlier in the list.
            if (k > key)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    private int Behind(ushort seq) => (ushort)(_lastSeq - seq);

    private void AddKeyFrame(ushort seq)
    {
        if (_kfCount == KeyFrameCapacity)
        {
            _kfHead = (_kfHead + 1) % KeyFrameCapacity;
            _kfCount--;
        }
        _keyFrames[(_kfHead + _kfCount) % KeyFrameCapacity] = seq;
        _kfCount++;
    }

    private void PruneKeyFrames(ushort oldest)
    {
        while (_kfCount > 0 && SeqMath.IsLower(_keyFrames[_kfHead], oldest))
        {
            _kfHead = (_kfHead + 1) % KeyFrameCapacity;
            _kfCount--;
        }
    }
}
