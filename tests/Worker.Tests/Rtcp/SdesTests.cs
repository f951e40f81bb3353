using System.Text;
using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class SdesTests
{
    [Fact]
    public void Sdes_WritesCnameChunkWithNullAndPadding()
    {
        var buf = new byte[64];
        // SSRC(4) + type/len(2) + "abc"(3) + END(1) = 10 → padded to 12 (RFC 3550 §6.5).
        int n = Sdes.Write(buf, 0x11223344, "abc"u8);
        Assert.Equal(16, n);
        Assert.Equal(Hex("81 ca 00 03  11 22 33 44  01 03 61 62  63 00 00 00"), buf[..n]);

        // Exactly on a boundary still needs a whole word for the END octet.
        n = Sdes.Write(buf, 1, "ab"u8);
        Assert.Equal(Hex("81 ca 00 03  00 00 00 01  01 02 61 62  00 00 00 00"), buf[..n]);
    }

    [Fact]
    public void Sdes_ParsesMultipleChunksAndItems()
    {
        // Chunk 1: CNAME "ab", NOTE "x", END + padding. Chunk 2: CNAME "cname1".
        byte[] data = Hex("""
            82 ca 00 07
            00 00 00 01  01 02 61 62  07 01 78 00
            00 00 00 02  01 06 63 6e  61 6d 65 31  00 00 00 00
            """);
        Assert.True(Sdes.TryRead(Single(data), out Sdes sdes));
        Assert.Equal(2, sdes.ChunkCount);
        var seen = new List<(uint, string)>();
        foreach (SdesChunk chunk in sdes)
        {
            Assert.True(chunk.TryGetCname(out ReadOnlySpan<byte> cname));
            seen.Add((chunk.Ssrc, Encoding.UTF8.GetString(cname)));
        }
        Assert.Equal([(1u, "ab"), (2u, "cname1")], seen);

        SdesChunkEnumerator it = sdes.GetEnumerator();
        Assert.True(it.MoveNext());
        var items = new List<(SdesItemType, string)>();
        foreach (SdesItem item in it.Current)
            items.Add((item.Type, Encoding.ASCII.GetString(item.Value)));
        Assert.Equal([(SdesItemType.Cname, "ab"), (SdesItemType.Note, "x")], items);
    }

    [Fact]
    public void Sdes_IsTolerantOfMissingTerminatorAndTruncatedItems()
    {
        // Chunk without END octet at the end of the packet: its complete item is still read.
        byte[] noEnd = Hex("81 ca 00 02  00 00 00 09  01 02 61 62");
        Assert.True(Sdes.TryRead(Single(noEnd), out Sdes sdes));
        int chunks = 0;
        foreach (SdesChunk c in sdes)
        {
            chunks++;
            Assert.True(c.TryGetCname(out ReadOnlySpan<byte> cname));
            Assert.Equal("ab"u8.ToArray(), cname.ToArray());
        }
        Assert.Equal(1, chunks);

        // An item whose length runs past the packet ends the chunk, and the packet.
        byte[] overrun = Hex("82 ca 00 02  00 00 00 09  01 09 61 62");
        Assert.True(Sdes.TryRead(Single(overrun), out sdes));
        chunks = 0;
        foreach (SdesChunk c in sdes)
        {
            chunks++;
            Assert.Equal(9u, c.Ssrc);
            Assert.False(c.TryGetCname(out _));
        }
        Assert.Equal(1, chunks);

        // SC larger than the chunks present.
        byte[] shortCount = Hex("85 ca 00 03  11 22 33 44  01 03 61 62  63 00 00 00");
        Assert.True(Sdes.TryRead(Single(shortCount), out sdes));
        chunks = 0;
        foreach (SdesChunk c in sdes)
            chunks++;
        Assert.Equal(1, chunks);
    }

    [Fact]
    public void Sdes_RejectsOversizedCname()
    {
        Assert.Equal(0, Sdes.Write(new byte[1000], 1, new byte[256]));
        Assert.Equal(4 + 264, Sdes.Write(new byte[1000], 1, new byte[255]));
        Assert.Equal(0, Sdes.Write(new byte[15], 1, "abc"u8));
    }
}
