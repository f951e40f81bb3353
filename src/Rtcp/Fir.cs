using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>One FIR request: target SSRC and command sequence number (RFC 5104 §4.3.1.1).</summary>
public readonly record struct FirEntry(uint Ssrc, byte SequenceNumber)
{
    public const int Size = 8;
}

/// <summary>
/// Full intra request, PSFB FMT 4 (RFC 5104 §4.3.1): media source SSRC is 0, the FCI holds
/// 8-byte entries (SSRC, seq nr, 24 reserved bits).
/// </summary>
public readonly ref struct Fir
{
    private readonly ReadOnlySpan<byte> _fci;

    private Fir(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
    }

    public uint SenderSsrc { get; }

    public uint MediaSsrc { get; }

    public int EntryCount => _fci.Length / FirEntry.Size;

    public FirEntry GetEntry(int index)
    {
        ReadOnlySpan<byte> e = _fci.Slice(index * FirEntry.Size, FirEntry.Size);
        return new FirEntry(BinaryPrimitives.ReadUInt32BigEndian(e), e[4]);
    }

    /// <summary>False without at least one entry (RFC 5104 §4.3.1.2 requires one).</summary>
    public static bool TryRead(RtcpPacket packet, out Fir fir)
    {
        fir = default;
        if (!FeedbackPacket.TryRead(packet, RtcpPacketType.PSFB, PsFeedbackFmt.Fir, out FeedbackPacket fb)
            || fb.Fci.Length < FirEntry.Size)
            return false;
        fir = new Fir(fb.SenderSsrc, fb.MediaSsrc, fb.Fci);
        return true;
    }

    public static int GetSize(int entryCount) => FeedbackPacket.FixedSize + entryCount * FirEntry.Size;

    /// <summary>Writes a FIR; 0 when it does not fit or there are no entries.</summary>
    public static int Write(Span<byte> dst, uint senderSsrc, ReadOnlySpan<FirEntry> entries)
    {
        int size = GetSize(entries.Length);
        if (entries.Length == 0 || dst.Length < size || size > RtcpHeader.MaxPacketSize)
            return 0;
        // Media source SSRC is unused and set to 0 (RFC 5104 §4.3.1.2).
        FeedbackPacket.WriteHeader(dst, RtcpPacketType.PSFB, PsFeedbackFmt.Fir, size, senderSsrc, 0);
        Span<byte> fci = dst.Slice(FeedbackPacket.FixedSize);
        for (int i = 0; i < entries.Length; i++)
        {
            Span<byte> e = fci.Slice(i * FirEntry.Size, FirEntry.Size);
            BinaryPrimitives.WriteUInt32BigEndian(e, entries[i].Ssrc);
            e[4] = entries[i].SequenceNumber;
            e[5] = e[6] = e[7] = 0;
        }
        return size;
    }

    public static int Write(Span<byte> dst, uint senderSsrc, uint targetSsrc, byte sequenceNumber)
        => Write(dst, senderSsrc, [new FirEntry(targetSsrc, sequenceNumber)]);
}
