using System;
using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;

namespace Mediasoup.Consumers;

/// <summary>
/// A few packets of the encoding a simulcast consumer waits to switch to, kept while its key
/// frame has not started: a key frame's later packets can arrive before its first one
/// (reordering), and without them the receiver would get a broken key frame. When the key
/// frame's first packet switches the consumer, the held packets of that frame (same
/// timestamp, newer sequence numbers) are handed back in sequence order; the rest are
/// forgotten. Storage is allocated once, on first use.
/// </summary>
internal sealed class KeyFrameHold
{
    public const int Capacity = 8;
    private const int SlotBytes = 1500;

    private byte[][]? _buffers;
    private readonly RtpPacket[] _packets = new RtpPacket[Capacity];
    private readonly LayerInfo[] _layers = new LayerInfo[Capacity];
    private readonly int[] _encodings = new int[Capacity];
    private readonly bool[] _used = new bool[Capacity];
    private int _next;

    // The frame being released after a switch.
    private bool _releasing;
    private int _releaseEncoding;
    private uint _releaseTimestamp;
    private ushort _releaseAfter;

    public int Count { get; private set; }

    /// <summary>Keeps a copy of a packet of <paramref name="encoding"/> (the oldest goes when full).</summary>
    public void Hold(RtpPacket packet, in LayerInfo layers, int encoding)
    {
        if (packet.Length > SlotBytes)
            return;
        if (_buffers == null)
        {
            _buffers = new byte[Capacity][];
            for (int i = 0; i < Capacity; i++)
            {
                _buffers[i] = GC.AllocateArray<byte>(SlotBytes, pinned: true);
                _packets[i] = new RtpPacket();
            }
        }
        int slot = _next;
        _next = (_next + 1) % Capacity;
        if (!_used[slot])
            Count++;
        if (!packet.CopyTo(_buffers[slot], _packets[slot]))
        {
            _used[slot] = false;
            Count--;
            return;
        }
        _used[slot] = true;
        _layers[slot] = layers;
        _encodings[slot] = encoding;
    }

    /// <summary>The consumer switched at the key frame starting at <paramref name="seq"/>: its held packets follow.</summary>
    public void Release(int encoding, uint timestamp, ushort seq)
    {
        _releasing = Count > 0;
        _releaseEncoding = encoding;
        _releaseTimestamp = timestamp;
        _releaseAfter = seq;
    }

    /// <summary>The next held packet of the released frame (lowest sequence number first); false when none is left (all are then forgotten).</summary>
    public bool TryTake(out RtpPacket packet, out LayerInfo layers, out int encoding)
    {
        packet = null!;
        layers = default;
        encoding = -1;
        if (!_releasing)
            return false;
        int best = -1;
        for (int i = 0; i < Capacity; i++)
        {
            if (!_used[i] || _encodings[i] != _releaseEncoding || _packets[i].Timestamp != _releaseTimestamp
                || !SeqMath.IsHigher(_packets[i].SequenceNumber, _releaseAfter))
                continue;
            if (best < 0 || SeqMath.IsLower(_packets[i].SequenceNumber, _packets[best].SequenceNumber))
                best = i;
        }
        if (best < 0)
        {
            Clear();
            return false;
        }
        _used[best] = false;
        Count--;
        _releaseAfter = _packets[best].SequenceNumber;
        packet = _packets[best];
        layers = _layers[best];
        encoding = _encodings[best];
        return true;
    }

    public void Clear()
    {
        Array.Clear(_used);
        Count = 0;
        _releasing = false;
    }
}
