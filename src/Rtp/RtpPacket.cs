using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mediasoup.Rtp;

/// <summary>Shape of a packet's header extension block (RFC 8285 section 4).</summary>
internal enum ExtensionForm : byte
{
    /// <summary>No header extension (X = 0).</summary>
    None = 0,
    /// <summary>Profile 0xBEDE: 1-byte element headers, ids 1..14, lengths 1..16.</summary>
    OneByte = 1,
    /// <summary>Profile 0x100x: 2-byte element headers, ids 1..255, lengths 0..255.</summary>
    TwoByte = 2,
    /// <summary>An RFC 3550 extension with another profile: kept, but has no elements.</summary>
    Other = 3,
    /// <summary>Only as a request to SetExtensions: one-byte when every element allows it.</summary>
    Auto = 4,
}

/// <summary>
/// An RTP packet parsed in place over caller-owned memory (RFC 3550 section 5.1). One instance
/// is reused for packet after packet: <see cref="TryParse(byte*, int, int)"/> re-points it, and
/// nothing here allocates or throws on bad input. The memory must stay put (native, stackalloc
/// or a pinned array) for as long as the packet refers to it. Mutators never write past the
/// capacity given at parse time; those that could return false instead, leaving the packet as
/// it was.
/// </summary>
internal sealed unsafe partial class RtpPacket
{
    public const int FixedHeaderLength = 12;

    /// <summary>Offsets are kept in 16 bits; UDP cannot carry more anyway.</summary>
    public const int MaxLength = ushort.MaxValue;

    private byte* _data;
    private int _length;
    private int _capacity;
    // Header length including CSRCs and the extension block: where the payload starts.
    private int _payloadOffset;
    private int _paddingLength;

    /// <summary>Ids used by the typed extension readers and writers; the caller assigns them.</summary>
    public HeaderExtensionIds ExtensionIds;

