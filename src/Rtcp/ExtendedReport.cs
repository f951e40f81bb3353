using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>XR report block types handled here (RFC 3611 §4.4, §4.5).</summary>
public static class XrBlockType
{
    public const byte ReceiverReferenceTime = 4;
    public const byte Dlrr = 5;
}

/// <summary>
/// Extended report, PT 207 (RFC 3611 §2): SSRC of the sender, then report blocks, each
/// BT(8) type-specific(8) block length(16, 32-bit words after this header) and contents.
/// Blocks of unknown type are yielded like any other and can be skipped; a block whose
/// length runs past the packet ends the enumeration (the blocks before it stay usable).
/// </summary>
public readonly ref struct ExtendedReport
{
    public const int FixedSize = RtcpHeader.Size + 4;
    public const int BlockHeaderSize = 4;
    public const int RrtrBlockSize = BlockHeaderSize + 8;

    private readonly ReadOnlySpan<byte> _body;

    private ExtendedReport(ReadOnlySpan<byte> body) => _body = body;

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    public XrBlockEnumerator GetEnumerator() => new(_body.Slice(4));

    public static bool TryRead(RtcpPacket packet, out ExtendedReport report)
    {
        report = default;
        if (packet.Type != RtcpPacketType.XR || packet.Body.Length < 4)
            return false;
        report = new ExtendedReport(packet.Body);
        return true;
    }

    public static int GetDlrrBlockSize(int subBlockCount) => BlockHeaderSize + subBlockCount * DlrrSubBlock.Size;

    /// <summary>Writes an XR with one RRTR block (RFC 3611 §4.4); 0 when it does not fit.</summary>
    public static int WriteRrtr(Span<byte> dst, uint ssrc, NtpTime ntp)
    {
        const int size = FixedSize + RrtrBlockSize;
        if (dst.Length < size)
            return 0;
        RtcpHeader.Write(dst, 0, RtcpPacketType.XR, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ssrc);
        WriteRrtrBlock(dst.Slice(FixedSize), ntp);
        return size;
    }

    /// <summary>Writes an XR with one DLRR block (RFC 3611 §4.5); 0 when it does not fit or there are no sub-blocks.</summary>
    public static int WriteDlrr(Span<byte> dst, uint ssrc, ReadOnlySpan<DlrrSubBlock> subBlocks)
    {
        if (subBlocks.IsEmpty)
            return 0;
        int size = FixedSize + GetDlrrBlockSize(subBlocks.Length);
        // The block length field counts words: at most 65535, i.e. 21845 sub-blocks.
        if (dst.Length < size || subBlocks.Length * 3 > ushort.MaxValue || size > RtcpHeader.MaxPacketSize)
            return 0;
        RtcpHeader.Write(dst, 0, RtcpPacketType.XR, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ssrc);
        Span<byte> block = dst.Slice(FixedSize);
        block[0] = XrBlockType.Dlrr;
        block[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(block.Slice(2), (ushort)(subBlocks.Length * 3));
        for (int i = 0; i < subBlocks.Length; i++)
            WriteDlrrSubBlock(block.Slice(BlockHeaderSize + i * DlrrSubBlock.Size), subBlocks[i]);
        return size;
    }

    internal static void WriteRrtrBlock(Span<byte> dst, NtpTime ntp)
    {
        dst[0] = XrBlockType.ReceiverReferenceTime;
        dst[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(2), 2);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ntp.Seconds);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), ntp.Fraction);
    }

    internal static void WriteDlrrSubBlock(Span<byte> dst, in DlrrSubBlock sub)
    {
        BinaryPrimitives.WriteUInt32BigEndian(dst, sub.Ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), sub.LastRr);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), sub.DelaySinceLastRr);
    }
}
