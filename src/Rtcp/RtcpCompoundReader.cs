using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// Allocation-free iteration over the packets of a compound. The constructor validates the
/// framing of the whole compound first; if that fails <see cref="Error"/> says why and the
/// enumeration is empty.
/// <code>
/// var reader = new RtcpCompoundReader(datagram);
/// if (reader.Error != RtcpError.None) { dropped++; return; }
/// foreach (RtcpPacket p in reader) { ... }
/// </code>
/// </summary>
public ref struct RtcpCompoundReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;
    private RtcpPacket _current;

    public RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        Error = RtcpCompound.Validate(compound, out int count);
        PacketCount = Error == RtcpError.None ? count : 0;
        _data = Error == RtcpError.None ? compound : default;
        _offset = 0;
        _current = default;
    }

    public RtcpError Error { get; }

    /// <summary>Packets in the compound (0 when rejected).</summary>
    public int PacketCount { get; }

    public readonly RtcpPacket Current => _current;

    public readonly RtcpCompoundReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_offset >= _data.Length)
            return false;
        int length = (BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_offset + 2)) + 1) * 4;
        _current = RtcpPacket.Slice(_data.Slice(_offset, length));
        _offset += length;
        return true;
    }
}
