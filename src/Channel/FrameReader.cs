using System;
using System.Buffers.Binary;

namespace Mediasoup.Channel;

/// <summary>
/// Reassembles the channel's 4-byte length-prefixed frames from a byte stream
/// (several per read, or one across many reads). Sans-IO: the owner writes into
/// <see cref="GetWritable"/>, calls <see cref="Commit"/>, then drains <see cref="TryRead"/>.
/// A frame whose length exceeds the limit is skipped byte for byte, so the stream
/// stays in sync after it.
/// </summary>
public sealed class FrameReader
{
    /// <summary>Largest message including its prefix (MESSAGE_MAX_LEN in the host).</summary>
    public const int MessageMaxLen = 8 * 1024 * 1024;
    public const int PayloadMaxLen = MessageMaxLen - 4;

    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _skipRemaining;

    public FrameReader(int initialCapacity = 64 * 1024)
    {
        _buffer = new byte[Math.Max(initialCapacity, 16)];
    }

    /// <summary>The buffer frames point into; replaced when it grows.</summary>
    public byte[] Buffer => _buffer;

    public int Buffered => _end - _start;

    /// <summary>Frames skipped because they were over the limit.</summary>
    public long OversizedFrames { get; private set; }

    /// <summary>Free space to read into, at least minFree bytes when possible.</summary>
    public Span<byte> GetWritable(int minFree = 4096)
    {
        Compact();
        int needed = minFree;
        // A partial frame whose length is known needs room for all of it.
        if (_skipRemaining == 0 && _end - _start >= 4)
        {
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
            if (len <= PayloadMaxLen)
                needed = Math.Max(needed, (int)len + 4 - (_end - _start));
        }
        if (_buffer.Length - _end < needed)
        {
            int newSize = _buffer.Length;
            while (newSize - _end < needed && newSize < MessageMaxLen + 65536)
                newSize *= 2;
            if (newSize != _buffer.Length)
                Array.Resize(ref _buffer, newSize);
        }
        return _buffer.AsSpan(_end);
    }

    public void Commit(int count)
    {
        if (count < 0 || count > _buffer.Length - _end)
            throw new ArgumentOutOfRangeException(nameof(count));
        _end += count;
    }

    /// <summary>Next complete frame's payload as (offset, length) into <see cref="Buffer"/>.
    /// Valid until the next GetWritable. Oversized frames are consumed silently (counted).</summary>
    public bool TryRead(out int offset, out int length)
    {
        while (true)
        {
            if (_skipRemaining > 0)
            {
                int skip = (int)Math.Min(_skipRemaining, _end - _start);
                _start += skip;
                _skipRemaining -= skip;
                if (_skipRemaining > 0)
                    break;
            }
            if (_end - _start < 4)
                break;
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start));
            if (len > PayloadMaxLen)
            {
                OversizedFrames++;
                _start += 4;
                _skipRemaining = len;
                continue;
            }
            if (_end - _start - 4 < len)
                break;
            offset = _start + 4;
            length = (int)len;
            _start += 4 + (int)len;
            return true;
        }
        offset = 0;
        length = 0;
        return false;
    }

    private void Compact()
    {
        if (_start == 0)
            return;
        int remaining = _end - _start;
        if (remaining > 0)
            System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
        _start = 0;
        _end = remaining;
    }
}
