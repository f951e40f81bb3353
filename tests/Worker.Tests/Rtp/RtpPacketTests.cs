using Mediasoup.Rtp;
using Xunit;
using static Mediasoup.Tests.Rtp.RtpTestPackets;

namespace Mediasoup.Tests.Rtp;

public sealed unsafe class RtpPacketTests
{
    // ---------------------------------------------------------------- parse

    [Fact]
    public void Parse_MinimalHeader_ReadsEveryField()
    {
        // V=2 P=0 X=0 CC=0 | M=1 PT=111 | seq 0x1234 | ts 0xDEADBEEF | ssrc 0x11223344
        byte[] bytes = [0x80, 0xEF, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x11, 0x22, 0x33, 0x44];
        RtpPacket p = Parse(bytes);
        Assert.True(p.IsValid);
        Assert.Equal(2, p.Version);
        Assert.True(p.Marker);
        Assert.Equal(111, p.PayloadType);
        Assert.Equal(0x1234, p.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, p.Timestamp);
        Assert.Equal(0x11223344u, p.Ssrc);
        Assert.Equal(0, p.CsrcCount);
        Assert.False(p.HasPadding);
        Assert.False(p.HasHeaderExtension);
        Assert.Equal(ExtensionForm.None, p.ExtensionForm);
        Assert.Equal(12, p.Length);
        Assert.Equal(12, p.PayloadOffset);
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(0, p.PaddingLength);
        Assert.True(p.Payload.IsEmpty);
        Assert.Equal(bytes, p.Data.ToArray());
        Assert.Equal(1500, p.Capacity);
    }

