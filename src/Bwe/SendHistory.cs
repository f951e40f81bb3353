using System;

namespace Mediasoup.Bwe;

/// <summary>
/// The packets a transport sent with its transport-wide sequence number (draft-holmer-rmcat-
/// transport-wide-cc-extensions-01 §2), in a fixed ring indexed by the unwrapped sequence: a
/// slot is valid only while it still holds that sequence, so an old packet that was overwritten
/// simply becomes unknown. The 16-bit sequence is unwrapped against the highest one sent.
/// </summary>
internal sealed class SendHistory
{
    public const int DefaultCapacity = 4096;

    private readonly SentPacket[] _slots;
    private readonly long _mask;

    public SendHistory(int capacity = DefaultCapacity)
    {
        if (capacity < 16 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), "a power of two, at least 16");
        _slots = new SentPacket[capacity];
        _mask = capacity - 1;
        for (int i = 0; i < _slots.Length; i++)
            _slots[i].Sequence = -1;
        HighestSequence = -1;
    }

    public int Capacity => _slots.Length;

    /// <summary>Highest unwrapped sequence sent; -1 before the first packet.</summary>
    public long HighestSequence { get; private set; }

    /// <summary>The unwrapped sequence nearest to the highest one sent (the first one sent is taken as is, plus one wrap so nothing goes negative).</summary>
    public long Unwrap(ushort sequence)
        => HighestSequence < 0 ? sequence + 0x10000L : HighestSequence + (short)(ushort)(sequence - (ushort)HighestSequence);

    /// <summary>Records a packet handed to the socket; returns its unwrapped sequence. Sending the same sequence again replaces the entry.</summary>
    public long Add(ushort sequence, int size, long sendUs, int probeClusterId)
    {
        long seq = Unwrap(sequence);
        ref SentPacket slot = ref _slots[seq & _mask];
        slot.Sequence = seq;
        slot.SendUs = sendUs;
        slot.Size = size;
        slot.ProbeClusterId = probeClusterId;
        slot.State = SentPacketState.Sent;
        if (seq > HighestSequence)
            HighestSequence = seq;
        return seq;
    }

    /// <summary>Whether the packet is still in the history (sent, not yet overwritten).</summary>
    public bool Contains(long sequence)
        => sequence >= 0 && sequence <= HighestSequence && _slots[sequence & _mask].Sequence == sequence;

    /// <summary>The entry of a sequence for which <see cref="Contains"/> holds.</summary>
    public ref SentPacket Get(long sequence) => ref _slots[sequence & _mask];
}
