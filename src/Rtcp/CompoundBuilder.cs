using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>State to return a <see cref="CompoundBuilder"/> to with <see cref="CompoundBuilder.Rollback"/>.</summary>
public readonly struct CompoundCheckpoint
{
    internal readonly int Length;
    internal readonly int PacketCount;
    internal readonly int LastPacket;
    internal readonly int LastXrBlock;
    internal readonly uint LastPacketHeader;
    internal readonly uint LastXrBlockHeader;

    internal CompoundCheckpoint(int length, int packetCount, int lastPacket, int lastXrBlock, uint lastPacketHeader, uint lastXrBlockHeader)
    {
        Length = length;
        PacketCount = packetCount;
        LastPacket = lastPacket;
        LastXrBlock = lastXrBlock;
        LastPacketHeader = lastPacketHeader;
        LastXrBlockHeader = lastXrBlockHeader;
    }
}

/// <summary>
/// Appends RTCP packets into one caller-provided buffer, never past <c>maxSize</c>. Every Add
/// either writes its packet whole or returns false and leaves the buffer as it was; on false
/// the caller sends <see cref="Written"/>, calls <see cref="Clear"/> and adds again.
/// <para>
/// Report blocks, CNAME chunks, RRTR and DLRR entries join the packet just written when they
/// can (same kind and SSRC, count below 31), so a caller that adds them grouped by kind gets
/// one RR, one SDES and one XR instead of one packet each.
/// </para>
/// <para>
/// Ordering is the caller's: RFC 3550 §6.1 wants the compound to start with SR or RR and carry
/// SDES CNAME, unless reduced-size RTCP (RFC 5506) was negotiated. To add a group of packets
/// atomically (SR + CNAME + DLRR for one stream), take a <see cref="GetCheckpoint"/> first and
/// <see cref="Rollback"/> if any Add fails.
/// </para>
/// </summary>
public ref struct CompoundBuilder
{
    /// <summary>
    /// The reference worker's compound limit: 1500-byte MTU less 40 (IPv6), 20 (transport header)
    /// and 148 of headroom for SRTCP and TURN/TCP framing.
    /// </summary>
    public const int DefaultMaxSize = 1500 - 40 - 20 - 148;

    public const int MaxSize = 65536;

    private readonly Span<byte> _buffer;
    private int _length;
    private int _packetCount;
    // Offset of the last packet this builder created itself (-1: none, or a raw packet that cannot be extended).
    private int _lastPacket;
    // Offset of the last block of that packet when it is an XR.
    private int _lastXrBlock;

    public CompoundBuilder(Span<byte> buffer, int maxSize = DefaultMaxSize)
    {
        // Every RTCP packet is a whole number of words, so a partial last word is useless. A
        // datagram cannot exceed 64 KiB, which also keeps any one packet's length field in range.
        _buffer = buffer.Slice(0, Math.Min(buffer.Length, Math.Clamp(maxSize, 0, MaxSize)) & ~3);
        _length = 0;
        _packetCount = 0;
        _lastPacket = -1;
        _lastXrBlock = -1;
    }

    public readonly int Length => _length;

    public readonly int PacketCount => _packetCount;

    public readonly bool IsEmpty => _length == 0;

    public readonly int Capacity => _buffer.Length;

    public readonly int Remaining => _buffer.Length - _length;

    /// <summary>The compound so far; writable so it can be protected (SRTCP) in place.</summary>
    public readonly Span<byte> Written => _buffer.Slice(0, _length);

    public void Clear()
    {
        _length = 0;
        _packetCount = 0;
        _lastPacket = -1;
        _lastXrBlock = -1;
    }

    public readonly CompoundCheckpoint GetCheckpoint() => new(
        _length,
        _packetCount,
        _lastPacket,
        _lastXrBlock,
        _lastPacket >= 0 ? BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_lastPacket)) : 0,
        _lastXrBlock >= 0 ? BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_lastXrBlock)) : 0);

    /// <summary>Undoes every Add since <paramref name="checkpoint"/> was taken (on this builder, without a Clear in between).</summary>
    public void Rollback(in CompoundCheckpoint checkpoint)
    {
        _length = checkpoint.Length;
        _packetCount = checkpoint.PacketCount;
        _lastPacket = checkpoint.LastPacket;
        _lastXrBlock = checkpoint.LastXrBlock;
        // Extending rewrites only these two headers, so restoring them undoes it.
        if (_lastPacket >= 0)
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.Slice(_lastPacket), checkpoint.LastPacketHeader);
        if (_lastXrBlock >= 0)
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.Slice(_lastXrBlock), checkpoint.LastXrBlockHeader);
    }

    public bool AddSenderReport(uint ssrc, in SenderInfo info, scoped ReadOnlySpan<ReportBlock> blocks = default)
        => Commit(SenderReport.Write(Free, ssrc, info, blocks));

    public bool AddReceiverReport(uint ssrc, scoped ReadOnlySpan<ReportBlock> blocks = default)
        => Commit(ReceiverReport.Write(Free, ssrc, blocks));

    /// <summary>Adds a block to the last packet when it is an SR or RR of <paramref name="reporterSsrc"/> with room, else starts an RR.</summary>
    public bool AddReportBlock(uint reporterSsrc, in ReportBlock block)
    {
        if (_lastPacket >= 0 && LastCount < RtcpHeader.MaxCount && LastSsrc == reporterSsrc
            && (LastType == RtcpPacketType.RR || LastType == RtcpPacketType.SR))
        {
            if (Remaining < ReportBlock.Size)
                return false;
            block.Write(_buffer.Slice(_length));
            _length += ReportBlock.Size;
            RtcpHeader.Update(_buffer.Slice(_lastPacket), LastCount + 1, _length - _lastPacket);
            return true;
        }
        return Commit(ReceiverReport.Write(Free, reporterSsrc, [block]));
    }

    /// <summary>Adds a CNAME chunk to the last packet when it is an SDES with fewer than 31 chunks, else starts an SDES.</summary>
    public bool AddSdesCname(uint ssrc, scoped ReadOnlySpan<byte> cname)
    {
        if (_lastPacket >= 0 && LastType == RtcpPacketType.SDES && LastCount < RtcpHeader.MaxCount)
        {
            int written = Sdes.WriteCnameChunk(Free, ssrc, cname);
            if (written == 0)
                return false;
            _length += written;
            RtcpHeader.Update(_buffer.Slice(_lastPacket), LastCount + 1, _length - _lastPacket);
            return true;
        }
        return Commit(Sdes.Write(Free, ssrc, cname));
    }

    public bool AddBye(scoped ReadOnlySpan<uint> ssrcs, scoped ReadOnlySpan<byte> reason = default)
        => Commit(Bye.Write(Free, ssrcs, reason));

    public bool AddApp(int subtype, uint ssrc, scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> data)
        => Commit(App.Write(Free, subtype, ssrc, name, data));

    public bool AddPli(uint senderSsrc, uint mediaSsrc)
        => Commit(Pli.Write(Free, senderSsrc, mediaSsrc));

    public bool AddFir(uint senderSsrc, uint targetSsrc, byte sequenceNumber)
        => Commit(Fir.Write(Free, senderSsrc, targetSsrc, sequenceNumber));

    public bool AddFir(uint senderSsrc, scoped ReadOnlySpan<FirEntry> entries)
        => Commit(Fir.Write(Free, senderSsrc, entries));

    public bool AddNack(uint senderSsrc, uint mediaSsrc, scoped ReadOnlySpan<NackItem> items)
        => Commit(GenericNack.Write(Free, senderSsrc, mediaSsrc, items));

    /// <summary>
    /// Packs as many of <paramref name="sortedLost"/> as fit into one NACK (see
    /// <see cref="GenericNack.WriteLost"/>). False when not even one item fits.
    /// </summary>
    public bool AddNackLost(uint senderSsrc, uint mediaSsrc, scoped ReadOnlySpan<ushort> sortedLost, out int consumed)
        => Commit(GenericNack.WriteLost(Free, senderSsrc, mediaSsrc, sortedLost, out consumed));

    public bool AddRemb(uint senderSsrc, ulong bitrate, scoped ReadOnlySpan<uint> ssrcs)
        => Commit(Remb.Write(Free, senderSsrc, bitrate, ssrcs));

    /// <summary>Adds the feedback being built; false when it does not fit or has nothing received.</summary>
    public bool AddTransportCc(TransportCcBuilder feedback)
        => Commit(feedback.Write(Free));

    /// <summary>Adds an RRTR block to the last packet when it is an XR of <paramref name="ssrc"/>, else starts an XR.</summary>
    public bool AddRrtr(uint ssrc, NtpTime ntp)
    {
        if (LastIsXrOf(ssrc))
        {
            if (Remaining < ExtendedReport.RrtrBlockSize)
                return false;
            ExtendedReport.WriteRrtrBlock(_buffer.Slice(_length), ntp);
            _lastXrBlock = _length;
            _length += ExtendedReport.RrtrBlockSize;
            RtcpHeader.Update(_buffer.Slice(_lastPacket), 0, _length - _lastPacket);
            return true;
        }
        if (!Commit(ExtendedReport.WriteRrtr(Free, ssrc, ntp)))
            return false;
        _lastXrBlock = _lastPacket + ExtendedReport.FixedSize;
        return true;
    }

    /// <summary>
    /// Adds a DLRR sub-block to the trailing DLRR block of the last packet when it is an XR of
    /// <paramref name="ssrc"/>; otherwise adds a DLRR block to that XR, or starts an XR.
    /// </summary>
    public bool AddDlrr(uint ssrc, in DlrrSubBlock subBlock)
    {
        if (LastIsXrOf(ssrc))
        {
            bool extend = _lastXrBlock >= 0 && _buffer[_lastXrBlock] == XrBlockType.Dlrr;
            int needed = extend ? DlrrSubBlock.Size : ExtendedReport.GetDlrrBlockSize(1);
            if (Remaining < needed)
                return false;
            if (!extend)
            {
                _lastXrBlock = _length;
                _buffer[_length] = XrBlockType.Dlrr;
                _buffer[_length + 1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_length + 2), 0);
                _length += ExtendedReport.BlockHeaderSize;
            }
            ExtendedReport.WriteDlrrSubBlock(_buffer.Slice(_length), subBlock);
            _length += DlrrSubBlock.Size;
            Span<byte> blockLength = _buffer.Slice(_lastXrBlock + 2, 2);
            BinaryPrimitives.WriteUInt16BigEndian(blockLength, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(blockLength) + 3));
            RtcpHeader.Update(_buffer.Slice(_lastPacket), 0, _length - _lastPacket);
            return true;
        }
        if (!Commit(ExtendedReport.WriteDlrr(Free, ssrc, [subBlock])))
            return false;
        _lastXrBlock = _lastPacket + ExtendedReport.FixedSize;
        return true;
    }

    /// <summary>
    /// Copies a packet built elsewhere. It must be one or more whole RTCP packets (checked);
    /// later Adds never extend it.
    /// </summary>
    public bool AddRaw(scoped ReadOnlySpan<byte> packets)
    {
        if (RtcpCompound.Validate(packets, out int count) != RtcpError.None || packets.Length > Remaining)
            return false;
        packets.CopyTo(_buffer.Slice(_length));
        _length += packets.Length;
        _packetCount += count;
        _lastPacket = -1;
        _lastXrBlock = -1;
        return true;
    }

    private readonly Span<byte> Free => _buffer.Slice(_length);

    private readonly RtcpPacketType LastType => (RtcpPacketType)_buffer[_lastPacket + 1];

    private readonly int LastCount => _buffer[_lastPacket] & 0x1F;

    private readonly uint LastSsrc => BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_lastPacket + 4));

    private readonly bool LastIsXrOf(uint ssrc)
        => _lastPacket >= 0 && LastType == RtcpPacketType.XR && LastSsrc == ssrc;

    private bool Commit(int written)
    {
        if (written == 0)
            return false;
        _lastPacket = _length;
        _lastXrBlock = -1;
        _length += written;
        _packetCount++;
        return true;
    }
}
