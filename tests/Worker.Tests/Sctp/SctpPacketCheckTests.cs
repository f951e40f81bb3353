using System.Buffers.Binary;
using System.Numerics;
using Mediasoup.Sctp;
using Xunit;

namespace Mediasoup.Tests.Sctp;

/// <summary>Builds SCTP packets chunk by chunk, with a valid CRC32c (RFC 4960 Appendix B).</summary>
internal static class SctpPacketBuilder
{
    public static byte[] Packet(ReadOnlySpan<byte> commonHeader, params byte[][] chunks)
    {
        var bytes = new List<byte>(commonHeader[..12].ToArray());
        foreach (byte[] c in chunks)
        {
            bytes.AddRange(c);
            while (bytes.Count % 4 != 0)
                bytes.Add(0);
        }
        byte[] packet = bytes.ToArray();
        SetChecksum(packet);
        return packet;
    }

    /// <summary>A chunk whose Length field says <paramref name="lengthField"/> (default: the real length).</summary>
    public static byte[] Chunk(byte type, byte flags, ReadOnlySpan<byte> body, int? lengthField = null)
    {
        var c = new byte[4 + body.Length];
        c[0] = type;
        c[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(c.AsSpan(2), (ushort)(lengthField ?? c.Length));
        body.CopyTo(c.AsSpan(4));
        return c;
    }

    public static void SetChecksum(byte[] packet)
    {
        packet.AsSpan(8, 4).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), Crc32C(packet));
    }

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    public static byte[] Header(uint tag) =>
        [0x13, 0x88, 0x13, 0x88, (byte)(tag >> 24), (byte)(tag >> 16), (byte)(tag >> 8), (byte)tag, 0, 0, 0, 0];
}

public sealed class SctpPacketCheckTests
{
    private static readonly byte[] Tagged = SctpPacketBuilder.Header(0xA1B2C3D4);
    private static readonly byte[] Untagged = SctpPacketBuilder.Header(0);

    private static byte[] C(byte type, int bodyLength, int? lengthField = null, byte fill = 0)
    {
        var body = new byte[bodyLength];
        body.AsSpan().Fill(fill);
        return SctpPacketBuilder.Chunk(type, 0, body, lengthField);
    }

    private static byte[] Sack(ushort gaps, ushort dups, int extraBytes = 0)
    {
        var body = new byte[12 + 4 * (gaps + dups) + extraBytes];
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(8), gaps);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(10), dups);
        return SctpPacketBuilder.Chunk(3, 0, body);
    }

    private static byte[] Heartbeat(int infoLength)
    {
        var body = new byte[4 + infoLength];
        BinaryPrimitives.WriteUInt16BigEndian(body, 1);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), (ushort)(4 + infoLength));
        return SctpPacketBuilder.Chunk(4, 0, body);
    }

    [Fact]
    public void Accepts_WellFormedPackets()
    {
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(11, 0))));
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, Sack(2, 1), C(0, 13))));
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0, 13), C(0, 100))));
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, Heartbeat(37))));
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(7, 4), C(0xC0, 12))));
        // Unknown types are usrsctp's to handle (upper two bits), after DATA too.
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0, 13), C(0x3F, 3))));
        // INIT alone with tag 0, its fixed part and no parameters.
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Untagged, C(1, 16))));
        // Last chunk without its padding.
        byte[] unpadded = [.. Tagged, .. C(0, 13)];
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(unpadded));
    }

    [Theory]
    [InlineData(8)]  // the COOKIE-ACK of length 8
    [InlineData(5)]
    public void CookieAck_OfAnotherLength_IsRefused(int length)
    {
        byte[] packet = SctpPacketBuilder.Packet(Tagged, C(11, length - 4, fill: 0xEE));
        Assert.Equal(SctpPacketVerdict.FixedLengthMismatch, SctpPacketCheck.Check(packet));
    }

    [Fact]
    public void Classes_OfMalformedPackets_AreNamed()
    {
        Assert.Equal(SctpPacketVerdict.TooShort, SctpPacketCheck.Check(Tagged));
        Assert.Equal(SctpPacketVerdict.ChunkLengthBelowHeader, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0, 12, lengthField: 3))));
        Assert.Equal(SctpPacketVerdict.ChunkOverrun, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0, 13, lengthField: 40))));
        Assert.Equal(SctpPacketVerdict.TrailingBytes, SctpPacketCheck.Check([.. SctpPacketBuilder.Packet(Tagged, C(11, 0)), 0, 0]));
        Assert.Equal(SctpPacketVerdict.FixedLengthMismatch, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(7, 8))));
        Assert.Equal(SctpPacketVerdict.FixedLengthMismatch, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(14, 4))));
        Assert.Equal(SctpPacketVerdict.BelowMinimumLength, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0, 12))));
        Assert.Equal(SctpPacketVerdict.BelowMinimumLength, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Untagged, C(1, 12))));
        Assert.Equal(SctpPacketVerdict.InconsistentBody, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, Sack(3, 0, extraBytes: -4))));
        Assert.Equal(SctpPacketVerdict.InconsistentBody, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0xC0, 6))));
        Assert.Equal(SctpPacketVerdict.ControlAfterData, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(0, 13), C(11, 0))));
        Assert.Equal(SctpPacketVerdict.MustBeAlone, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Untagged, C(1, 16), C(11, 0))));
        Assert.Equal(SctpPacketVerdict.MustBeAlone, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(11, 0), C(14, 0))));
        Assert.Equal(SctpPacketVerdict.InitWithTag, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, C(1, 16))));
    }

    [Fact]
    public void Heartbeat_WithABrokenInfoParameter_IsRefused()
    {
        byte[] hb = Heartbeat(8);
        BinaryPrimitives.WriteUInt16BigEndian(hb.AsSpan(6), 200); // parameter longer than the chunk
        Assert.Equal(SctpPacketVerdict.InconsistentBody, SctpPacketCheck.Check(SctpPacketBuilder.Packet(Tagged, hb)));
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(14);
        var buffer = new byte[64];
        for (int i = 0; i < 200_000; i++)
        {
            int n = rng.Next(buffer.Length + 1);
            rng.NextBytes(buffer.AsSpan(0, n));
            SctpPacketCheck.Check(buffer.AsSpan(0, n));
        }
    }
}
