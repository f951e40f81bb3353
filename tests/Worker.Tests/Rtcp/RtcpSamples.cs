using Mediasoup.Rtcp;

namespace Mediasoup.Tests.Rtcp;

/// <summary>RTCP built with the worker's own builders, shared by the unit tests and the RTCP fuzz seeds.</summary>
internal static class RtcpSamples
{
    /// <summary>One compound with every packet type the worker reads (SR, RR, SDES, BYE, APP, NACK, PLI, FIR, REMB, transport-cc, XR).</summary>
    public static byte[] KitchenSink()
    {
        var buf = new byte[1500];
        var cb = new CompoundBuilder(buf, 1500);
        cb.AddSenderReport(1, new SenderInfo(1, 2, 3, 4, 5), [new ReportBlock(2, 3, 4, 5, 6, 7, 8)]);
        cb.AddReportBlock(9, new ReportBlock(2, 3, -4, 5, 6, 7, 8));
        cb.AddSdesCname(1, "some-cname"u8);
        cb.AddBye([1, 2], "gone"u8);
        cb.AddApp(1, 1, "NAME"u8, [1, 2, 3, 4]);
        cb.AddNackLost(1, 2, [1, 2, 3, 30, 65535], out _);
        cb.AddPli(1, 2);
        cb.AddFir(1, 2, 3);
        cb.AddRemb(1, 1_234_567, [2, 3]);
        var tcc = new TransportCcBuilder();
        tcc.Reset(1, 2, 3);
        tcc.SetBase(100, 1_000_000);
        long t = 1_000_000;
        for (ushort s = 100; s < 160; s += (ushort)(s % 7 == 0 ? 3 : 1))
            tcc.AddPacket(s, t += s % 5 == 0 ? 90_000 : 2_000);
        cb.AddTransportCc(tcc);
        cb.AddRrtr(1, new NtpTime(5, 6));
        cb.AddDlrr(1, new DlrrSubBlock(1, 2, 3));
        return cb.Written.ToArray();
    }
}
