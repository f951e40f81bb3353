using System;

namespace Mediasoup.Consumers;

/// <summary>What to do with one packet of a simulcast producer, for one consumer.</summary>
internal enum SimulcastDecision : byte
{
    /// <summary>Not the layer being forwarded (or waiting for a key frame): drop it.</summary>
    Drop,
    /// <summary>Forward with the current offsets.</summary>
    Forward,
    /// <summary>A key frame of the target layer: the consumer switched to it; forward it and
    /// re-anchor the sequence numbers (timestamps already re-anchored here).</summary>
    SwitchAndForward,
}

/// <summary>
/// The spatial layer choice of a simulcast consumer, sans IO: which encoding to forward, when
/// to switch (only at a key frame of the new one, so the receiver can decode straight away), and
/// the timestamp offset that keeps the outgoing RTP clock continuous across encodings (each
/// encoding has its own random timestamp base). Without bandwidth estimation the target is the
/// highest active encoding not above the preferred one (the lowest active one if none is).
/// </summary>
internal sealed class SimulcastLayerSelector
{
    private readonly byte[] _scores;
    private short _preferred;
    private bool _haveSent;
    private uint _lastOutTimestamp;
    private long _lastSentUs;
    private readonly uint _clockRate;

    public SimulcastLayerSelector(int layers, short preferredSpatial, uint clockRate)
    {
        if (layers < 1)
            throw new ArgumentOutOfRangeException(nameof(layers));
        _scores = new byte[layers];
        _preferred = Math.Clamp(preferredSpatial, (short)0, (short)(layers - 1));
        _clockRate = clockRate == 0 ? 90000 : clockRate;
        Target = -1;
        Current = -1;
    }

    /// <summary>The encoding being forwarded; -1 before the first switch.</summary>
    public short Current { get; private set; }

    /// <summary>The encoding it should forward; -1 when none is active.</summary>
    public short Target { get; private set; }

    /// <summary>Added to the timestamps of the current encoding's packets.</summary>
    public uint TimestampOffset { get; private set; }

    /// <summary>Sets the preferred spatial layer; true when the target changed (ask for a key frame of it).</summary>
    public bool SetPreferred(short spatial)
    {
        _preferred = Math.Clamp(spatial, (short)0, (short)(_scores.Length - 1));
        return UpdateTarget();
    }

    /// <summary>An encoding's producer score (0 = not receiving); true when the target changed.</summary>
    public bool SetScore(int layer, byte score)
    {
        if ((uint)layer >= (uint)_scores.Length)
            return false;
        _scores[layer] = score;
        return UpdateTarget();
    }

    /// <summary>Forget the current encoding (start, resume): the next key frame of the target re-anchors.</summary>
    public void Reset() => Current = -1;

    /// <summary>The encoding forwarded last (stays set across a reset); -1 before any.</summary>
    public short Previous { get; private set; } = -1;

    /// <summary>
    /// Decides for a packet of encoding <paramref name="layer"/>. <paramref name="captureDelta"/>,
    /// when the senders' reports of both encodings are known, is how far this packet's timestamp
    /// lies from the timestamp the previously forwarded encoding gave the same capture instant
    /// (that encoding's clock minus this one's): the switch then keeps capture times exact, so
    /// audio/video sync survives it. Without it the clock advances by the wall-clock gap.
    /// </summary>
    public SimulcastDecision OnPacket(int layer, bool isKeyFrame, uint timestamp, long nowUs, int? captureDelta = null)
    {
        if (Target >= 0 && layer == Target && layer != Current && isKeyFrame)
        {
            if (!_haveSent)
            {
                TimestampOffset = 0;
            }
            else if (captureDelta is int delta)
            {
                TimestampOffset += (uint)delta;
                // Never step back: a new encoding that lags by a frame still moves forward.
                if ((int)(timestamp + TimestampOffset - _lastOutTimestamp) <= 0)
                    TimestampOffset = _lastOutTimestamp + 1 - timestamp;
            }
            else
            {
                // The new encoding's clock starts where ours was, advanced by the time since.
                long elapsedUs = Math.Max(0, nowUs - _lastSentUs);
                uint advance = (uint)Math.Max(1, elapsedUs * _clockRate / 1_000_000);
                TimestampOffset = _lastOutTimestamp + advance - timestamp;
            }
            Current = (short)layer;
            Previous = Current;
            Sent(timestamp, nowUs);
            return SimulcastDecision.SwitchAndForward;
        }
        if (layer != Current || Current < 0)
            return SimulcastDecision.Drop;
        Sent(timestamp, nowUs);
        return SimulcastDecision.Forward;
    }

    private void Sent(uint timestamp, long nowUs)
    {
        uint outTs = timestamp + TimestampOffset;
        // Only move forward: reordered packets must not pull the anchor back.
        if (!_haveSent || (int)(outTs - _lastOutTimestamp) > 0)
        {
            _lastOutTimestamp = outTs;
            _lastSentUs = nowUs;
        }
        _haveSent = true;
    }

    private bool UpdateTarget()
    {
        short target = -1;
        for (short s = _preferred; s >= 0; s--)
        {
            if (_scores[s] > 0)
            {
                target = s;
                break;
            }
        }
        if (target < 0)
        {
            for (short s = (short)(_preferred + 1); s < _scores.Length; s++)
            {
                if (_scores[s] > 0)
                {
                    target = s;
                    break;
                }
            }
        }
        if (target == Target)
            return false;
        Target = target;
        return true;
    }
}
