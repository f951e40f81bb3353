using System.Buffers.Binary;
using Mediasoup.Sctp;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Sctp;

/// <summary>
/// Malformed chunks carrying the association's own verification tag and a valid CRC32c, sent
/// into a connected association: it must stay connected and keep carrying messages both ways,
/// and count the packet as dropped for its class. Without the pre-check usrsctp aborted the
/// association on several of these (COOKIE ACK of length 8 or 5, DATA without user data, a
/// control chunk after DATA).
/// </summary>
[Collection(UsrSctpCollection.Name)]
public sealed class SctpMalformedInputTests
{
    private readonly ITestOutputHelper _output;

    public SctpMalformedInputTests(ITestOutputHelper output) => _output = output;

    private static byte[] C(byte type, int bodyLength, int? lengthField = null, byte fill = 0)
    {
        var body = new byte[bodyLength];
        body.AsSpan().Fill(fill);
        return SctpPacketBuilder.Chunk(type, 0, body, lengthField);
    }

    private static byte[] Data(uint tsn, int userBytes)
    {
        var body = new byte[12 + userBytes];
        BinaryPrimitives.WriteUInt32BigEndian(body, tsn);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), 53);
        return SctpPacketBuilder.Chunk(0, 0x03, body);
    }

    public static TheoryData<string, SctpPacketVerdict> Cases() => new()
    {
        { "cookie-ack-len-8", SctpPacketVerdict.FixedLengthMismatch },
        { "cookie-ack-len-5", SctpPacketVerdict.FixedLengthMismatch },
        { "shutdown-ack-len-8", SctpPacketVerdict.FixedLengthMismatch },
        { "shutdown-len-12", SctpPacketVerdict.FixedLengthMismatch },
        { "data-no-user-data", SctpPacketVerdict.BelowMinimumLength },
        { "data-then-cookie-ack", SctpPacketVerdict.ControlAfterData },
        { "data-then-sack", SctpPacketVerdict.ControlAfterData },
        { "chunk-length-2", SctpPacketVerdict.ChunkLengthBelowHeader },
        { "chunk-overrun", SctpPacketVerdict.ChunkOverrun },
        { "trailing-bytes", SctpPacketVerdict.TrailingBytes },
        { "sack-wrong-block-count", SctpPacketVerdict.InconsistentBody },
        { "forward-tsn-odd", SctpPacketVerdict.InconsistentBody },
        { "shutdown-complete-bundled", SctpPacketVerdict.MustBeAlone },
        { "init-with-tag", SctpPacketVerdict.InitWithTag },
    };

    private static byte[] Build(string name, byte[] header, uint nextTsn) => name switch
    {
        "cookie-ack-len-8" => SctpPacketBuilder.Packet(header, [0x0b, 0x00, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef]),
        "cookie-ack-len-5" => SctpPacketBuilder.Packet(header, C(11, 1, fill: 0xde)),
        "shutdown-ack-len-8" => SctpPacketBuilder.Packet(header, C(8, 4)),
        "shutdown-len-12" => SctpPacketBuilder.Packet(header, C(7, 8)),
        "data-no-user-data" => SctpPacketBuilder.Packet(header, Data(nextTsn, 0)),
        "data-then-cookie-ack" => SctpPacketBuilder.Packet(header, Data(nextTsn, 4), C(11, 0)),
        "data-then-sack" => SctpPacketBuilder.Packet(header, Data(nextTsn, 4), C(3, 12)),
        "chunk-length-2" => SctpPacketBuilder.Packet(header, C(11, 0, lengthField: 2)),
        "chunk-overrun" => SctpPacketBuilder.Packet(header, C(0, 16, lengthField: 400)),
        "trailing-bytes" => WithTrailing(SctpPacketBuilder.Packet(header, C(11, 0))),
        "sack-wrong-block-count" => SctpPacketBuilder.Packet(header, SackClaiming(5)),
        "forward-tsn-odd" => SctpPacketBuilder.Packet(header, C(0xC0, 6)),
        "shutdown-complete-bundled" => SctpPacketBuilder.Packet(header, C(11, 0), C(14, 0)),
        "init-with-tag" => SctpPacketBuilder.Packet(header, C(1, 16)),
        _ => throw new ArgumentException(name),
    };

    private static byte[] WithTrailing(byte[] packet)
    {
        byte[] p = [.. packet, 0xAA, 0xBB, 0xCC];
        SctpPacketBuilder.SetChecksum(p);
        return p;
    }

    private static byte[] SackClaiming(ushort gaps)
    {
        var body = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(8), gaps);
        return SctpPacketBuilder.Chunk(3, 0, body);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedPacket_WithTheRightTag_IsDroppedAndCounted_AssociationSurvives(string name, SctpPacketVerdict expected)
    {
        using var pair = new SctpTestPair();
        byte[]? lastAToB = null;
        pair.FilterAToB = p => lastAToB = p;
        pair.Connect();
        Assert.Equal(SctpPacketVerdict.Ok, SctpPacketCheck.Check(lastAToB));

        // One message first, so B has a cumulative TSN to continue from.
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, 53, [1, 2, 3]));
        uint tsn = 0;
        pair.FilterAToB = p =>
        {
            if (p.Length > 16 && p[12] == 0)
                tsn = BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(16));
            return lastAToB = p;
        };
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 1));

        byte[] attack = Build(name, lastAToB!, tsn + 1);
        Assert.Equal(expected, SctpPacketCheck.Check(attack));
        pair.B.Association.ProcessSctpData(attack);
        pair.Pump(() => false, maxMs: 300);
        _output.WriteLine($"{name}: B state {pair.B.Association.State}, A state {pair.A.Association.State}");

        Assert.Equal(SctpAssociationState.Connected, pair.B.Association.State);
        Assert.Equal(SctpAssociationState.Connected, pair.A.Association.State);
        Assert.Equal(1, pair.B.Association.MalformedPacketsDropped);
        Assert.Equal(1, pair.B.Association.MalformedPacketsDroppedFor(expected));

        // Both directions still carry messages.
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(2, 51, "after"u8));
        Assert.Equal(SctpSendResult.Ok, pair.B.Association.SendSctpMessage(3, 51, "back"u8));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 2 && pair.A.Messages.Count == 1));
        Assert.Equal("after"u8.ToArray(), pair.B.Messages[1].Data);
        Assert.Equal("back"u8.ToArray(), pair.A.Messages[0].Data);
    }

    [Fact]
    public void WellFormedTraffic_IsNeverCountedAsMalformed()
    {
        using var pair = new SctpTestPair();
        int refused = 0;
        pair.FilterAToB = p => { if (SctpPacketCheck.Check(p) != SctpPacketVerdict.Ok) refused++; return p; };
        pair.FilterBToA = p => { if (SctpPacketCheck.Check(p) != SctpPacketVerdict.Ok) refused++; return p; };
        pair.Connect();
        var big = new byte[100_000];
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage((ushort)(i % 4), 53, big.AsSpan(0, 1 + i * 3000)));
            Assert.Equal(SctpSendResult.Ok, pair.B.Association.SendSctpMessage(1, 51, "x"u8, ordered: false));
        }
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 20 && pair.A.Messages.Count == 20));
        Assert.True(pair.A.Association.ResetStream(1));
        Assert.True(pair.Pump(() => pair.B.InboundResets.Count == 1));
        Assert.Equal(0, refused);
        Assert.Equal(0, pair.A.Association.MalformedPacketsDropped);
        Assert.Equal(0, pair.B.Association.MalformedPacketsDropped);
    }
}
