using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Producer-side key frame request policy per SSRC. A request goes out at once and
/// stays pending until a key frame arrives; if none comes within 1000 ms and someone still
/// wants it, it is requested once more. With a delay configured, further requests for the
/// same SSRC within that delay are folded into a single one sent when the delay ends.
/// Emitted requests are SSRCs the caller turns into PLI/FIR.</summary>
public sealed class KeyFrameRequestManager
{
    public const long RetransmissionWaitMs = 1000;

    private struct Entry
    {
        public uint Ssrc;
        public long PendingDeadlineMs;   // long.MaxValue: no pending request
        public bool RetryOnTimeout;
        public long DelayDeadlineMs;     // long.MaxValue: no delayer
        public bool DelayedRequested;    // something asked during the delay
    }

    private readonly long _delayMs;
    private Entry[] _entries = new Entry[4];
    private int _count;

    /// <param name="keyFrameRequestDelayMs">0 disables coalescing.</param>
    public KeyFrameRequestManager(long keyFrameRequestDelayMs) => _delayMs = Math.Max(keyFrameRequestDelayMs, 0);

    public long NextDeadlineMs
    {
        get
        {
            long next = long.MaxValue;
            for (int i = 0; i < _count; i++)
                next = Math.Min(next, Math.Min(_entries[i].PendingDeadlineMs, _entries[i].DelayDeadlineMs));
            return next;
        }
    }

    public bool IsPending(uint ssrc)
    {
        int i = Find(ssrc);
        return i >= 0 && _entries[i].PendingDeadlineMs != long.MaxValue;
    }

    /// <summary>Someone needs a key frame (consumer PLI/FIR, layer switch...). True means
    /// request it now; false means it is already pending or folded into a delayed one.</summary>
    public bool KeyFrameNeeded(uint ssrc, long nowMs)
    {
        ref Entry e = ref Get(ssrc);
        if (_delayMs > 0)
        {
            if (e.DelayDeadlineMs != long.MaxValue)
            {
                e.DelayedRequested = true;
                return false;
            }
            e.DelayDeadlineMs = nowMs + _delayMs;
            e.DelayedRequested = false;
        }
        if (e.PendingDeadlineMs != long.MaxValue)
        {
            // Make sure it is asked again if the pending one got lost.
            e.RetryOnTimeout = true;
            return false;
        }
        e.PendingDeadlineMs = nowMs + RetransmissionWaitMs;
        e.RetryOnTimeout = true;
        return true;
    }

    /// <summary>A key frame is required regardless of pending ones (new stream, resume).
    /// Always means: request it now.</summary>
    public void ForceKeyFrameNeeded(uint ssrc, long nowMs)
    {
        ref Entry e = ref Get(ssrc);
        if (_delayMs > 0)
        {
            e.DelayDeadlineMs = nowMs + _delayMs;
            e.DelayedRequested = false;
        }
        e.PendingDeadlineMs = nowMs + RetransmissionWaitMs;
        e.RetryOnTimeout = true;
    }

    public void KeyFrameReceived(uint ssrc)
    {
        int i = Find(ssrc);
        if (i >= 0)
            _entries[i].PendingDeadlineMs = long.MaxValue;
    }

    /// <summary>Forgets an SSRC (stream closed).</summary>
    public void Remove(uint ssrc)
    {
        int i = Find(ssrc);
        if (i < 0)
            return;
        _entries[i] = _entries[--_count];
        _entries[_count] = default;
    }

    /// <summary>Runs the timers due at nowMs. SSRCs to request a key frame for are written to
    /// output (one per SSRC at most per call); returns how many. SSRCs that do not fit are
    /// left due for the next call.</summary>
    public int OnTimer(long nowMs, Span<uint> output)
    {
        int n = 0;
        for (int i = 0; i < _count && n < output.Length; i++)
        {
            ref Entry e = ref _entries[i];
            bool request = false;
            // Both may be due in one call: run them in deadline order.
            while (true)
            {
                long pending = e.PendingDeadlineMs, delay = e.DelayDeadlineMs;
                if (pending <= nowMs && pending <= delay)
                    request |= PendingTimeout(ref e, nowMs);
                else if (delay <= nowMs)
                    request |= DelayTimeout(ref e, nowMs);
                else
                    break;
            }
            if (request)
                output[n++] = e.Ssrc;
        }
        return n;
    }

    private bool PendingTimeout(ref Entry e, long nowMs)
    {
        if (!e.RetryOnTimeout)
        {
            e.PendingDeadlineMs = long.MaxValue;
            return false;
        }
        // Best effort against a lost PLI/FIR: one more, then give up.
        e.RetryOnTimeout = false;
        e.PendingDeadlineMs = nowMs + RetransmissionWaitMs;
        return true;
    }

    private bool DelayTimeout(ref Entry e, long nowMs)
    {
        bool requested = e.DelayedRequested;
        e.DelayDeadlineMs = long.MaxValue;
        e.DelayedRequested = false;
        return requested && KeyFrameNeeded(e.Ssrc, nowMs);
    }

    private int Find(uint ssrc)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Ssrc == ssrc)
                return i;
        }
        return -1;
    }

    private ref Entry Get(uint ssrc)
    {
        int i = Find(ssrc);
        if (i >= 0)
            return ref _entries[i];
        if (_count == _entries.Length)
            Array.Resize(ref _entries, _count * 2);
        ref Entry e = ref _entries[_count++];
        e = new Entry
        {
            Ssrc = ssrc,
            PendingDeadlineMs = long.MaxValue,
            DelayDeadlineMs = long.MaxValue,
        };
        return ref e;
    }
}
