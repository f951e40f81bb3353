using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>Goodbye, PT 203 (RFC 3550 §6.6): SC SSRCs, then an optional length-prefixed reason.</summary>
public readonly ref struct Bye
{
    private readonly ReadOnlySpan<byte> _body;

    private Bye(ReadOnlySpan<byte> body, int ssrcCount, ReadOnlySpan<byte> reason)
    {
        _body = body;
        SsrcCount = ssrcCount;
        Reason = reason;
    }

    /// <summary>Reason text (UTF-8), empty when absent or when its length overruns the packet.</summary>
    public readonly ReadOnlySpan<byte> Reason;

    public int SsrcCount { get; }

    public uint GetSsrc(int index) => BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(index * 4));

    /// <summary>False when the SC SSRCs do not fit; a bad reason is ignored, not fatal.</summary>
    public static bool TryRead(RtcpPacket packet, out Bye bye)
    {
        bye = default;
        if (packet.Type != RtcpPacketType.BYE)
            return false;
        ReadOnlySpan<byte> body = packet.Body;
        int count = packet.Count;
        int offset = count * 4;
        if (body.Length < offset)
            return false;
        ReadOnlySpan<byte> reason = default;
        if (body.Length > offset)
        {
            int length = body[offset];
            if (length <= body.Length - offset - 1)
                reason = body.Slice(offset + 1, length);
        }
        bye = new Bye(body, count, reason);
        return true;
    }

    public static int GetSize(int ssrcCount, int reasonLength)
        => RtcpHeader.Size + ssrcCount * 4 + (reasonLength > 0 ? RtcpHeader.PadTo4(1 + reasonLength) : 0);

    /// <summary>Writes a BYE; 0 when it does not fit, there are more than 31 SSRCs or the reason exceeds 255 bytes.</summary>
    public static int Write(Span<byte> dst, ReadOnlySpan<uint> ssrcs, ReadOnlySpan<byte> reason = default)
    {
        if (ssrcs.Length > RtcpHeader.MaxCount || reason.Length > byte.MaxValue)
            return 0;
        int size = GetSize(ssrcs.Length, reason.Length);
        if (dst.Length < size)
            return 0;
        RtcpHeader.Write(dst, ssrcs.Length, RtcpPacketType.BYE, size);
        int offset = RtcpHeader.Size;
        foreach (uint ssrc in ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(offset), ssrc);
            offset += 4;
        }
        if (reason.Length > 0)
        {
            dst[offset++] = (byte)reason.Length;
            reason.CopyTo(dst.Slice(offset));
            offset += reason.Length;
            dst.Slice(offset, size - offset).Clear();
        }
        return size;
    }
}
