using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>
/// Sender report, PT 200 (RFC 3550 §6.4.1): SSRC, sender info, RC report blocks, then
/// optional profile extensions (ignored).
/// </summary>
public readonly ref struct SenderReport
{
    /// <summary>Header, SSRC and sender info.</summary>
    public const int FixedSize = RtcpHeader.Size + 4 + SenderInfo.Size;

    private readonly ReadOnlySpan<byte> _body;

    private SenderReport(ReadOnlySpan<byte> body, int reportCount)
    {
        _body = body;
        ReportCount = reportCount;
    }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    public SenderInfo Info => new(
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(4)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(8)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(12)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(16)),
        BinaryPrimitives.ReadUInt32BigEndian(_body.Slice(20)));

    public int ReportCount { get; }

    public ReportBlock GetReportBlock(int index)
        => ReportBlock.Read(_body.Slice(4 + SenderInfo.Size + index * ReportBlock.Size));

    /// <summary>False unless the body holds the SSRC, sender info and all RC blocks.</summary>
    public static bool TryRead(RtcpPacket packet, out SenderReport report)
    {
        report = default;
        if (packet.Type != RtcpPacketType.SR)
            return false;
        int count = packet.Count;
        if (packet.Body.Length < 4 + SenderInfo.Size + count * ReportBlock.Size)
            return false;
        report = new SenderReport(packet.Body, count);
        return true;
    }

    public static int GetSize(int reportCount) => FixedSize + reportCount * ReportBlock.Size;

    /// <summary>Writes a complete SR; 0 when it does not fit or there are more than 31 blocks.</summary>
    public static int Write(Span<byte> dst, uint ssrc, in SenderInfo info, ReadOnlySpan<ReportBlock> blocks)
    {
        if (blocks.Length > RtcpHeader.MaxCount)
            return 0;
        int size = GetSize(blocks.Length);
        if (dst.Length < size)
            return 0;
        RtcpHeader.Write(dst, blocks.Length, RtcpPacketType.SR, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(8), info.NtpSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(12), info.NtpFraction);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(16), info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(20), info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(24), info.OctetCount);
        for (int i = 0; i < blocks.Length; i++)
            blocks[i].Write(dst.Slice(FixedSize + i * ReportBlock.Size));
        return size;
    }
}
