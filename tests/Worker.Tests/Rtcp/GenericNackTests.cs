using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class GenericNackTests
{
    [Fact]
    public void Nack_WritesRfc4585Layout()
    {
        var buf = new byte[32];
        int n = GenericNack.Write(buf, 0x11223344, 0x55667788, [new NackItem(1000, 0x8001), new NackItem(2, 0)]);
        // V=2 FMT=1 PT=205, length 4, sender, media, PID|BLP ×2 (RFC 4585 §6.2.1).
        Assert.Equal(Hex("81 cd 00 04  11 22 33 44  55 66 77 88  03 e8 80 01  00 02 00 00"), buf[..n]);
    }

    [Fact]
    public void Nack_ParsesItemsAndExpandsSequences()
    {
        byte[] data = Hex("81 cd 00 04  11 22 33 44  55 66 77 88  03 e8 80 01  ff ff 00 03");
        Assert.True(GenericNack.TryRead(Single(data), out GenericNack nack));
        Assert.Equal(0x11223344u, nack.SenderSsrc);
        Assert.Equal(0x55667788u, nack.MediaSsrc);
        Assert.Equal(2, nack.ItemCount);
        Assert.Equal(new NackItem(1000, 0x8001), nack.GetItem(0));
        var seqs = new List<ushort>();
        foreach (ushort s in nack)
            seqs.Add(s);
        // BLP bit 0 → PID+1, bit 15 → PID+16; second item wraps 65535 → 0, 1.
        Assert.Equal(new ushort[] { 1000, 1001, 1016, 65535, 0, 1 }, seqs);
    }

    [Fact]
    public void Nack_RequiresAtLeastOneItem()
    {
        Assert.False(GenericNack.TryRead(Single(Hex("81 cd 00 02  11 22 33 44  55 66 77 88")), out _));
        Assert.Equal(0, GenericNack.Write(new byte[64], 1, 2, []));
        Assert.Equal(0, GenericNack.WriteLost(new byte[64], 1, 2, [], out _));
    }

    [Fact]
    public void NackItem_ExpandAllBitsAndWrap()
    {
        Span<ushort> seqs = stackalloc ushort[NackItem.MaxLostPerItem];
        var item = new NackItem(65530, 0xFFFF);
        Assert.Equal(17, item.LostCount);
        Assert.Equal(17, item.Expand(seqs));
        for (int i = 0; i < 17; i++)
            Assert.Equal((ushort)(65530 + i), seqs[i]);
        Assert.Equal(10, seqs[16]);

        Assert.Equal(1, new NackItem(7, 0).Expand(seqs));
        Assert.Equal(3, new NackItem(7, 0xFFFF).Expand(seqs[..3]));
        Assert.Equal(0, new NackItem(7, 0xFFFF).Expand([]));
    }

    public static TheoryData<ushort[], NackItem[]> PackCases => new()
    {
        { [5], [new(5, 0)] },
        { [100, 101, 116], [new(100, 0x8001)] },                      // +16 is BLP bit 15
        { [100, 117], [new(100, 0), new(117, 0)] },                   // +17 starts a new item
        { [65534, 65535, 0, 1, 17], [new(65534, 0x0007), new(17, 0)] }, // wrap inside an item
        { [65535, 15], [new(65535, 0x8000)] },                         // +16 across the wrap
        { [10, 10, 11, 11], [new(10, 0x0001)] },                       // duplicates dropped
        { [0, 2, 4, 6, 8, 10, 12, 14, 16, 18], [new(0, 0xAAAA), new(18, 0)] },
    };

    [Theory]
    [MemberData(nameof(PackCases))]
    public void NackItem_PacksSortedLost(ushort[] lost, NackItem[] expected)
    {
        var items = new NackItem[lost.Length];
        int n = NackItem.Pack(lost, items, out int consumed);
        Assert.Equal(expected, items[..n]);
        Assert.Equal(lost.Length, consumed);

        // The same through WriteLost, then back through the parser.
        var buf = new byte[256];
        int len = GenericNack.WriteLost(buf, 1, 2, lost, out consumed);
        Assert.Equal(lost.Length, consumed);
        Assert.Equal(GenericNack.GetSize(expected.Length), len);
        Assert.True(GenericNack.TryRead(Single(buf.AsSpan(0, len)), out GenericNack nack));
        var back = new List<ushort>();
        foreach (ushort s in nack)
            back.Add(s);
        Assert.Equal(lost.Distinct(), back);
    }

    [Fact]
    public void NackItem_PackStopsWhenItemsRunOut()
    {
        ushort[] lost = [1, 2, 50, 51, 100];
        var items = new NackItem[2];
        Assert.Equal(2, NackItem.Pack(lost, items, out int consumed));
        Assert.Equal(4, consumed);
    }

    [Fact]
    public void Nack_WriteLostSplitsAcrossPacketsWhenSpaceRunsOut()
    {
        // 40 lost packets 20 apart: one item each. 12 + 4×10 = 52 bytes fit 10 items.
        ushort[] lost = Enumerable.Range(0, 40).Select(i => (ushort)(65000 + i * 20)).ToArray();
        var buf = new byte[55];
        var all = new List<ushort>();
        int offset = 0, packets = 0;
        while (offset < lost.Length)
        {
            int len = GenericNack.WriteLost(buf, 1, 2, lost.AsSpan(offset), out int consumed);
            Assert.Equal(52, len);
            Assert.Equal(10, consumed);
            Assert.True(GenericNack.TryRead(Single(buf.AsSpan(0, len)), out GenericNack nack));
            foreach (ushort s in nack)
                all.Add(s);
            offset += consumed;
            packets++;
        }
        Assert.Equal(4, packets);
        Assert.Equal(lost, all);
        Assert.Equal(0, GenericNack.WriteLost(new byte[15], 1, 2, lost, out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void Nack_RandomSetsRoundTrip()
    {
        var rng = new Random(4585);
        for (int round = 0; round < 500; round++)
        {
            ushort start = (ushort)rng.Next(65536);
            var lost = new List<ushort>();
            int seq = 0;
            int count = rng.Next(1, 200);
            for (int i = 0; i < count; i++)
            {
                seq += rng.Next(1, rng.Next(2) == 0 ? 4 : 40);
                lost.Add((ushort)(start + seq));
            }
            var buf = new byte[2000];
            int len = GenericNack.WriteLost(buf, 1, 2, lost.ToArray(), out int consumed);
            Assert.Equal(lost.Count, consumed);
            Assert.True(GenericNack.TryRead(Single(buf.AsSpan(0, len)), out GenericNack nack));
            var back = new List<ushort>();
            foreach (ushort s in nack)
                back.Add(s);
            Assert.Equal(lost, back);
        }
    }
}
