using System;
using System.Buffers.Binary;

namespace Mediasoup.Data;

/// <summary>
/// The prefix a pipe DataConsumer puts in front of a message so the receiving router can apply
/// subchannel filtering: 8-byte magic (low 2 bits: required/ignored present), count, the
/// subchannels, then required and ignored, all big-endian. Byte-compatible with the C++ worker.
/// </summary>
internal static class SubchannelsCodec
{
    private const ulong Magic = 0xA5F09CB3D6E1F28C;
    private const ulong FlagsMask = 0x3;
    private const ulong RequiredFlag = 0x1;
    private const ulong IgnoredFlag = 0x2;

    /// <summary>Bytes the prefix takes; the caller sizes its buffer with it.</summary>
    public static int EncodedLength(int subchannelCount, ushort? required, ushort? ignored) =>
        8 + 2 + subchannelCount * 2 + (required.HasValue ? 2 : 0) + (ignored.HasValue ? 2 : 0);

    public static int Encode(Span<byte> destination, ReadOnlySpan<ushort> subchannels, ushort? required, ushort? ignored,
        ReadOnlySpan<byte> payload)
    {
        int prefix = EncodedLength(subchannels.Length, required, ignored);
        if (destination.Length < prefix + payload.Length || subchannels.Length > ushort.MaxValue)
            return -1;
        ulong magic = (Magic & ~FlagsMask) | (required.HasValue ? RequiredFlag : 0) | (ignored.HasValue ? IgnoredFlag : 0);
        BinaryPrimitives.WriteUInt64BigEndian(destination, magic);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)subchannels.Length);
        int offset = 10;
        foreach (ushort s in subchannels)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], s);
            offset += 2;
        }
        if (required is ushort r)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], r);
            offset += 2;
        }
        if (ignored is ushort i)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], i);
            offset += 2;
        }
        payload.CopyTo(destination[offset..]);
        return offset + payload.Length;
    }

    /// <summary>Strips the prefix when the message starts with the magic; false otherwise
    /// (or when the prefix is malformed, in which case the message is passed on untouched).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> payload, out ushort[] subchannels,
        out ushort? required, out ushort? ignored)
    {
        payload = message;
        subchannels = Array.Empty<ushort>();
        required = ignored = null;
        if (message.Length < 10)
            return false;
        ulong magic = BinaryPrimitives.ReadUInt64BigEndian(message);
        if ((magic & ~FlagsMask) != (Magic & ~FlagsMask))
            return false;
        int count = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        bool hasRequired = (magic & RequiredFlag) != 0, hasIgnored = (magic & IgnoredFlag) != 0;
        int needed = 10 + count * 2 + (hasRequired ? 2 : 0) + (hasIgnored ? 2 : 0);
        if (message.Length < needed)
            return false;
        subchannels = new ushort[count];
        int offset = 10;
        for (int k = 0; k < count; k++, offset += 2)
            subchannels[k] = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        if (hasRequired)
        {
            required = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            offset += 2;
        }
        if (hasIgnored)
        {
            ignored = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            offset += 2;
        }
        payload = message[offset..];
        return true;
    }
}
