using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>One SDES chunk: an SSRC/CSRC and its complete items.</summary>
public readonly ref struct SdesChunk
{
    /// <summary>Bytes of the complete items, without the END octet and padding.</summary>
    public readonly ReadOnlySpan<byte> Items;

    public SdesChunk(uint ssrc, ReadOnlySpan<byte> items)
    {
        Ssrc = ssrc;
        Items = items;
    }

    public uint Ssrc { get; }

    public SdesItemEnumerator GetEnumerator() => new(Items);

    public bool TryGetItem(SdesItemType type, out ReadOnlySpan<byte> value)
    {
        foreach (SdesItem item in this)
        {
            if (item.Type == type)
            {
                value = item.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool TryGetCname(out ReadOnlySpan<byte> cname) => TryGetItem(SdesItemType.Cname, out cname);
}

public ref struct SdesChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _body;
    private int _offset;
    private int _remainingChunks;
    private SdesChunk _current;

    internal SdesChunkEnumerator(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        _offset = 0;
        _remainingChunks = chunkCount;
        _current = default;
    }

    public readonly SdesChunk Current => _current;

    public bool MoveNext()
    {
        if (_remainingChunks <= 0 || _body.Length - _offset < 4)
            return false;
        _remainingChunks--;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(_offset));
        int start = _offset + 4;
        int pos = start;
        bool truncated = false;
        while (pos < _body.Length && _body[pos] != (byte)SdesItemType.End)
        {
            if (pos + 2 > _body.Length || pos + 2 + _body[pos + 1] > _body.Length)
            {
                truncated = true;
                break;
            }
            pos += 2 + _body[pos + 1];
        }
        _current = new SdesChunk(ssrc, _body.Slice(start, pos - start));
        // Skip the END octet and padding; after an overrun there is nothing left to trust.
        _offset = truncated ? _body.Length : RtcpHeader.PadTo4(pos + 1);
        return true;
    }
}