    /// <summary>True between a successful TryParse/TryCreate and the next failed one.</summary>
    public bool IsValid
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _data != null;
    }

    // ------------------------------------------------------------------ parse / create

    /// <summary>
    /// Whether a datagram could be RTP (RFC 7983 demux range with version 2). The caller is
    /// expected to have told RTCP apart first (payload type 192..223 in byte 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsRtp(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= FixedHeaderLength && (datagram[0] & 0xC0) == 0x80;

    /// <summary>
    /// Validates and indexes the packet at <paramref name="data"/>: version 2, CSRC list and
    /// extension block inside <paramref name="length"/>, well-formed RFC 8285 elements, and a
    /// padding count of at least 1 that fits the bytes after the header.
    /// </summary>
    public bool TryParse(byte* data, int length, int capacity)
    {
        if (data == null || length < FixedHeaderLength || length > MaxLength || capacity < length)
        {
            return Invalidate();
        }

        byte b0 = data[0];
        // RFC 3550 5.1: V must be 2.
        if ((b0 & 0xC0) != 0x80)
        {
            return Invalidate();
        }

        int offset = FixedHeaderLength + ((b0 & 0x0F) << 2);
        if (offset > length)
        {
            return Invalidate();
        }

        _extCount = 0;
        _extOverflow = false;
        _extForm = ExtensionForm.None;
        _extValueLength = 0;
        _extOffset = offset;

        if ((b0 & 0x10) != 0)
        {
            // RFC 3550 5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the words.
            if (offset + 4 > length)
            {
                return Invalidate();
            }
            int valueLength = NetBytes.Get16(data + offset + 2) << 2;
            int end = offset + 4 + valueLength;
            if (end > length)
            {
                return Invalidate();
            }
            _extValueLength = valueLength;
            _extForm = ClassifyProfile(NetBytes.Get16(data + offset));
            if (_extForm != ExtensionForm.Other && !IndexExtensions(data, offset + 4, end))
            {
                return Invalidate();
            }
            offset = end;
        }

        int padding = 0;
        if ((b0 & 0x20) != 0)
        {
            // RFC 3550 5.1: the last octet counts the padding, itself included.
            if (offset == length)
            {
                return Invalidate();
            }
            padding = data[length - 1];
            if (padding == 0 || padding > length - offset)
            {
                return Invalidate();
            }
        }

        _data = data;
        _length = length;
        // Growth past 64 KiB would overflow the 16-bit offsets of the index.
        _capacity = Math.Min(capacity, MaxLength);
        _payloadOffset = offset;
        _paddingLength = padding;
        return true;
    }

    /// <summary>
    /// Span entry for tests and tools. The span must not move while the packet is in use
    /// (stackalloc, native memory or a pinned array).
    /// </summary>
    public bool TryParse(Span<byte> buffer, int length)
    {
        if ((uint)length > (uint)buffer.Length)
        {
            return Invalidate();
        }
        return TryParse((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer)), length, buffer.Length);
    }

    /// <summary>Writes a bare 12-byte header (V=2, everything else 0) and points the packet at it.</summary>
    public bool TryCreate(byte* data, int capacity)
    {
        if (data == null || capacity < FixedHeaderLength)
        {
            return Invalidate();
        }
        new Span<byte>(data, FixedHeaderLength).Clear();
        data[0] = 0x80;
        _data = data;
        _length = FixedHeaderLength;
        _capacity = Math.Min(capacity, MaxLength);
        _payloadOffset = FixedHeaderLength;
        _paddingLength = 0;
        _extOffset = FixedHeaderLength;
        _extValueLength = 0;
        _extForm = ExtensionForm.None;
        _extCount = 0;
        _extOverflow = false;
        return true;
    }

    /// <summary>Forgets the memory; accessors must not be used until the next successful parse.</summary>
    public void Reset() => Invalidate();

    private bool Invalidate()
    {
        _data = null;
        _length = 0;
        _capacity = 0;
        _payloadOffset = 0;
        _paddingLength = 0;
        _extOffset = 0;
        _extValueLength = 0;
        _extForm = ExtensionForm.None;
        _extCount = 0;
        _extOverflow = false;
        return false;
    }

    // ------------------------------------------------------------------ fixed header

    public byte Version
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (byte)(_data[0] >> 6);
    }

    public bool HasPadding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_data[0] & 0x20) != 0;
    }

    public bool HasHeaderExtension
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_data[0] & 0x10) != 0;
    }

    public int CsrcCount
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _data[0] & 0x0F;
    }

    public bool Marker
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_data[1] & 0x80) != 0;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _data[1] = value ? (byte)(_data[1] | 0x80) : (byte)(_data[1] & 0x7F);
    }

    public byte PayloadType
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (byte)(_data[1] & 0x7F);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _data[1] = (byte)((_data[1] & 0x80) | (value & 0x7F));
    }

    public ushort SequenceNumber
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => NetBytes.Get16(_data + 2);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => NetBytes.Set16(_data + 2, value);
    }

    public uint Timestamp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => NetBytes.Get32(_data + 4);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => NetBytes.Set32(_data + 4, value);
    }

    public uint Ssrc
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => NetBytes.Get32(_data + 8);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => NetBytes.Set32(_data + 8, value);
    }

    /// <summary>CSRC <paramref name="index"/>; 0 when out of range.</summary>
    public uint GetCsrc(int index) =>
        (uint)index < (uint)CsrcCount ? NetBytes.Get32(_data + FixedHeaderLength + (index << 2)) : 0;

    // ------------------------------------------------------------------ sizes and views

    /// <summary>Total packet size in bytes: header, payload and padding.</summary>
    public int Length
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _length;
    }

    /// <summary>Bytes the packet may grow to in its buffer.</summary>
    public int Capacity
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _capacity;
    }

    /// <summary>Header length (fixed header, CSRCs, extension block) = where the payload starts.</summary>
    public int PayloadOffset
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _payloadOffset;
    }

    public int PayloadLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _length - _payloadOffset - _paddingLength;
    }

    public int PaddingLength
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _paddingLength;
    }

    public byte* DataPointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _data;
    }

    /// <summary>The whole packet.</summary>
    public Span<byte> Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_data, _length);
    }

    /// <summary>The payload without padding.</summary>
    public Span<byte> Payload
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_data + _payloadOffset, _length - _payloadOffset - _paddingLength);
    }

    // ------------------------------------------------------------------ payload and padding

    /// <summary>Sets the payload length (new bytes are left as they are) and drops any padding.</summary>
    public bool SetPayloadLength(int payloadLength)
    {
        if (payloadLength < 0 || _payloadOffset + payloadLength > _capacity)
        {
            return false;
        }
        _length = _payloadOffset + payloadLength;
        _paddingLength = 0;
        _data[0] &= 0xDF;
        return true;
    }

    /// <summary>Replaces the payload with a copy of <paramref name="payload"/> and drops any padding.</summary>
    public bool SetPayload(ReadOnlySpan<byte> payload)
    {
        if (_payloadOffset + payload.Length > _capacity)
        {
            return false;
        }
        payload.CopyTo(new Span<byte>(_data + _payloadOffset, payload.Length));
        return SetPayloadLength(payload.Length);
    }

    /// <summary>Replaces any padding with <paramref name="paddingLength"/> bytes (0 removes it).</summary>
    public bool SetPaddingLength(int paddingLength)
    {
        if ((uint)paddingLength > 255)
        {
            return false;
        }
        int unpadded = _length - _paddingLength;
        if (unpadded + paddingLength > _capacity)
        {
            return false;
        }
        _length = unpadded + paddingLength;
        _paddingLength = paddingLength;
        if (paddingLength == 0)
        {
            _data[0] &= 0xDF;
        }
        else
        {
            // RFC 3550 5.1: zeros, then the count in the last octet.
            new Span<byte>(_data + unpadded, paddingLength - 1).Clear();
            _data[_length - 1] = (byte)paddingLength;
            _data[0] |= 0x20;
        }
        return true;
    }

    /// <summary>Pads the packet (after dropping its padding) to a multiple of 4 bytes.</summary>
    public bool PadTo4Bytes()
    {
        int unpadded = _length - _paddingLength;
        return SetPaddingLength((4 - (unpadded & 3)) & 3);
    }

    /// <summary>
    /// Opens (<paramref name="delta"/> &gt; 0) or closes (&lt; 0) a gap at
    /// <paramref name="payloadOffset"/> inside the payload, moving the rest; drops padding.
    /// Bytes of an opened gap keep their old contents.
    /// </summary>
    public bool ShiftPayload(int payloadOffset, int delta)
    {
        int payloadLength = PayloadLength;
        if ((uint)payloadOffset > (uint)payloadLength)
        {
            return false;
        }
        if (delta == 0)
        {
            return true;
        }
        int tail = payloadLength - payloadOffset;
        if (delta < 0 ? -delta > tail : _payloadOffset + payloadLength + delta > _capacity)
        {
            return false;
        }
        byte* at = _data + _payloadOffset + payloadOffset;
        if (delta > 0)
        {
            Buffer.MemoryCopy(at, at + delta, tail, tail);
        }
        else
        {
            Buffer.MemoryCopy(at - delta, at, tail + delta, tail + delta);
        }
        _length = _payloadOffset + payloadLength + delta;
        _paddingLength = 0;
        _data[0] &= 0xDF;
        return true;
    }

    // ------------------------------------------------------------------ RTX (RFC 4588)

    /// <summary>
    /// Turns the packet into its RTX form (RFC 4588 section 4): the original sequence number goes
    /// in front of the payload, then payload type, SSRC and sequence number are replaced.
    /// Padding is dropped. False, untouched, when the 2 extra bytes do not fit the capacity.
    /// </summary>
    public bool RtxEncode(byte payloadType, uint ssrc, ushort seq)
    {
        int payloadLength = PayloadLength;
        if (_payloadOffset + payloadLength + 2 > _capacity)
        {
            return false;
        }
        byte* payload = _data + _payloadOffset;
        Buffer.MemoryCopy(payload, payload + 2, payloadLength, payloadLength);
        NetBytes.Set16(payload, SequenceNumber);
        _length = _payloadOffset + payloadLength + 2;
        _paddingLength = 0;
        _data[0] &= 0xDF;
        PayloadType = payloadType;
        Ssrc = ssrc;
        SequenceNumber = seq;
        return true;
    }

    /// <summary>
    /// Restores the original packet from its RTX form: OSN back into the sequence number,
    /// payload type and SSRC replaced, padding dropped. False, untouched, when the payload
    /// has no room for an OSN (libwebrtc sends such empty RTX packets at stream start).
    /// </summary>
    public bool RtxDecode(byte payloadType, uint ssrc)
    {
        int payloadLength = PayloadLength;
        if (payloadLength < 2)
        {
            return false;
        }
        byte* payload = _data + _payloadOffset;
        SequenceNumber = NetBytes.Get16(payload);
        Buffer.MemoryCopy(payload + 2, payload, payloadLength - 2, payloadLength - 2);
        _length = _payloadOffset + payloadLength - 2;
        _paddingLength = 0;
        _data[0] &= 0xDF;
        PayloadType = payloadType;
        Ssrc = ssrc;
        return true;
    }

    // ------------------------------------------------------------------ copy

    /// <summary>
    /// Copies the packet into <paramref name="destination"/> and points <paramref name="into"/>
    /// at the copy, index and extension ids included (no re-parse). False when it does not fit.
    /// </summary>
    public bool CopyTo(byte* destination, int capacity, RtpPacket into)
    {
        if (destination == null || capacity < _length || _data == null)
        {
            return false;
        }
        Buffer.MemoryCopy(_data, destination, capacity, _length);
        into._data = destination;
        into._length = _length;
        into._capacity = Math.Min(capacity, MaxLength);
        into._payloadOffset = _payloadOffset;
        into._paddingLength = _paddingLength;
        into._extOffset = _extOffset;
        into._extValueLength = _extValueLength;
        into._extForm = _extForm;
        into._extCount = _extCount;
        into._extOverflow = _extOverflow;
        into._ext = _ext;
        into.ExtensionIds = ExtensionIds;
        return true;
    }

    /// <summary>Span form of <see cref="CopyTo(byte*, int, RtpPacket)"/>; the span must not move.</summary>
    public bool CopyTo(Span<byte> destination, RtpPacket into) =>
        CopyTo((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(destination)), destination.Length, into);
}
