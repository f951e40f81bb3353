using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>One XR report block; <see cref="Content"/> excludes its 4-byte header.</summary>
public readonly ref struct XrBlock
{
    public readonly ReadOnlySpan<byte> Content;

    internal XrBlock(byte blockType, byte typeSpecific, ReadOnlySpan<byte> content)
    {
        BlockType = blockType;
        TypeSpecific = typeSpecific;
        Content = content;
    }

    public byte BlockType { get; }

    public byte TypeSpecific { get; }

    /// <summary>The NTP timestamp of an RRTR block (RFC 3611 §4.4).</summary>
    public bool TryGetRrtr(out NtpTime ntp)
    {
        if (BlockType != XrBlockType.ReceiverReferenceTime || Content.Length < 8)
        {
            ntp = default;
            return false;
        }
        ntp = new NtpTime(BinaryPrimitives.ReadUInt32BigEndian(Content), BinaryPrimitives.ReadUInt32BigEndian(Content.Slice(4)));
        return true;
    }

    /// <summary>Sub-blocks of a DLRR block (RFC 3611 §4.5); 0 for other types. A partial trailing sub-block is ignored.</summary>
    public int DlrrCount => BlockType == XrBlockType.Dlrr ? Content.Length / DlrrSubBlock.Size : 0;

    public DlrrSubBlock GetDlrr(int index)
    {
        ReadOnlySpan<byte> s = Content.Slice(index * DlrrSubBlock.Size, DlrrSubBlock.Size);
        return new DlrrSubBlock(
            BinaryPrimitives.ReadUInt32BigEndian(s),
            BinaryPrimitives.ReadUInt32BigEndian(s.Slice(4)),
            BinaryPrimitives.ReadUInt32BigEndian(s.Slice(8)));
    }
}

public ref struct XrBlockEnumerator
{
    private readonly ReadOnlySpan<byte> _blocks;
    private int _offset;
    private XrBlock _current;

    internal XrBlockEnumerator(ReadOnlySpan<byte> blocks)
    {
        _blocks = blocks;
        _offset = 0;
        _current = default;
    }

    public readonly XrBlock Current => _current;

    /// <summary>True when enumeration stopped at a block that overran the packet.</summary>
    public bool Truncated { get; private set; }

    public bool MoveNext()
    {
        if (_blocks.Length - _offset < ExtendedReport.BlockHeaderSize)
        {
            Truncated |= _offset < _blocks.Length;
            _offset = _blocks.Length;
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(_blocks.Slice(_offset + 2)) * 4;
        int start = _offset + ExtendedReport.BlockHeaderSize;
        if (length > _blocks.Length - start)
        {
            Truncated = true;
            _offset = _blocks.Length;
            return false;
        }
        _current = new XrBlock(_blocks[_offset], _blocks[_offset + 1], _blocks.Slice(start, length));
        _offset = start + length;
        return true;
    }
}
