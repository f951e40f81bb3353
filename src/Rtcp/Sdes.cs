using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// Source description, PT 202 (RFC 3550 §6.5): SC chunks, each an SSRC followed by
/// type/length/value items, a null octet and zero padding to a 32-bit boundary.
/// <para>
/// Parsing is tolerant: a chunk whose final null octet or padding is missing still yields
/// its complete items; an item that overruns the packet ends the chunk and the packet.
/// Nothing here makes the packet fail: <see cref="TryRead"/> only checks the type.
/// </para>
/// </summary>
public readonly ref struct Sdes
{
    private readonly ReadOnlySpan<byte> _body;

    private Sdes(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        ChunkCount = chunkCount;
    }

    /// <summary>The SC field; enumeration yields at most this many chunks.</summary>
    public int ChunkCount { get; }

    public SdesChunkEnumerator GetEnumerator() => new(_body, ChunkCount);

    public static bool TryRead(RtcpPacket packet, out Sdes sdes)
    {
        sdes = default;
        if (packet.Type != RtcpPacketType.SDES)
            return false;
        sdes = new Sdes(packet.Body, packet.Count);
        return true;
    }

    /// <summary>Size of a chunk carrying one CNAME item: SSRC, item, null octet, padding.</summary>
    public static int GetCnameChunkSize(int cnameLength) => RtcpHeader.PadTo4(4 + 2 + cnameLength + 1);

    /// <summary>Writes an SDES packet with one CNAME chunk; 0 when it does not fit or the CNAME exceeds 255 bytes.</summary>
    public static int Write(Span<byte> dst, uint ssrc, ReadOnlySpan<byte> cname)
    {
        if (cname.Length > byte.MaxValue)
            return 0;
        int size = RtcpHeader.Size + GetCnameChunkSize(cname.Length);
        if (dst.Length < size)
            return 0;
        RtcpHeader.Write(dst, 1, RtcpPacketType.SDES, size);
        WriteCnameChunk(dst.Slice(RtcpHeader.Size), ssrc, cname);
        return size;
    }

    /// <summary>Writes just a CNAME chunk; 0 when it does not fit or the CNAME exceeds 255 bytes.</summary>
    public static int WriteCnameChunk(Span<byte> dst, uint ssrc, ReadOnlySpan<byte> cname)
    {
        if (cname.Length > byte.MaxValue)
            return 0;
        int size = GetCnameChunkSize(cname.Length);
        if (dst.Length < size)
            return 0;
        BinaryPrimitives.WriteUInt32BigEndian(dst, ssrc);
        dst[4] = (byte)SdesItemType.Cname;
        dst[5] = (byte)cname.Length;
        cname.CopyTo(dst.Slice(6));
        // The END octet and padding to the 32-bit boundary (RFC 3550 §6.5).
        dst.Slice(6 + cname.Length, size - 6 - cname.Length).Clear();
        return size;
    }
}
