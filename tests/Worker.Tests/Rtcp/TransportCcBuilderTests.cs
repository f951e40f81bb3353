using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class TransportCcBuilderTests
{
    private static List<TransportCcPacketStatus> Statuses(TransportCcFeedback fb)
    {
        var list = new List<TransportCcPacketStatus>();
        foreach (TransportCcPacketStatus s in fb)
            list.Add(s);
        return list;
    }

    [Fact]
    public void Builder_WritesRunLengthForUniformSmallDeltas()
    {
        var b = new TransportCcBuilder();
        b.Reset(0x11223344, 0x55667788, 9);
        // Reference time: 640 000 µs = 10 × 64 ms. Packets at +1 ms, +2 ms, +2.25 ms.
        b.SetBase(100, 640_000 + 500);
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(100, 641_000));
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(101, 642_000));
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(102, 642_250));
        var buf = new byte[64];
        int n = b.Write(buf);
        Assert.Equal(b.Size, n);
        Assert.Equal(Hex("""
            8f cd 00 06  11 22 33 44  55 66 77 88
            00 64 00 03  00 00 0a 09
            20 03 04 04  01 00 00 00
            """), buf[..n]);
    }

    [Fact]
    public void Builder_UsesTwoBitVectorForLargeAndNegativeDeltas()
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 0);
        b.SetBase(10, 0);
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(10, 1_000));        // +4 small
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(12, 1_000 + 64_000)); // gap, +256 large
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(13, 1_000 + 63_750)); // -1 large (negative)
        var buf = new byte[64];
        int n = b.Write(buf);
        // S, NR, L, L in a 2-bit vector: 11 01 00 10 10 00 00 00 = 0xD280.
        Assert.Equal(Hex("""
            8f cd 00 06  00 00 00 01  00 00 00 02
            00 0a 00 04  00 00 00 00
            d2 80 04 01  00 ff ff 00
            """), buf[..n]);
        Assert.Equal(4, b.PacketStatusCount);
        Assert.Equal(1, b.LostCount);
    }

    [Fact]
    public void Builder_WideDeltasNeedTwoByteStatusAndRoundTrip()
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 3);
        long t = 5_000_000;
        b.SetBase(65530, t);
        long[] gapsUs = [0, 63_750, 63_999, 64_000, 8_191_750, -8_191_750, -125, 125, 124, -126];
        var expectedTicks = new List<short>();
        long encoded = t / 64_000 * 64_000;
        ushort seq = 65530;
        foreach (long gap in gapsUs)
        {
            t += gap;
            Assert.Equal(TransportCcAddResult.Added, b.AddPacket(seq++, t));
            long ticks = (long)Math.Round((t - encoded) / 250.0, MidpointRounding.AwayFromZero);
            expectedTicks.Add((short)ticks);
            encoded += ticks * 250;
            Assert.Equal(encoded, b.LatestTimeUs);
        }
        var buf = new byte[256];
        int n = b.Write(buf);
        Assert.True(TransportCcFeedback.TryRead(Single(buf.AsSpan(0, n)), out TransportCcFeedback fb));
        List<TransportCcPacketStatus> list = Statuses(fb);
        Assert.Equal(gapsUs.Length, list.Count);
        Assert.All(list, s => Assert.True(s.Received));
        Assert.Equal(expectedTicks, list.Select(s => s.Delta));
        Assert.Equal((ushort)3, list[^1].Sequence);  // wrapped past 65535
        Assert.Contains(list, s => s.Delta > 255);
        Assert.Contains(list, s => s.Delta < 0);
    }

    [Fact]
    public void Builder_RejectsDeltaBeyond16BitsAndHugeGaps()
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 0);
        b.SetBase(0, 0);
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(0, 0));
        Assert.Equal(TransportCcAddResult.Rejected, b.AddPacket(1, 32_767 * 250 + 125));     // rounds to 32768 ticks
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(1, 32_767 * 250 + 124));        // rounds to 32767
        Assert.Equal(TransportCcAddResult.Rejected, b.AddPacket(2, 32_767 * 250 - 32_768 * 250)); // -32768 ticks
        Assert.Equal(TransportCcAddResult.Rejected, b.AddPacket((ushort)(1 + 8192 + 1), 8_200_000)); // 8192 missing
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket((ushort)(1 + 8191 + 1), 8_200_000));    // 8191 missing
        Assert.Equal(TransportCcAddResult.Ignored, b.AddPacket(5, 8_300_000));                      // older
        Assert.Equal(TransportCcAddResult.Ignored, b.AddPacket(8193, 8_300_000));                   // duplicate
        Assert.Equal(8194, b.PacketStatusCount);
        Assert.Equal(3, b.ReceivedCount);
    }

    [Fact]
    public void Builder_BaseBelowFirstPacketReportsLeadingLosses()
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 0);
        b.SetBase(98, 64_000);
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(100, 64_500));
        var buf = new byte[64];
        int n = b.Write(buf);
        Assert.True(TransportCcFeedback.TryRead(Single(buf.AsSpan(0, n)), out TransportCcFeedback fb));
        Assert.Equal([new(98, false, 0), new(99, false, 0), new(100, true, 2)], Statuses(fb));
    }

    [Fact]
    public void Builder_WriteNeedsAReceivedPacketAndRoom()
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 0);
        Assert.Equal(0, b.Write(new byte[100]));
        Assert.False(b.HasReceived);
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(7, 1_000_000)); // first add sets the base
        Assert.True(b.IsBaseSet);
        Assert.Equal(7, b.BaseSequence);
        Assert.Equal(0, b.Write(new byte[b.Size - 1]));
        Assert.Equal(b.Size, b.Write(new byte[b.Size]));
    }

    [Fact]
    public void Builder_StopsAtMaxSizeWithoutChangingState()
    {
        var b = new TransportCcBuilder(100);
        b.Reset(1, 2, 0);
        b.SetBase(0, 0);
        var rng = new Random(7);
        long t = 0;
        ushort seq = 0;
        int added = 0;
        while (true)
        {
            t += rng.Next(2) == 0 ? 100_000 : 1_000; // alternate large and small deltas
            int sizeBefore = b.Size;
            TransportCcAddResult r = b.AddPacket(seq, t);
            if (r == TransportCcAddResult.Full)
            {
                Assert.Equal(sizeBefore, b.Size);
                break;
            }
            Assert.Equal(TransportCcAddResult.Added, r);
            Assert.True(b.Size <= 100);
            seq++;
            added++;
        }
        var buf = new byte[100];
        int n = b.Write(buf);
        Assert.True(TransportCcFeedback.TryRead(Single(buf.AsSpan(0, n)), out TransportCcFeedback fb));
        Assert.Equal(added, fb.ReceivedCount);
    }

    [Fact]
    public void Builder_RandomPatternsRoundTripExactly()
    {
        var rng = new Random(2017);
        var b = new TransportCcBuilder(1200);
        var buf = new byte[1200];
        for (int round = 0; round < 400; round++)
        {
            b.Reset((uint)round, 99, (byte)round);
            ushort seq = (ushort)rng.Next(65536);
            long t = rng.NextInt64(0, 1L << 40);
            b.SetBase(seq, t);
            long encoded = t / 64_000 * 64_000;
            var expected = new Dictionary<ushort, short>();
            int statuses = 0;
            int mode = rng.Next(4);
            while (true)
            {
                int gap = mode switch
                {
                    0 => 0,
                    1 => rng.Next(10) == 0 ? rng.Next(1, 30) : 0,
                    2 => rng.Next(3),
                    _ => rng.Next(5) == 0 ? rng.Next(100, 9000) : 0,
                };
                long step = rng.Next(8) switch
                {
                    0 => rng.Next(-5_000_000, 5_000_000),
                    1 => -rng.Next(0, 5_000),
                    _ => rng.Next(0, 70_000),
                };
                ushort next = (ushort)(seq + gap);
                TransportCcAddResult r = b.AddPacket(next, t + step);
                if (r == TransportCcAddResult.Full)
                    break;
                if (r == TransportCcAddResult.Rejected)
                    continue; // a gap or delta out of range: try another
                Assert.Equal(TransportCcAddResult.Added, r);
                t += step;
                long ticks = (long)Math.Round((t - encoded) / 250.0, MidpointRounding.AwayFromZero);
                encoded += ticks * 250;
                expected[next] = (short)ticks;
                statuses += gap + 1;
                seq = (ushort)(next + 1);
                if (statuses > 60_000)
                    break;
            }
            int n = b.Write(buf);
            Assert.Equal(b.Size, n);
            Assert.True(n <= 1200);
            Assert.True(TransportCcFeedback.TryRead(Single(buf.AsSpan(0, n)), out TransportCcFeedback fb));
            Assert.Equal((byte)round, fb.FeedbackPacketCount);
            Assert.Equal(b.ReferenceTime, fb.ReferenceTime);
            Assert.Equal(statuses, fb.PacketStatusCount);
            int received = 0;
            foreach (TransportCcPacketStatus s in fb)
            {
                Assert.Equal(expected.TryGetValue(s.Sequence, out short d), s.Received);
                if (s.Received)
                {
                    Assert.Equal(d, s.Delta);
                    received++;
                }
            }
            Assert.Equal(expected.Count, received);
        }
    }

    [Fact]
    public void Builder_ReferenceTimeIsSigned24BitAndWraps()
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 0);
        b.SetBase(0, (0x800000L + 5) * 64_000 + 1);  // wraps into the negative half
        Assert.Equal(-0x800000 + 5, b.ReferenceTime);
        Assert.Equal(TransportCcAddResult.Added, b.AddPacket(0, (0x800000L + 5) * 64_000 + 1_000));
        var buf = new byte[64];
        int n = b.Write(buf);
        Assert.Equal(Hex("80 00 05 00"), buf[16..20]);
        Assert.True(TransportCcFeedback.TryRead(Single(buf.AsSpan(0, n)), out TransportCcFeedback fb));
        Assert.Equal(-0x800000 + 5, fb.ReferenceTime);
    }
}
