using System.Buffers.Binary;
using Mediasoup.Sctp;
using Xunit;

namespace Mediasoup.Tests.Sctp;

public class SctpDataAccountingTests
{
    // SCTP packet: 12-byte common header, then one DATA chunk (RFC 4960 §3.3.1) per payload.
    private static byte[] Packet(params (uint Tsn, int PayloadLength)[] chunks)
    {
        int size = 12;
        foreach (var c in chunks)
            size += (16 + c.PayloadLength + 3) & ~3;
        var p = new byte[size];
        int offset = 12;
        foreach (var (tsn, len) in chunks)
        {
            p[offset] = 0; // DATA
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(offset + 2), (ushort)(16 + len));
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(offset + 4), tsn);
            offset += (16 + len + 3) & ~3;
        }
        return p;
    }

    [Fact]
    public void QueuedBytesLeaveWhenTheirDataChunksGoOut()
    {
        var a = new SctpDataAccounting();
        a.Queued(100);
        a.Queued(50);
        Assert.Equal(150, a.NotYetSent);
        a.Sent(Packet((1, 100)));
        Assert.Equal(50, a.NotYetSent);
        a.Sent(Packet((2, 50)));
        Assert.Equal(0, a.NotYetSent);
    }

    [Fact]
    public void RetransmissionsAreNotCountedTwice()
    {
        var a = new SctpDataAccounting();
        a.Queued(30);
        a.Queued(30);
        a.Sent(Packet((7, 30)));
        a.Sent(Packet((7, 30))); // retransmission of TSN 7
        Assert.Equal(30, a.NotYetSent);
        a.Sent(Packet((8, 30)));
        Assert.Equal(0, a.NotYetSent);
    }

    [Fact]
    public void SeveralChunksInOnePacketAndTsnWrap()
    {
        var a = new SctpDataAccounting();
        a.Queued(10 + 11 + 12);
        a.Sent(Packet((uint.MaxValue, 10), (0, 11), (1, 12)));
        Assert.Equal(0, a.NotYetSent);
    }

    [Fact]
    public void MalformedPacketsNeverThrowNorCount()
    {
        var a = new SctpDataAccounting();
        a.Queued(5);
        var rnd = new System.Random(3);
        for (int i = 0; i < 5000; i++)
        {
            var junk = new byte[rnd.Next(0, 64)];
            rnd.NextBytes(junk);
            if (junk.Length > 12)
                junk[12] = 1; // not DATA
            a.Sent(junk);
        }
        Assert.Equal(5, a.NotYetSent);
    }
}
