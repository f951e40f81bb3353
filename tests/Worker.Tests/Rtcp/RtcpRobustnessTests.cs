using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

/// <summary>Malformed input never throws, and the parse path does not allocate.</summary>
public sealed class RtcpRobustnessTests
{
    private static byte[] BuildKitchenSink() => RtcpSamples.KitchenSink();

    [Fact]
    public void KitchenSink_EveryPacketIsAccepted()
    {
        byte[] data = BuildKitchenSink();
        ParseEverything(data, out RtcpError error, out int rejected);
        Assert.Equal(RtcpError.None, error);
        Assert.Equal(0, rejected);
        Assert.Equal(11, new RtcpCompoundReader(data).PacketCount); // RRTR and DLRR share one XR
    }

    [Fact]
    public void TruncatedAtEveryLength_NeverThrows()
    {
        byte[] data = BuildKitchenSink();
        for (int len = 0; len < data.Length; len++)
        {
            ParseEverything(data.AsSpan(0, len), out RtcpError error, out _);
            // A cut that falls on a packet boundary is a shorter valid compound.
            if (error == RtcpError.None)
                Assert.True(len > 0);
        }
    }

    [Fact]
    public void EachPacketTruncatedWithConsistentHeader_NeverThrows()
    {
        // Shrink one packet's length field (and the datagram with it) so framing stays valid
        // but the typed body is short: exercises every type-specific bounds check.
        byte[] data = BuildKitchenSink();
        int offset = 0;
        while (offset < data.Length)
        {
            int words = (data[offset + 2] << 8 | data[offset + 3]) + 1;
            for (int keep = 1; keep < words; keep++)
            {
                byte[] cut = [.. data.AsSpan(offset, keep * 4)];
                cut[2] = (byte)((keep - 1) >> 8);
                cut[3] = (byte)(keep - 1);
                cut[0] &= 0xDF;
                Assert.True(RtcpPacket.TryCreate(cut, out RtcpPacket p));
                ReadPacket(p, out _);
            }
            offset += words * 4;
        }
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(3550);
        var buf = new byte[256];
        for (int i = 0; i < 200_000; i++)
        {
            int len = rng.Next(buf.Length);
            rng.NextBytes(buf.AsSpan(0, len));
            ParseEverything(buf.AsSpan(0, len), out _, out _);
        }
    }

    [Fact]
    public void RandomBodiesWithValidFraming_NeverThrow()
    {
        // Valid headers for every type and FMT with random bodies reach the typed parsers.
        var rng = new Random(4585);
        var buf = new byte[1024];
        int accepted = 0;
        for (int i = 0; i < 200_000; i++)
        {
            int words = rng.Next(0, 40);
            int len = 4 + words * 4;
            rng.NextBytes(buf.AsSpan(4, words * 4));
            // Skew bodies towards small counts and real identifiers so deep paths are hit.
            if (words > 3 && rng.Next(2) == 0)
                "REMB"u8.CopyTo(buf.AsSpan(12));
            if (words > 3 && rng.Next(2) == 0)
                buf[14] = buf[15] = 0;
            buf[0] = (byte)(0x80 | rng.Next(32));
            buf[1] = (byte)rng.Next(199, 209);
            buf[2] = (byte)(words >> 8);
            buf[3] = (byte)words;
            if (rng.Next(4) == 0 && words > 0)
            {
                buf[0] |= 0x20;
                buf[len - 1] = (byte)rng.Next(0, 8);
            }
            var reader = new RtcpCompoundReader(buf.AsSpan(0, len));
            foreach (RtcpPacket p in reader)
            {
                ReadPacket(p, out bool ok);
                if (ok)
                    accepted++;
            }
        }
        Assert.True(accepted > 10_000);
    }

    [Fact]
    public void BitFlipsOfValidCompound_NeverThrow()
    {
        byte[] data = BuildKitchenSink();
        var rng = new Random(7983);
        var copy = new byte[data.Length];
        for (int i = 0; i < 50_000; i++)
        {
            data.CopyTo(copy, 0);
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
                copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
            ParseEverything(copy, out _, out _);
        }
    }

