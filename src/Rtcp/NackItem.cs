using System;
using System.Numerics;

namespace Mediasoup.Rtcp;

/// <summary>
/// One generic NACK FCI entry (RFC 4585 §6.2.1): PID is a lost sequence number, bit i of BLP
/// (LSB = bit 0) reports PID + i + 1 lost as well.
/// </summary>
public readonly record struct NackItem(ushort PacketId, ushort Bitmask)
{
    public const int Size = 4;

    /// <summary>Most sequence numbers one item can carry.</summary>
    public const int MaxLostPerItem = 17;

    public int LostCount => 1 + BitOperations.PopCount(Bitmask);

    /// <summary>
    /// Writes the lost sequence numbers in order (wrapping past 65535 to 0) and returns how many;
    /// <paramref name="dst"/> should hold <see cref="MaxLostPerItem"/>; stops early when it is shorter.
    /// </summary>
    public int Expand(Span<ushort> dst)
    {
        if (dst.IsEmpty)
            return 0;
        int n = 0;
        dst[n++] = PacketId;
        uint mask = Bitmask;
        while (mask != 0 && n < dst.Length)
        {
            int bit = BitOperations.TrailingZeroCount(mask);
            dst[n++] = (ushort)(PacketId + bit + 1);
            mask &= mask - 1;
        }
        return n;
    }

    /// <summary>
    /// Packs lost sequence numbers, sorted in RTP order (so 65534, 65535, 0, 1 is sorted), into
    /// as few items as a greedy pass gives: each item starts at the first sequence number not yet
    /// covered and takes the next 16 in its bitmask. Duplicates are dropped. Unsorted input is
    /// still covered correctly, only with more items. Returns the items written;
    /// <paramref name="consumed"/> says how many input entries they cover (less than the input
    /// length when <paramref name="items"/> ran out).
    /// </summary>
    public static int Pack(ReadOnlySpan<ushort> sortedLost, Span<NackItem> items, out int consumed)
    {
        int count = 0;
        int i = 0;
        while (i < sortedLost.Length && count < items.Length)
            items[count++] = Take(sortedLost, ref i);
        consumed = i;
        return count;
    }

    // One greedy item starting at seqs[index]; advances index past what it covers.
    internal static NackItem Take(ReadOnlySpan<ushort> seqs, ref int index)
    {
        ushort pid = seqs[index++];
        ushort mask = 0;
        while (index < seqs.Length)
        {
            int diff = (ushort)(seqs[index] - pid);
            if (diff > 16)
                break;
            if (diff > 0)
                mask |= (ushort)(1 << (diff - 1));
            index++;
        }
        return new NackItem(pid, mask);
    }
}
