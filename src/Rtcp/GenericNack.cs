using System;
using System.Buffers.Binary;
using System.Numerics;

namespace Mediasoup.Rtcp;

/// <summary>Generic NACK, RTPFB FMT 1 (RFC 4585 §6.2.1): one or more <see cref="NackItem"/>s.</summary>
public readonly ref struct GenericNack
{
    private readonly ReadOnlySpan<byte> _fci;

    private GenericNack(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
    }

    public uint SenderSsrc { get; }

    public uint MediaSsrc { get; }

    public int ItemCount => _fci.Length / NackItem.Size;

    public NackItem GetItem(int index)
    {
        ReadOnlySpan<byte> e = _fci.Slice(index * NackItem.Size, NackItem.Size);
        return new NackItem(BinaryPrimitives.ReadUInt16BigEndian(e), BinaryPrimitives.ReadUInt16BigEndian(e.Slice(2)));
    }

    /// <summary>Every lost sequence number of every item, in packet order.</summary>
    public NackSequenceEnumerator GetEnumerator() => new(_fci);

    /// <summary>False without at least one item (RFC 4585 §6.2.1 requires one).</summary>
    public static bool TryRead(RtcpPacket packet, out GenericNack nack)
    {
        nack = default;
        if (!FeedbackPacket.TryRead(packet, RtcpPacketType.RTPFB, RtpFeedbackFmt.Nack, out FeedbackPacket fb)
            || fb.Fci.Length < NackItem.Size)
            return false;
        nack = new GenericNack(fb.SenderSsrc, fb.MediaSsrc, fb.Fci);
        return true;
    }

    public static int GetSize(int itemCount) => FeedbackPacket.FixedSize + itemCount * NackItem.Size;

    /// <summary>Writes a NACK with the given items; 0 when it does not fit or there are none.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<NackItem> items)
    {
        int size = GetSize(items.Length);
        if (items.Length == 0 || dst.Length < size || size > RtcpHeader.MaxPacketSize)
            return 0;
        FeedbackPacket.WriteHeader(dst, RtcpPacketType.RTPFB, RtpFeedbackFmt.Nack, size, senderSsrc, mediaSsrc);
        for (int i = 0; i < items.Length; i++)
        {
            Span<byte> e = dst.Slice(FeedbackPacket.FixedSize + i * NackItem.Size);
            BinaryPrimitives.WriteUInt16BigEndian(e, items[i].PacketId);
            BinaryPrimitives.WriteUInt16BigEndian(e.Slice(2), items[i].Bitmask);
        }
        return size;
    }

    /// <summary>
    /// Packs <paramref name="sortedLost"/> (see <see cref="NackItem.Pack"/>) straight into a NACK,
    /// as many items as fit in <paramref name="dst"/>. <paramref name="consumed"/> tells how many
    /// input entries went in, so the caller can put the rest in another packet. Returns 0 when
    /// not even one item fits or the input is empty.
    /// </summary>
    public static int WriteLost(Span<byte> dst, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> sortedLost, out int consumed)
    {
        consumed = 0;
        int room = Math.Min(dst.Length, RtcpHeader.MaxPacketSize) - FeedbackPacket.FixedSize;
        if (sortedLost.IsEmpty || room < NackItem.Size)
            return 0;
        int offset = FeedbackPacket.FixedSize;
        int i = 0;
        while (i < sortedLost.Length && room >= NackItem.Size)
        {
            NackItem item = NackItem.Take(sortedLost, ref i);
            BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(offset), item.PacketId);
            BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(offset + 2), item.Bitmask);
            offset += NackItem.Size;
            room -= NackItem.Size;
        }
        consumed = i;
        FeedbackPacket.WriteHeader(dst, RtcpPacketType.RTPFB, RtpFeedbackFmt.Nack, offset, senderSsrc, mediaSsrc);
        return offset;
    }
}

/// <summary>Yields the lost sequence numbers of a NACK's items, each item PID first then its BLP bits.</summary>
public ref struct NackSequenceEnumerator
{
    private readonly ReadOnlySpan<byte> _fci;
    private int _offset;
    private ushort _pid;
    private uint _mask;
    private ushort _current;

    internal NackSequenceEnumerator(ReadOnlySpan<byte> fci)
    {
        _fci = fci;
        _offset = 0;
        _pid = 0;
        _mask = 0;
        _current = 0;
    }

    public readonly ushort Current => _current;

    public bool MoveNext()
    {
        if (_mask != 0)
        {
            int bit = BitOperations.TrailingZeroCount(_mask);
            _mask &= _mask - 1;
            _current = (ushort)(_pid + bit + 1);
            return true;
        }
        if (_offset + NackItem.Size > _fci.Length)
            return false;
        _pid = BinaryPrimitives.ReadUInt16BigEndian(_fci.Slice(_offset));
        _mask = BinaryPrimitives.ReadUInt16BigEndian(_fci.Slice(_offset + 2));
        _offset += NackItem.Size;
        _current = _pid;
        return true;
    }
}
