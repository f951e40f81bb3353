using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>Receiver report, PT 201 (RFC 3550 §6.4.2): reporter SSRC then RC report blocks.</summary>
public readonly ref struct ReceiverReport
{
    /// <summary>Header and reporter SSRC.</summary>
    public const int FixedSize = RtcpHeader.Size + 4;

    private readonly ReadOnlySpan<byte> _body;

    private ReceiverReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    public int ReportCount { get; }

    public ReportBlock GetReportBlock(int index)
        => ReportBlock.Read(_body.Slice(4 + index * ReportBlock.Size));

    public static bool TryRead(RtcpPacket packet, out ReceiverReport report)
    {
        report = default;
        if (packet.Type != RtcpPacketType.RR)
            return false;
        int count = packet.Count;
        if (packet.Body.Length < 4 + count * ReportBlock.Size)
            return false;
        report = new ReceiverReport(packet.Body, count);
        return true;
    }

    public static int GetSize(int reportCount) => FixedSize + reportCount * ReportBlock.Size;

    /// <summary>Writes a complete RR (zero blocks is valid); 0 when it does not fit or there are more than 31 blocks.</summary>
    public static int Write(Span<byte> dst, uint ssrc, ReadOnlySpan<ReportBlock> blocks)
    {
        if (blocks.Length > RtcpHeader.MaxCount)
            return 0;
        int size = GetSize(blocks.Length);
        if (dst.Length < size)
            return 0;
        RtcpHeader.Write(dst, blocks.Length, RtcpPacketType.RR, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ssrc);
        for (int i = 0; i < blocks.Length; i++)
            blocks[i].Write(dst.Slice(FixedSize + i * ReportBlock.Size));
        return size;
    }
}
