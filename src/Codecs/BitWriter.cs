using System;
namespace Mediasoup.Codecs;

/// <summary>
/// Writes unsigned fields most significant bit first into a byte span (the inverse of
/// <see cref="BitReader"/>). Bytes are cleared as the writer enters them, so the unused low
/// bits of the last byte are zero padding. Every write checks the room left first.
/// </summary>
internal ref struct BitWriter
{
    private readonly Span<byte> _data;
    private int _position;

    public BitWriter(Span<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    /// <summary>Bytes touched so far (the written length rounded up).</summary>
    public readonly int ByteLength => (_position + 7) >> 3;

    /// <summary>Writes the low <paramref name="count"/> bits (0..32) of value; false when they do not fit.</summary>
    public bool TryWrite(int count, uint value)
    {
        if ((uint)count > 32 || count > _data.Length * 8 - _position)
        {
            return false;
        }
        int pos = _position;
        while (count > 0)
        {
            int bitInByte = pos & 7;
            if (bitInByte == 0)
            {
                _data[pos >> 3] = 0;
            }
            int available = 8 - bitInByte;
            int take = available < count ? available : count;
            uint chunk = (value >> (count - take)) & ((1u << take) - 1);
            _data[pos >> 3] |= (byte)(chunk << (available - take));
            pos += take;
            count -= take;
        }
        _position = pos;
        return true;
    }

    /// <summary>Copies bits [from, from + count) of source; false when the source or the room runs out.</summary>
    public bool TryCopy(ReadOnlySpan<byte> source, int from, int count)
    {
        if (from < 0 || count < 0 || from + count > source.Length * 8)
        {
            return false;
        }
        // Skip whole bytes by slicing, the rest by reading, then move 32 bits at a time.
        var reader = new BitReader(source[(from >> 3)..]);
        if (!reader.TryRead(from & 7, out _))
        {
            return false;
        }
        while (count > 0)
        {
            int take = count < 32 ? count : 32;
            if (!reader.TryRead(take, out uint v) || !TryWrite(take, v))
            {
                return false;
            }
            count -= take;
        }
        return true;
    }
}
