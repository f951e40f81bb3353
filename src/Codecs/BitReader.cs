using System;
using System.Runtime.CompilerServices;
namespace Mediasoup.Codecs;

/// <summary>
/// Reads unsigned fields most significant bit first from a byte span, as the AV1 dependency
/// descriptor's f(n) and ns(n) do (AV1 RTP specification A.8.2). Every read checks the bits left
/// first and leaves the position unchanged when they run out.
/// </summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bits consumed so far.</summary>
    public readonly int Position => _position;

    public readonly int RemainingBits => _data.Length * 8 - _position;

    /// <summary>f(n) for n in 0..32; false when fewer than n bits are left.</summary>
    public bool TryRead(int count, out uint value)
    {
        value = 0;
        if ((uint)count > 32 || count > RemainingBits)
        {
            return false;
        }
        uint v = 0;
        int pos = _position;
        while (count > 0)
        {
            int bitInByte = pos & 7;
            int available = 8 - bitInByte;
            int take = available < count ? available : count;
            uint chunk = (uint)(_data[pos >> 3] >> (available - take)) & ((1u << take) - 1);
            // take <= 8, so the shift below never drops bits that are still wanted.
            v = (uint)(((ulong)v << take) | chunk);
            pos += take;
            count -= take;
        }
        _position = pos;
        value = v;
        return true;
    }

    /// <summary>Advances past <paramref name="count"/> bits; false (position unchanged) when fewer are left.</summary>
    public bool TrySkip(int count)
    {
        if (count < 0 || count > RemainingBits)
        {
            return false;
        }
        _position += count;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadBit(out bool bit)
    {
        if (_position >= _data.Length * 8)
        {
            bit = false;
            return false;
        }
        bit = ((_data[_position >> 3] >> (7 - (_position & 7))) & 1) != 0;
        _position++;
        return true;
    }

    /// <summary>
    /// ns(n): a value in 0..n-1 coded with one bit less for the low part of the range (AV1 RTP
    /// specification A.8.2). n must be 1..2^31; ns(1) reads no bits and yields 0.
    /// </summary>
    public bool TryReadNonSymmetric(uint n, out uint value)
    {
        value = 0;
        if (n == 0)
        {
            return false;
        }
        int w = 32 - System.Numerics.BitOperations.LeadingZeroCount(n);
        uint m = (uint)((1ul << w) - n);
        int start = _position;
        if (!TryRead(w - 1, out uint v))
        {
            return false;
        }
        if (v < m)
        {
            value = v;
            return true;
        }
        if (!TryRead(1, out uint extra))
        {
            _position = start;
            return false;
        }
        value = (v << 1) - m + extra;
        return true;
    }
}