    [Fact]
    public void Parse_CsrcsPayloadAndPadding()
    {
        byte[] bytes = Build(csrcs: [0xAABBCCDD, 0x01020304], payload: [1, 2, 3, 4, 5], padding: 3);
        RtpPacket p = Parse(bytes);
        Assert.Equal(2, p.CsrcCount);
        Assert.Equal(0xAABBCCDDu, p.GetCsrc(0));
        Assert.Equal(0x01020304u, p.GetCsrc(1));
        Assert.Equal(0u, p.GetCsrc(2));
        Assert.Equal(0u, p.GetCsrc(-1));
        Assert.Equal(20, p.PayloadOffset);
        Assert.Equal(5, p.PayloadLength);
        Assert.Equal(3, p.PaddingLength);
        Assert.True(p.HasPadding);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, p.Payload.ToArray());
        Assert.Equal(28, p.Length);
    }

    [Fact]
    public void Parse_PaddingOnlyPacket()
    {
        // A probation-style packet: no payload, 255 bytes of padding.
        RtpPacket p = Parse(Build(padding: 255));
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(255, p.PaddingLength);
    }

    [Theory]
    [InlineData(new byte[] { 0x40, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 })] // version 1
    [InlineData(new byte[] { 0xC0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 })] // version 3
    [InlineData(new byte[] { 0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0 })] // 11 bytes
    [InlineData(new byte[] { 0x81, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 })] // CSRC cut short
    [InlineData(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0 })] // ext header cut short
    [InlineData(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x10, 0 })] // ext value cut short
    [InlineData(new byte[] { 0xA0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 })] // P=1 but no padding octet
    [InlineData(new byte[] { 0xA0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9, 9, 0 })] // padding count 0
    [InlineData(new byte[] { 0xA0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9, 9, 4 })] // padding > bytes after header
    [InlineData(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x13, 1, 2, 3 })] // element overruns block
    [InlineData(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0x00, 0, 1, 0x05, 3, 1, 2 })] // two-byte element overruns
    public void Parse_RejectsMalformed(byte[] bytes)
    {
        byte[] buffer = Pinned(bytes);
        var p = new RtpPacket();
        Assert.False(p.TryParse(buffer.AsSpan(0, 1500), bytes.Length));
        Assert.False(p.IsValid);
    }

    [Fact]
    public void Parse_PaddingMayCoverEverythingAfterHeader()
    {
        byte[] bytes = [0xA0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9, 9, 3];
        RtpPacket p = Parse(bytes);
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(3, p.PaddingLength);
    }

    [Fact]
    public void Parse_RejectsBadArguments()
    {
        byte[] bytes = Build(payload: [1, 2, 3]);
        byte[] buffer = Pinned(bytes, 64);
        var p = new RtpPacket();
        fixed (byte* b = buffer)
        {
            Assert.False(p.TryParse(null, 12, 64));
            Assert.False(p.TryParse(b, bytes.Length, bytes.Length - 1)); // capacity < length
            Assert.False(p.TryParse(b, -1, 64));
            Assert.False(p.TryParse(buffer.AsSpan(0, 10), 15));
            Assert.True(p.TryParse(b, bytes.Length, 64));
            Assert.False(p.TryParse(b, 70000, 70000)); // beyond 16-bit offsets
            Assert.False(p.IsValid);
        }
    }

    [Fact]
    public void Parse_ClampsCapacityTo64K()
    {
        byte[] buffer = Pinned(Build(payload: [1]), 70_000);
        var p = new RtpPacket();
        Assert.True(p.TryParse(buffer.AsSpan(), 13));
        Assert.Equal(RtpPacket.MaxLength, p.Capacity);
        Assert.False(p.SetPayloadLength(RtpPacket.MaxLength));
        Assert.True(p.SetPayloadLength(RtpPacket.MaxLength - 12));
        Assert.True(Reparse(p).IsValid);
    }

    [Fact]
    public void Parse_ReusesInstanceAcrossPackets()
    {
        var p = new RtpPacket();
        byte[] a = Pinned(Build(seq: 1, payload: [1, 2]));
        byte[] b = Pinned(Build(seq: 2, csrcs: [5], payload: [3]));
        Assert.True(p.TryParse(a.AsSpan(), 14));
        Assert.Equal(1, p.SequenceNumber);
        Assert.True(p.TryParse(b.AsSpan(), 17));
        Assert.Equal(2, p.SequenceNumber);
        Assert.Equal(1, p.CsrcCount);
        Assert.Equal(new byte[] { 3 }, p.Payload.ToArray());
        Assert.False(p.TryParse(b.AsSpan(), 13));
        Assert.False(p.IsValid);
        Assert.True(p.TryParse(a.AsSpan(), 14));
        Assert.Equal(new byte[] { 1, 2 }, p.Payload.ToArray());
    }

    [Fact]
    public void IsRtp_ChecksVersionAndLength()
    {
        Assert.True(RtpPacket.IsRtp(Build()));
        Assert.False(RtpPacket.IsRtp(Build().AsSpan(0, 11)));
        Assert.False(RtpPacket.IsRtp(new byte[] { 0x00, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 })); // STUN range
        Assert.False(RtpPacket.IsRtp(new byte[] { 0x16, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0 })); // DTLS range
    }

    // ---------------------------------------------------------------- setters

    [Fact]
    public void Setters_WriteThroughInNetworkOrder()
    {
        RtpPacket p = Parse(Build(payloadType: 96, marker: false, payload: [7]), 64, out byte[] buffer);
        p.PayloadType = 100;
        p.Marker = true;
        p.SequenceNumber = 0xBEEF;
        p.Timestamp = 0x01020304;
        p.Ssrc = 0xCAFEBABE;
        Assert.Equal(0x80 | 100, buffer[1]);
        Assert.Equal(new byte[] { 0xBE, 0xEF, 1, 2, 3, 4, 0xCA, 0xFE, 0xBA, 0xBE }, buffer[2..12]);
        p.Marker = false;
        Assert.Equal(100, buffer[1]);
        p.Marker = true;
        p.PayloadType = 0xFF; // only 7 bits are kept, marker untouched
        Assert.Equal(0xFF, buffer[1]);
        Assert.Equal(127, p.PayloadType);
        Assert.True(p.Marker);
        Assert.Equal(0x80, buffer[0]);
        Assert.Equal(7, buffer[12]);
    }

    [Fact]
    public void TryCreate_WritesBareHeader()
    {
        byte[] buffer = GC.AllocateArray<byte>(100, pinned: true);
        buffer.AsSpan().Fill(0xAA);
        var p = new RtpPacket();
        fixed (byte* b = buffer)
        {
            Assert.False(p.TryCreate(b, 11));
            Assert.True(p.TryCreate(b, 100));
        }
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, p.Data.ToArray());
        Assert.True(p.SetPayload([1, 2, 3]));
        Assert.True(p.SetPaddingLength(5));
        Assert.True(Reparse(p).IsValid);
        Assert.Equal(20, p.Length);
    }

    // ---------------------------------------------------------------- payload and padding

    [Fact]
    public void SetPaddingLength_AndPadTo4Bytes()
    {
        RtpPacket p = Parse(Build(payload: [1, 2, 3, 4, 5]), 40, out _);
        Assert.True(p.PadTo4Bytes());
        Assert.Equal(20, p.Length);
        Assert.Equal(3, p.PaddingLength);
        Assert.Equal(new byte[] { 0, 0, 3 }, p.Data[17..].ToArray());
        RtpPacket again = Reparse(p);
        Assert.Equal(5, again.PayloadLength);
        Assert.Equal(3, again.PaddingLength);

        Assert.True(p.SetPaddingLength(0));
        Assert.False(p.HasPadding);
        Assert.Equal(17, p.Length);
        Assert.True(p.PadTo4Bytes() && p.SetPaddingLength(23)); // 17 + 23 = 40 = capacity
        Assert.False(p.SetPaddingLength(24));
        Assert.False(p.SetPaddingLength(256));
        Assert.Equal(40, p.Length);
        Assert.Equal(5, p.PayloadLength);
    }

    [Fact]
    public void SetPayloadLength_RespectsCapacityAndDropsPadding()
    {
        RtpPacket p = Parse(Build(payload: [1, 2, 3], padding: 4), 32, out _);
        Assert.False(p.SetPayloadLength(21));
        Assert.Equal(4, p.PaddingLength);
        Assert.True(p.SetPayloadLength(20));
        Assert.Equal(32, p.Length);
        Assert.Equal(0, p.PaddingLength);
        Assert.False(p.HasPadding);
        Assert.False(p.SetPayloadLength(-1));
        Assert.True(p.SetPayload([9, 8]));
        Assert.Equal(new byte[] { 9, 8 }, p.Payload.ToArray());
    }

    [Fact]
    public void ShiftPayload_OpensAndClosesGaps()
    {
        RtpPacket p = Parse(Build(payload: [1, 2, 3, 4], padding: 2), 20, out _);
        Assert.True(p.ShiftPayload(1, 2));
        Assert.Equal(0, p.PaddingLength);
        Assert.Equal(6, p.PayloadLength);
        Span<byte> payload = p.Payload;
        Assert.Equal(1, payload[0]);
        Assert.Equal(new byte[] { 2, 3, 4 }, payload[3..].ToArray());
        Assert.False(p.ShiftPayload(0, 3)); // 12 + 6 + 3 > 20
        Assert.True(p.ShiftPayload(1, -2));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, p.Payload.ToArray());
        Assert.False(p.ShiftPayload(2, -3));
        Assert.False(p.ShiftPayload(5, 1));
        Assert.True(p.ShiftPayload(4, 1)); // append at the end
        Assert.Equal(5, p.PayloadLength);
    }

    // ---------------------------------------------------------------- RTX

    [Fact]
    public void Rtx_EncodeThenDecode_RestoresPacket()
    {
        byte[] original = Build(payloadType: 96, seq: 5000, ssrc: 1111, marker: true,
            extensionProfile: 0xBEDE, extensionValue: [0x10, 0xAA, 0, 0], payload: [1, 2, 3, 4, 5]);
        RtpPacket p = Parse(original, 64, out _);
        Assert.True(p.RtxEncode(97, 2222, 77));
        Assert.Equal(97, p.PayloadType);
        Assert.Equal(2222u, p.Ssrc);
        Assert.Equal(77, p.SequenceNumber);
        Assert.True(p.Marker);
        Assert.Equal(new byte[] { 0x13, 0x88, 1, 2, 3, 4, 5 }, p.Payload.ToArray()); // OSN 5000
        Assert.True(p.TryGetExtension(1, out Span<byte> ext) && ext[0] == 0xAA);

        RtpPacket wire = Reparse(p);
        Assert.True(wire.RtxDecode(96, 1111));
        Assert.Equal(original, wire.Data.ToArray());
        Assert.True(p.RtxDecode(96, 1111));
        Assert.Equal(original, p.Data.ToArray());
    }

    [Fact]
    public void RtxEncode_RespectsCapacity()
    {
        byte[] bytes = Build(seq: 1, payload: [1, 2, 3]);
        RtpPacket p = Parse(bytes, bytes.Length + 1, out _);
        Assert.False(p.RtxEncode(97, 2, 3));
        Assert.Equal(1, p.SequenceNumber);
        Assert.Equal(96, p.PayloadType);
        Assert.Equal(bytes, p.Data.ToArray());

        p = Parse(bytes, bytes.Length + 2, out _);
        Assert.True(p.RtxEncode(97, 2, 3));
        Assert.Equal(new byte[] { 0, 1, 1, 2, 3 }, p.Payload.ToArray());
    }

    [Fact]
    public void RtxEncode_DropsPaddingToMakeRoom()
    {
        byte[] bytes = Build(seq: 1, payload: [1, 2, 3], padding: 4);
        RtpPacket p = Parse(bytes, bytes.Length, out _);
        Assert.True(p.RtxEncode(97, 2, 3));
        Assert.Equal(0, p.PaddingLength);
        Assert.False(p.HasPadding);
        Assert.Equal(bytes.Length - 2, p.Length);
        Assert.Equal(new byte[] { 0, 1, 1, 2, 3 }, p.Payload.ToArray());
    }

    [Fact]
    public void RtxDecode_RefusesPayloadShorterThanOsn()
    {
        byte[] bytes = Build(payloadType: 97, seq: 9, payload: [0x42], padding: 8);
        RtpPacket p = Parse(bytes);
        Assert.False(p.RtxDecode(96, 5));
        Assert.Equal(bytes, p.Data.ToArray());
        p = Parse(Build(payloadType: 97, seq: 9, payload: [0x00, 0x07], padding: 8));
        Assert.True(p.RtxDecode(96, 5));
        Assert.Equal(7, p.SequenceNumber);
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(0, p.PaddingLength);
        Assert.Equal(12, p.Length);
    }

    // ---------------------------------------------------------------- copy

    [Fact]
    public void CopyTo_ClonesBytesIndexAndIds()
    {
        byte[] bytes = Build(extensionProfile: 0xBEDE, extensionValue: [0x12, (byte)'a', (byte)'b', (byte)'c'], payload: [1, 2, 3]);
        RtpPacket p = Parse(bytes);
        p.ExtensionIds.Mid = 1;
        byte[] dst = GC.AllocateArray<byte>(64, pinned: true);
        var clone = new RtpPacket();
        Assert.False(p.CopyTo(dst.AsSpan(0, bytes.Length - 1), clone));
        Assert.True(p.CopyTo(dst.AsSpan(), clone));
        Assert.Equal(bytes, clone.Data.ToArray());
        Assert.Equal(64, clone.Capacity);
        Assert.True(clone.TryReadMid(out ReadOnlySpan<byte> mid));
        Assert.Equal("abc"u8.ToArray(), mid.ToArray());

        // The clone is independent of the original.
        clone.SequenceNumber = 1;
        Assert.True(clone.UpdateMid("x"u8));
        Assert.Equal(0x1234, p.SequenceNumber);
        Assert.True(p.TryReadMid(out mid));
        Assert.Equal("abc"u8.ToArray(), mid.ToArray());
        Assert.True(clone.RtxEncode(97, 9, 9)); // clone has more capacity
    }
}
