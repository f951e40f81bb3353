using System;

namespace Mediasoup.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5).</summary>
public enum SdesItemType : byte
{
    End = 0,
    Cname = 1,
    Name = 2,
    Email = 3,
    Phone = 4,
    Loc = 5,
    Tool = 6,
    Note = 7,
    Priv = 8,
}

public readonly ref struct SdesItem
{
    public readonly ReadOnlySpan<byte> Value;

    public SdesItem(SdesItemType type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public SdesItemType Type { get; }
}

public ref struct SdesItemEnumerator
{
    private readonly ReadOnlySpan<byte> _items;
    private int _offset;
    private SdesItem _current;

    internal SdesItemEnumerator(ReadOnlySpan<byte> items)
    {
        _items = items;
        _offset = 0;
        _current = default;
    }

    public readonly SdesItem Current => _current;

    public bool MoveNext()
    {
        // Bounds were established by the chunk enumerator, but an SdesChunk can also be
        // built by hand, so check again.
        if (_offset + 2 > _items.Length)
            return false;
        int length = _items[_offset + 1];
        if (_offset + 2 + length > _items.Length)
            return false;
        _current = new SdesItem((SdesItemType)_items[_offset], _items.Slice(_offset + 2, length));
        _offset += 2 + length;
        return true;
    }
}
