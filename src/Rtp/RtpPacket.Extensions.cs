using System;
using System.Runtime.CompilerServices;

namespace Mediasoup.Rtp;

// RFC 8285 header extension elements: index, lookup and in-place rewrite.
internal sealed unsafe partial class RtpPacket
{
    /// <summary>Elements indexed per packet; beyond this, lookups fall back to scanning the block.</summary>
    public const int MaxIndexedExtensions = 32;

    private const ushort OneByteProfile = 0xBEDE;
    private const ushort TwoByteProfile = 0x1000;

    private struct ExtensionEntry
    {
        public byte Id;
        public byte Length;
        // From the start of the packet to the first value byte.
        public ushort Offset;
    }

    [InlineArray(MaxIndexedExtensions)]
    private struct ExtensionEntries
    {
        private ExtensionEntry _first;
    }

    // Offset of the 4-byte extension header (= 12 + 4 * CC, also when X = 0).
    private int _extOffset;
    // Bytes after that 4-byte header (length field * 4).
    private int _extValueLength;
    private ExtensionForm _extForm;
    private int _extCount;
    private bool _extOverflow;
    private ExtensionEntries _ext;

    public ExtensionForm ExtensionForm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _extForm;
    }

    /// <summary>The 16-bit "defined by profile" field; 0 without an extension block.</summary>
    public ushort ExtensionProfile => _extForm == ExtensionForm.None ? (ushort)0 : NetBytes.Get16(_data + _extOffset);

    /// <summary>The extension block after its 4-byte header (empty without one).</summary>
    public Span<byte> ExtensionBlockValue => new(_data + _extOffset + 4, _extValueLength);

    /// <summary>Number of indexed elements (all of them unless more than <see cref="MaxIndexedExtensions"/>).</summary>
    public int ExtensionCount => _extCount;

    /// <summary>The <paramref name="index"/>-th indexed element in wire order (for copying them over).</summary>
    public bool GetExtensionAt(int index, out byte id, out Span<byte> value)
    {
        if ((uint)index >= (uint)_extCount)
        {
            id = 0;
            value = default;
            return false;
        }
        ref ExtensionEntry e = ref _ext[index];
        id = e.Id;
        value = new Span<byte>(_data + e.Offset, e.Length);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExtensionForm ClassifyProfile(ushort profile) =>
        profile == OneByteProfile ? ExtensionForm.OneByte
        // RFC 8285 4.3: 0x100 followed by 4 application bits.
        : (profile & 0xFFF0) == TwoByteProfile ? ExtensionForm.TwoByte
        : ExtensionForm.Other;

    // Walks the elements of [start, end), validating every length and filling the index.
    private bool IndexExtensions(byte* data, int start, int end)
    {
        byte* p = data + start;
        byte* stop = data + end;
        int count = 0;
        bool overflow = false;

        if (_extForm == ExtensionForm.OneByte)
        {
            // RFC 8285 4.2: id(4) len-1(4); id 0 is a padding byte, id 15 ends the block.
            while (p < stop)
            {
                byte h = *p;
                if (h == 0)
                {
                    p++;
                    continue;
                }
                int id = h >> 4;
                if (id == 15)
                {
                    break;
                }
                int len = (h & 0x0F) + 1;
                if (len + 1 > stop - p)
                {
                    return false;
                }
                if (count < MaxIndexedExtensions)
                {
                    ref ExtensionEntry e = ref _ext[count++];
                    e.Id = (byte)id;
                    e.Length = (byte)len;
                    e.Offset = (ushort)(p + 1 - data);
                }
                else
                {
                    overflow = true;
                }
                p += 1 + len;
            }
        }
        else
        {
            // RFC 8285 4.3: id(8) len(8); id 0 is a padding byte; a lone trailing byte is ignored.
            while (stop - p > 1)
            {
                byte id = *p;
                if (id == 0)
                {
                    p++;
                    continue;
                }
                int len = p[1];
                if (len + 2 > stop - p)
                {
                    return false;
                }
                if (count < MaxIndexedExtensions)
                {
                    ref ExtensionEntry e = ref _ext[count++];
                    e.Id = id;
                    e.Length = (byte)len;
                    e.Offset = (ushort)(p + 2 - data);
                }
                else
                {
                    overflow = true;
                }
                p += 2 + len;
            }
        }

        _extCount = count;
        _extOverflow = overflow;
        return true;
    }

    // Value offset of element `id` (the last one if repeated), or -1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindExtension(byte id, out int length)
    {
        if (id != 0 && !_extOverflow)
        {
            for (int i = _extCount - 1; i >= 0; i--)
            {
                ref ExtensionEntry e = ref _ext[i];
                if (e.Id == id)
                {
                    length = e.Length;
                    return e.Offset;
                }
            }
            length = 0;
            return -1;
        }
        return ScanExtension(id, out length);
    }

    // Slow path for blocks with more elements than the index holds (already validated).
    private int ScanExtension(byte id, out int length)
    {
        length = 0;
        if (id == 0 || (_extForm != ExtensionForm.OneByte && _extForm != ExtensionForm.TwoByte))
        {
            return -1;
        }
        int found = -1;
        int p = _extOffset + 4;
        int stop = p + _extValueLength;
        bool oneByte = _extForm == ExtensionForm.OneByte;
        while (oneByte ? p < stop : stop - p > 1)
        {
            byte h = _data[p];
            if (h == 0)
            {
                p++;
                continue;
            }
            int elementId;
            int len;
            int header;
            if (oneByte)
            {
                elementId = h >> 4;
                if (elementId == 15)
                {
                    break;
                }
                len = (h & 0x0F) + 1;
                header = 1;
            }
            else
            {
                elementId = h;
                len = _data[p + 1];
                header = 2;
            }
            if (elementId == id)
            {
                found = p + header;
                length = len;
            }
            p += header + len;
        }
        return found;
    }

    /// <summary>Whether element <paramref name="id"/> is present (even with a 0-byte value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasExtension(byte id) => FindExtension(id, out _) >= 0;

    /// <summary>The value of element <paramref name="id"/>, in place (writable).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetExtension(byte id, out Span<byte> value)
    {
        int offset = FindExtension(id, out int length);
        if (offset < 0)
        {
            value = default;
            return false;
        }
        value = new Span<byte>(_data + offset, length);
        return true;
    }

    /// <summary>
    /// How long element <paramref name="id"/>'s value may become in place: its length plus the
    /// zero (padding) bytes that follow it inside the block. -1 when absent.
    /// </summary>
    public int GetExtensionRoom(byte id)
    {
        int offset = FindExtension(id, out int length);
        if (offset < 0)
        {
            return -1;
        }
        int room = length;
        int end = _extOffset + 4 + _extValueLength;
        for (int p = offset + length; p < end && _data[p] == 0; p++)
        {
            room++;
        }
        int max = _extForm == ExtensionForm.OneByte ? 16 : 255;
        return room < max ? room : max;
    }

    /// <summary>
    /// Changes element <paramref name="id"/>'s value length in place: shrinking zero-fills the
    /// freed bytes (which then parse as padding), growing takes over following padding bytes
    /// (see <see cref="GetExtensionRoom"/>). One-byte elements need 1..16 bytes.
    /// </summary>
    public bool SetExtensionLength(byte id, int newLength)
    {
        int offset = FindExtension(id, out int length);
        if (offset < 0 || newLength < (_extForm == ExtensionForm.OneByte ? 1 : 0))
        {
            return false;
        }
        if (newLength == length)
        {
            return true;
        }
        if (newLength < length)
        {
            new Span<byte>(_data + offset + newLength, length - newLength).Clear();
        }
        else if (newLength > GetExtensionRoom(id))
        {
            return false;
        }

        if (_extForm == ExtensionForm.OneByte)
        {
            byte* h = _data + offset - 1;
            *h = (byte)((*h & 0xF0) | (newLength - 1));
        }
        else
        {
            _data[offset - 1] = (byte)newLength;
        }
        UpdateIndexedLength(id, offset, newLength);
        return true;
    }

    private void UpdateIndexedLength(byte id, int offset, int newLength)
    {
        for (int i = _extCount - 1; i >= 0; i--)
        {
            ref ExtensionEntry e = ref _ext[i];
            if (e.Id == id && e.Offset == offset)
            {
                e.Length = (byte)newLength;
                return;
            }
        }
    }

    /// <summary>Removes the whole extension block (X = 0), moving payload and padding back.</summary>
    public void RemoveExtensionBlock()
    {
        if (_extForm == ExtensionForm.None)
        {
            return;
        }
        int blockLength = 4 + _extValueLength;
        int tail = _length - _payloadOffset;
        byte* from = _data + _payloadOffset;
        Buffer.MemoryCopy(from, from - blockLength, tail, tail);
        _length -= blockLength;
        _payloadOffset -= blockLength;
        _data[0] &= 0xEF;
        _extValueLength = 0;
        _extForm = ExtensionForm.None;
        _extCount = 0;
        _extOverflow = false;
    }

    /// <summary>
    /// Replaces the extension block with <paramref name="specs"/> (in that order), moving payload
    /// and padding. Auto picks the one-byte form when every id is 1..14 and every length 1..16,
    /// else two-byte (RFC 8285 4.1). An empty list removes the block. False, with the packet
    /// untouched, on id 0, a repeated id, an element the form cannot carry, a value outside
    /// <paramref name="values"/>, or a result larger than the capacity. <paramref name="values"/>
    /// may point into this packet's own buffer. <see cref="ExtensionIds"/> is left as is.
    /// </summary>
    public bool SetExtensions(ReadOnlySpan<ExtensionSpec> specs, ReadOnlySpan<byte> values, ExtensionForm form = ExtensionForm.Auto)
    {
        if (specs.Length == 0)
        {
            RemoveExtensionBlock();
            return true;
        }

        bool oneByteFits = true;
        int oneByteBytes = 0;
        int twoByteBytes = 0;
        // Seen ids, to refuse repeats (lookups would only ever see one of them).
        ulong* seen = stackalloc ulong[4];
        seen[0] = seen[1] = seen[2] = seen[3] = 0;
        foreach (ref readonly ExtensionSpec s in specs)
        {
            if (s.Id == 0 || s.ValueOffset + s.Length > values.Length)
            {
                return false;
            }
            ulong bit = 1UL << (s.Id & 63);
            if ((seen[s.Id >> 6] & bit) != 0)
            {
                return false;
            }
            seen[s.Id >> 6] |= bit;
            if (s.Id > 14 || s.Length == 0 || s.Length > 16)
            {
                oneByteFits = false;
            }
            oneByteBytes += 1 + s.Length;
            twoByteBytes += 2 + s.Length;
        }

        if (form == ExtensionForm.Auto)
        {
            form = oneByteFits ? ExtensionForm.OneByte : ExtensionForm.TwoByte;
        }
        else if (form == ExtensionForm.OneByte && !oneByteFits)
        {
            return false;
        }
        else if (form != ExtensionForm.OneByte && form != ExtensionForm.TwoByte)
        {
            return false;
        }

        int elementsLength = form == ExtensionForm.OneByte ? oneByteBytes : twoByteBytes;
        int valueLength = (elementsLength + 3) & ~3;
        int oldBlockLength = _extForm == ExtensionForm.None ? 0 : 4 + _extValueLength;
        int newBlockLength = 4 + valueLength;
        int newLength = _length - oldBlockLength + newBlockLength;
        if (newLength > _capacity)
        {
            return false;
        }

        fixed (byte* valuesPtr = values)
        {
            byte* src = valuesPtr;
            // Values inside our own buffer would be overwritten by the move below: copy them out.
            byte* scratch = null;
            if (valuesPtr < _data + _capacity && valuesPtr + values.Length > _data)
            {
                if (values.Length > 4096)
                {
                    return false;
                }
                byte* tmp = stackalloc byte[values.Length];
                Buffer.MemoryCopy(valuesPtr, tmp, values.Length, values.Length);
                scratch = tmp;
                src = scratch;
            }

            int tail = _length - _payloadOffset;
            int newPayloadOffset = _extOffset + newBlockLength;
            Buffer.MemoryCopy(_data + _payloadOffset, _data + newPayloadOffset, tail, tail);

            byte* block = _data + _extOffset;
            // Keep the application bits of an existing two-byte profile.
            ushort profile = form == ExtensionForm.OneByte ? OneByteProfile
                : _extForm == ExtensionForm.TwoByte ? NetBytes.Get16(block) : TwoByteProfile;
            NetBytes.Set16(block, profile);
            NetBytes.Set16(block + 2, (ushort)(valueLength >> 2));

            byte* p = block + 4;
            int count = 0;
            foreach (ref readonly ExtensionSpec s in specs)
            {
                if (form == ExtensionForm.OneByte)
                {
                    *p++ = (byte)((s.Id << 4) | (s.Length - 1));
                }
                else
                {
                    *p++ = s.Id;
                    *p++ = s.Length;
                }
                if (count < MaxIndexedExtensions)
                {
                    ref ExtensionEntry e = ref _ext[count++];
                    e.Id = s.Id;
                    e.Length = s.Length;
                    e.Offset = (ushort)(p - _data);
                }
                Buffer.MemoryCopy(src + s.ValueOffset, p, s.Length, s.Length);
                p += s.Length;
            }
            // RFC 8285 4.1: pad the block to 32 bits with zero bytes.
            while (p < block + newBlockLength)
            {
                *p++ = 0;
            }

            _data[0] |= 0x10;
            _length = newLength;
            _payloadOffset = newPayloadOffset;
            _extValueLength = valueLength;
            _extForm = form;
            _extCount = count;
            _extOverflow = specs.Length > MaxIndexedExtensions;
        }
        return true;
    }
}