    [Fact]
    public void ParsePath_DoesNotAllocate()
    {
        byte[] data = BuildKitchenSink();
        long sum = 0;
        for (int i = 0; i < 100; i++)
            sum += ParseNoAlloc(data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            sum += ParseNoAlloc(data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(0, sum);
    }

    [Fact]
    public void BuildPath_DoesNotAllocate()
    {
        var buf = new byte[1500];
        var tcc = new TransportCcBuilder();
        ushort[] lost = [1, 2, 3, 40, 41];
        long total = 0;
        for (int round = 0; round < 1100; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var cb = new CompoundBuilder(buf);
            cb.AddSenderReport(1, new SenderInfo(1, 2, 3, 4, 5));
            cb.AddReportBlock(1, new ReportBlock(2, 3, 4, 5, 6, 7, 8));
            cb.AddSdesCname(1, "cname"u8);
            cb.AddDlrr(1, new DlrrSubBlock(1, 2, 3));
            cb.AddNackLost(1, 2, lost, out _);
            cb.AddFir(1, 2, 3);
            cb.AddRemb(1, 5_000_000, [1, 2]);
            tcc.Reset(1, 2, (byte)round);
            for (ushort s = 0; s < 50; s++)
                tcc.AddPacket(s, s * 1_000);
            cb.AddTransportCc(tcc);
            total += cb.Length;
            if (round >= 100)
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.NotEqual(0, total);
    }

    // Same as the test helper, minus the assertions and lists: what a transport would do.
    private static long ParseNoAlloc(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        var reader = new RtcpCompoundReader(data);
        foreach (RtcpPacket p in reader)
        {
            switch (p.Type)
            {
                case RtcpPacketType.SR when SenderReport.TryRead(p, out SenderReport sr):
                    sum += sr.Info.PacketCount;
                    for (int i = 0; i < sr.ReportCount; i++)
                        sum += sr.GetReportBlock(i).LastSr;
                    break;
                case RtcpPacketType.RR when ReceiverReport.TryRead(p, out ReceiverReport rr):
                    for (int i = 0; i < rr.ReportCount; i++)
                        sum += rr.GetReportBlock(i).TotalLost;
                    break;
                case RtcpPacketType.SDES when Sdes.TryRead(p, out Sdes sdes):
                    foreach (SdesChunk c in sdes)
                        if (c.TryGetCname(out ReadOnlySpan<byte> cname))
                            sum += cname.Length;
                    break;
                case RtcpPacketType.BYE when Bye.TryRead(p, out Bye bye):
                    sum += bye.SsrcCount;
                    break;
                case RtcpPacketType.RTPFB:
                    if (GenericNack.TryRead(p, out GenericNack nack))
                        foreach (ushort s in nack)
                            sum += s;
                    else if (TransportCcFeedback.TryRead(p, out TransportCcFeedback tcc))
                        foreach (TransportCcPacketStatus s in tcc)
                            sum += s.Delta;
                    break;
                case RtcpPacketType.PSFB:
                    if (Pli.TryRead(p, out Pli pli))
                        sum += pli.MediaSsrc;
                    else if (Fir.TryRead(p, out Fir fir))
                        sum += fir.GetEntry(0).SequenceNumber;
                    else if (Remb.TryRead(p, out Remb remb))
                        sum += (long)remb.Bitrate;
                    break;
                case RtcpPacketType.XR when ExtendedReport.TryRead(p, out ExtendedReport xr):
                    foreach (XrBlock b in xr)
                    {
                        if (b.TryGetRrtr(out NtpTime ntp))
                            sum += ntp.Compact;
                        for (int i = 0; i < b.DlrrCount; i++)
                            sum += b.GetDlrr(i).LastRr;
                    }
                    break;
            }
        }
        return sum;
    }
}
