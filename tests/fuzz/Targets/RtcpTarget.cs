using Mediasoup.Rtcp;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// RTCP compound packets (RFC 3550 §6) and every typed reader: SR, RR, SDES, BYE, APP, generic
/// NACK, PLI, FIR, REMB, transport-cc feedback, XR (RRTR, DLRR). Every field is touched.
/// </summary>
internal sealed class RtcpTarget : IFuzzTarget
{
    public string Name => "rtcp";

    public void Run(ReadOnlySpan<byte> input)
    {
        long sum = 0;
        var reader = new RtcpCompoundReader(input);
        int packets = 0;
        foreach (RtcpPacket p in reader)
        {
            packets++;
            sum += Mediasoup.Tests.Rtcp.RtcpReaders.ReadAll(p);
        }
        if (packets > reader.PacketCount)
            throw new FuzzInvariantException("iterated more packets than PacketCount");
        GC.KeepAlive(sum);
    }

    public IEnumerable<byte[]> Seeds()
    {
        var buf = new byte[1500];
        var cb = new CompoundBuilder(buf, 1500);
        cb.AddSenderReport(1, new SenderInfo(1, 2, 3, 4, 5), [new ReportBlock(2, 3, 4, 5, 6, 7, 8)]);
        cb.AddSdesCname(1, "cname-of-a-sender"u8);
        yield return cb.Written.ToArray();

        cb = new CompoundBuilder(buf, 1500);
        cb.AddReportBlock(9, new ReportBlock(2, 3, -4, 5, 6, 7, 8));
        cb.AddNackLost(1, 2, [1, 2, 3, 30, 65535], out _);
        cb.AddPli(1, 2);
        cb.AddFir(1, 2, 3);
        yield return cb.Written.ToArray();

        cb = new CompoundBuilder(buf, 1500);
        cb.AddRemb(1, 1_234_567, [2, 3]);
        cb.AddBye([1, 2], "gone"u8);
        cb.AddApp(1, 1, "NAME"u8, [1, 2, 3, 4]);
        yield return cb.Written.ToArray();

        yield return Mediasoup.Tests.Rtcp.RtcpSamples.KitchenSink();
    }
}
