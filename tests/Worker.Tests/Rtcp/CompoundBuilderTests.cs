using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class CompoundBuilderTests
{
    private static readonly SenderInfo Info = new(1, 2, 3, 4, 5);

    private static ReportBlock Block(uint ssrc) => new(ssrc, 1, 2, 3, 4, 5, 6);

    [Fact]
    public void Build_ConsumerStyleCompoundParsesBack()
    {
        var buf = new byte[1500];
        var cb = new CompoundBuilder(buf);
        Assert.True(cb.AddSenderReport(0x1000, Info));
        Assert.True(cb.AddSenderReport(0x2000, Info));
        Assert.True(cb.AddSdesCname(0x1000, "cname"u8));
        Assert.True(cb.AddSdesCname(0x2000, "cname"u8));
        Assert.True(cb.AddDlrr(0x1000, new DlrrSubBlock(0xA, 1, 2)));
        Assert.True(cb.AddDlrr(0x1000, new DlrrSubBlock(0xB, 3, 4)));
        // SR, SR, one SDES with two chunks, one XR with one DLRR block of two sub-blocks.
        Assert.Equal(4, cb.PacketCount);
        Assert.Equal(28 + 28 + (4 + 12 + 12) + (8 + 4 + 24), cb.Length);

        var reader = new RtcpCompoundReader(cb.Written);
        Assert.Equal(RtcpError.None, reader.Error);
        Assert.True(reader.MoveNext());
        Assert.True(SenderReport.TryRead(reader.Current, out SenderReport sr));
        Assert.Equal(0x1000u, sr.Ssrc);
        Assert.True(reader.MoveNext());
        Assert.True(reader.MoveNext());
        Assert.True(Sdes.TryRead(reader.Current, out Sdes sdes));
        Assert.Equal(2, sdes.ChunkCount);
        int chunks = 0;
        foreach (SdesChunk c in sdes)
        {
            Assert.True(c.TryGetCname(out ReadOnlySpan<byte> cname));
            Assert.Equal("cname"u8.ToArray(), cname.ToArray());
            chunks++;
        }
        Assert.Equal(2, chunks);
        Assert.True(reader.MoveNext());
        Assert.True(ExtendedReport.TryRead(reader.Current, out ExtendedReport xr));
        int blocks = 0;
        foreach (XrBlock b in xr)
        {
            blocks++;
            Assert.Equal(2, b.DlrrCount);
            Assert.Equal(new DlrrSubBlock(0xB, 3, 4), b.GetDlrr(1));
        }
        Assert.Equal(1, blocks);
    }

    [Fact]
    public void Build_ProducerStyleReportBlocksJoinOneRrUpTo31()
    {
        var buf = new byte[4000];
        var cb = new CompoundBuilder(buf, 4000);
        for (uint i = 0; i < 40; i++)
            Assert.True(cb.AddReportBlock(0x77, Block(i)));
        Assert.True(cb.AddRrtr(0x77, new NtpTime(9, 10)));
        Assert.Equal(3, cb.PacketCount); // RR(31), RR(9), XR
        var reader = new RtcpCompoundReader(cb.Written);
        Assert.True(reader.MoveNext());
        Assert.True(ReceiverReport.TryRead(reader.Current, out ReceiverReport rr));
        Assert.Equal(31, rr.ReportCount);
        Assert.Equal(Block(30), rr.GetReportBlock(30));
        Assert.True(reader.MoveNext());
        Assert.True(ReceiverReport.TryRead(reader.Current, out rr));
        Assert.Equal(9, rr.ReportCount);
        Assert.Equal(Block(39), rr.GetReportBlock(8));
        Assert.True(reader.MoveNext());
        Assert.True(ExtendedReport.TryRead(reader.Current, out ExtendedReport xr));
        foreach (XrBlock b in xr)
            Assert.True(b.TryGetRrtr(out _));
    }

    [Fact]
    public void ReportBlock_JoinsSenderReportOfSameSsrcOnly()
    {
        var buf = new byte[500];
        var cb = new CompoundBuilder(buf);
        Assert.True(cb.AddSenderReport(5, Info));
        Assert.True(cb.AddReportBlock(5, Block(1)));
        Assert.True(cb.AddReportBlock(6, Block(2)));  // other SSRC: new RR
        Assert.Equal(2, cb.PacketCount);
        var reader = new RtcpCompoundReader(cb.Written);
        Assert.True(reader.MoveNext());
        Assert.True(SenderReport.TryRead(reader.Current, out SenderReport sr));
        Assert.Equal(Block(1), sr.GetReportBlock(0));
    }

    [Fact]
    public void Build_RrtrAndDlrrShareOneXr()
    {
        var buf = new byte[200];
        var cb = new CompoundBuilder(buf);
        Assert.True(cb.AddReceiverReport(1));
        Assert.True(cb.AddRrtr(1, new NtpTime(2, 3)));
        Assert.True(cb.AddDlrr(1, new DlrrSubBlock(4, 5, 6)));
        Assert.True(cb.AddDlrr(1, new DlrrSubBlock(7, 8, 9)));
        Assert.True(cb.AddDlrr(2, new DlrrSubBlock(7, 8, 9))); // other SSRC: new XR
        Assert.Equal(Hex("""
            80 c9 00 01  00 00 00 01
            80 cf 00 0b  00 00 00 01
            04 00 00 02  00 00 00 02  00 00 00 03
            05 00 00 06  00 00 00 04  00 00 00 05  00 00 00 06  00 00 00 07  00 00 00 08  00 00 00 09
            80 cf 00 05  00 00 00 02
            05 00 00 03  00 00 00 07  00 00 00 08  00 00 00 09
            """), cb.Written.ToArray());
    }

    [Fact]
    public void Add_FailsWithoutWritingWhenFull_ThenCallerStartsAnother()
    {
        var buf = new byte[1500];
        var cb = new CompoundBuilder(buf, 100);
        Assert.Equal(100, cb.Capacity);
        Assert.True(cb.AddSenderReport(1, Info, [Block(1)]));          // 52
        Assert.True(cb.AddSdesCname(1, "0123456789"u8));              // SDES of 24: 76
        Assert.False(cb.AddSdesCname(2, "0123456789abcdefghij"u8));   // chunk of 28 needs 104
        Assert.Equal(76, cb.Length);
        Assert.True(cb.AddPli(1, 2));                                  // 88
        Assert.False(cb.AddReportBlock(1, Block(2)));                  // RR of 32
        Assert.False(cb.AddDlrr(1, new DlrrSubBlock(1, 2, 3)));        // XR of 24
        Assert.Equal(88, cb.Length);
        Assert.Equal(3, cb.PacketCount);
        Assert.Equal(RtcpError.None, RtcpCompound.Validate(cb.Written));
        cb.Clear();
        Assert.True(cb.IsEmpty);
        Assert.True(cb.AddReportBlock(1, Block(2)));
    }

    [Fact]
    public void Rollback_UndoesAGroupIncludingExtensions()
    {
        var buf = new byte[1500];
        var cb = new CompoundBuilder(buf, 200);
        Assert.True(cb.AddSenderReport(1, Info));
        Assert.True(cb.AddSdesCname(1, "a"u8));
        Assert.True(cb.AddDlrr(1, new DlrrSubBlock(1, 1, 1)));
        byte[] before = cb.Written.ToArray();

        CompoundCheckpoint mark = cb.GetCheckpoint();
        Assert.True(cb.AddDlrr(1, new DlrrSubBlock(2, 2, 2)));    // extends the XR
        Assert.True(cb.AddSenderReport(2, Info));
        Assert.True(cb.AddSdesCname(2, "b"u8));
        cb.Rollback(mark);
        Assert.Equal(before, cb.Written.ToArray());

        // The builder still extends correctly after a rollback.
        Assert.True(cb.AddDlrr(1, new DlrrSubBlock(3, 3, 3)));
        var reader = new RtcpCompoundReader(cb.Written);
        Assert.Equal(3, reader.PacketCount);
        reader.MoveNext();
        reader.MoveNext();
        reader.MoveNext();
        Assert.True(ExtendedReport.TryRead(reader.Current, out ExtendedReport xr));
        foreach (XrBlock b in xr)
        {
            Assert.Equal(2, b.DlrrCount);
            Assert.Equal(new DlrrSubBlock(3, 3, 3), b.GetDlrr(1));
        }
    }

    [Fact]
    public void AddRaw_AndFeedbackPackets()
    {
        var buf = new byte[1500];
        var cb = new CompoundBuilder(buf);
        Assert.True(cb.AddReceiverReport(1));
        Assert.False(cb.AddRaw(Hex("80 c9 00 05 00 00 00 01"))); // bad framing
        Assert.True(cb.AddRaw(Hex("80 c9 00 01 00 00 00 02 81 ce 00 02 00 00 00 01 00 00 00 02")));
        Assert.True(cb.AddReportBlock(2, Block(9)));   // raw packets are never extended
        Assert.True(cb.AddNackLost(1, 2, [5, 6, 40], out int consumed));
        Assert.Equal(3, consumed);
        Assert.True(cb.AddNack(1, 2, [new NackItem(1, 0)]));
        Assert.True(cb.AddFir(1, 2, 3));
        Assert.True(cb.AddFir(1, [new FirEntry(2, 3)]));
        Assert.True(cb.AddRemb(1, 500_000, [2, 3]));
        Assert.True(cb.AddBye([1], "x"u8));
        Assert.True(cb.AddApp(0, 1, "ABCD"u8, default));
        var tcc = new TransportCcBuilder();
        tcc.Reset(1, 2, 0);
        Assert.False(cb.AddTransportCc(tcc));          // nothing received yet
        tcc.AddPacket(1, 1000);
        Assert.True(cb.AddTransportCc(tcc));
        Assert.Equal(12, cb.PacketCount);
        ParseEverything(cb.Written, out RtcpError error, out int rejected);
        Assert.Equal(RtcpError.None, error);
        Assert.Equal(0, rejected);
    }

    [Fact]
    public void MaxSize_IsRoundedDownToWholeWords()
    {
        var buf = new byte[50];
        var cb = new CompoundBuilder(buf, 1000);
        Assert.Equal(48, cb.Capacity);
        Assert.Equal(CompoundBuilder.DefaultMaxSize, new CompoundBuilder(new byte[2000]).Capacity);
    }
}
