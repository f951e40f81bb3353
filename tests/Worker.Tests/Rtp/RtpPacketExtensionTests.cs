using Mediasoup.Rtp;
using Xunit;
using static Mediasoup.Tests.Rtp.RtpTestPackets;

namespace Mediasoup.Tests.Rtp;

public sealed class RtpPacketExtensionTests
{
    // RFC 8285 4.2 figure: id 1 (1 byte), id 2 (2 bytes), two pad bytes, id 3 (4 bytes).
    private static readonly byte[] OneByteExample =
    [
        0x10, 0xA1,
        0x21, 0xB1, 0xB2,
        0x00, 0x00,
        0x33, 0xC1, 0xC2, 0xC3, 0xC4,
    ];

    // RFC 8285 4.3 figure: id 1 (0 bytes), id 2 (1 byte), one pad byte, id 3 (4 bytes).
    private static readonly byte[] TwoByteExample =
    [
        0x01, 0x00,
        0x02, 0x01, 0xB1,
        0x00,
        0x03, 0x04, 0xC1, 0xC2, 0xC3, 0xC4,
    ];

    private static byte[] Value(RtpPacket p, byte id)
    {
        Assert.True(p.TryGetExtension(id, out Span<byte> v), $"extension {id} missing");
        return v.ToArray();
    }

    // ---------------------------------------------------------------- parse

    [Fact]
    public void OneByteForm_Rfc8285Example()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: OneByteExample, payload: [9, 9]));
        Assert.Equal(ExtensionForm.OneByte, p.ExtensionForm);
        Assert.Equal(0xBEDE, p.ExtensionProfile);
        Assert.Equal(3, p.ExtensionCount);
        Assert.Equal(new byte[] { 0xA1 }, Value(p, 1));
        Assert.Equal(new byte[] { 0xB1, 0xB2 }, Value(p, 2));
        Assert.Equal(new byte[] { 0xC1, 0xC2, 0xC3, 0xC4 }, Value(p, 3));
        Assert.False(p.TryGetExtension(4, out _));
        Assert.False(p.TryGetExtension(0, out _));
        Assert.False(p.HasExtension(15));
        Assert.Equal(28, p.PayloadOffset);
        Assert.Equal(new byte[] { 9, 9 }, p.Payload.ToArray());
        Assert.True(p.GetExtensionAt(1, out byte id, out Span<byte> v) && id == 2 && v.Length == 2);
        Assert.False(p.GetExtensionAt(3, out _, out _));
    }

    [Fact]
    public void TwoByteForm_Rfc8285Example()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0x1000, extensionValue: TwoByteExample, payload: [9]));
        Assert.Equal(ExtensionForm.TwoByte, p.ExtensionForm);
        Assert.True(p.HasExtension(1));
        Assert.Empty(Value(p, 1));
        Assert.Equal(new byte[] { 0xB1 }, Value(p, 2));
        Assert.Equal(new byte[] { 0xC1, 0xC2, 0xC3, 0xC4 }, Value(p, 3));
        Assert.Equal(new byte[] { 9 }, p.Payload.ToArray());
    }

    [Fact]
    public void TwoByteForm_AppBitsAndLargeIds()
    {
        byte[] ext = [200, 17, .. Enumerable.Range(1, 17).Select(i => (byte)i), 0];
        Assert.Equal(20, ext.Length);
        RtpPacket p = Parse(Build(extensionProfile: 0x100F, extensionValue: ext));
        Assert.Equal(ExtensionForm.TwoByte, p.ExtensionForm);
        Assert.Equal(17, Value(p, 200).Length);
    }

    [Fact]
    public void OneByteForm_Id15StopsParsing()
    {
        // id 1, then the reserved id 15 whose "length" would overrun: the rest is ignored.
        byte[] ext = [0x10, 0xAA, 0xFF, 0x21, 0x01, 0x02, 0x00, 0x00];
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: ext));
        Assert.Equal(1, p.ExtensionCount);
        Assert.False(p.HasExtension(2));
    }

    [Fact]
    public void OtherProfile_IsKeptWithoutElements()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0xABCD, extensionValue: [0x10, 1, 2, 3], payload: [7]));
        Assert.Equal(ExtensionForm.Other, p.ExtensionForm);
        Assert.True(p.HasHeaderExtension);
        Assert.Equal(0xABCD, p.ExtensionProfile);
        Assert.False(p.HasExtension(1));
        Assert.Equal(4, p.ExtensionBlockValue.Length);
        Assert.Equal(new byte[] { 7 }, p.Payload.ToArray());
    }

    [Fact]
    public void EmptyExtensionBlock()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, payload: [1]));
        Assert.Equal(ExtensionForm.OneByte, p.ExtensionForm);
        Assert.Equal(0, p.ExtensionCount);
        Assert.Equal(16, p.PayloadOffset);
    }

    [Fact]
    public void RepeatedId_LastOneWins()
    {
        byte[] ext = [0x10, 0x01, 0x10, 0x02];
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: ext));
        Assert.Equal(new byte[] { 0x02 }, Value(p, 1));
    }

    [Fact]
    public void MoreElementsThanTheIndex_FallBackToScanning()
    {
        // 40 two-byte elements with ids 1..40, each 1 byte long holding its id.
        var ext = new List<byte>();
        for (int id = 1; id <= 40; id++)
        {
            ext.AddRange([(byte)id, 1, (byte)id]);
        }
        while (ext.Count % 4 != 0)
        {
            ext.Add(0);
        }
        RtpPacket p = Parse(Build(extensionProfile: 0x1000, extensionValue: ext.ToArray(), payload: [5]));
        Assert.Equal(RtpPacket.MaxIndexedExtensions, p.ExtensionCount);
        for (byte id = 1; id <= 40; id++)
        {
            Assert.Equal(new byte[] { id }, Value(p, id));
        }
        Assert.False(p.HasExtension(41));
        Assert.True(p.SetExtensionLength(40, 0));
        Assert.Empty(Value(p, 40));
    }

    // ---------------------------------------------------------------- SetExtensions

    [Fact]
    public void SetExtensions_AddsOneByteBlock_PreservingCsrcsPayloadAndPadding()
    {
        RtpPacket p = Parse(Build(csrcs: [0xC5C5C5C5], payload: [1, 2, 3, 4, 5], padding: 3), 100, out _);
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[4];
        Span<byte> values = stackalloc byte[64];
        var b = new ExtensionListBuilder(specs, values);
        Assert.True(b.Add(1, "video0"u8));
        Assert.True(b.Add(4, [0x01, 0x02, 0x03]));
        Assert.True(b.Add(5, [0xAB, 0xCD]));
        Assert.True(b.Apply(p));

        Assert.Equal(ExtensionForm.OneByte, p.ExtensionForm);
        Assert.True(p.HasHeaderExtension);
        // (1+6) + (1+3) + (1+2) = 14 -> 16 bytes of elements, +4 header.
        Assert.Equal(16 + 20, p.PayloadOffset);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, p.Payload.ToArray());
        Assert.Equal(3, p.PaddingLength);
        Assert.Equal(0xC5C5C5C5u, p.GetCsrc(0));

        RtpPacket wire = Reparse(p);
        Assert.Equal("video0"u8.ToArray(), Value(wire, 1));
        Assert.Equal(new byte[] { 1, 2, 3 }, Value(wire, 4));
        Assert.Equal(new byte[] { 0xAB, 0xCD }, Value(wire, 5));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, wire.Payload.ToArray());
        Assert.Equal(3, wire.PaddingLength);
        Assert.Equal(new byte[] { 0xBE, 0xDE, 0x00, 0x04 }, p.Data.Slice(16, 4).ToArray());
    }

    [Theory]
    [InlineData(15, 1)] // id beyond the one-byte range
    [InlineData(3, 17)] // value too long for one-byte
    [InlineData(3, 0)] // empty value
    public void SetExtensions_AutoPicksTwoByteWhenNeeded(byte id, int length)
    {
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: OneByteExample, payload: [1, 2]), 200, out _);
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[4];
        Span<byte> values = stackalloc byte[64];
        var b = new ExtensionListBuilder(specs, values);
        b.Add(1, [0x11]);
        b.Reserve(id, length).Fill(0x77);
        Assert.True(b.Apply(p));
        Assert.Equal(ExtensionForm.TwoByte, p.ExtensionForm);
        RtpPacket wire = Reparse(p);
        Assert.Equal(ExtensionForm.TwoByte, wire.ExtensionForm);
        Assert.Equal(new byte[] { 0x11 }, Value(wire, 1));
        Assert.Equal(Enumerable.Repeat((byte)0x77, length).ToArray(), Value(wire, id));
        Assert.Equal(new byte[] { 1, 2 }, wire.Payload.ToArray());
    }

    [Fact]
    public void SetExtensions_ExplicitForm()
    {
        RtpPacket p = Parse(Build(payload: [1]), 100, out _);
        Span<ExtensionSpec> specs = [new ExtensionSpec(1, 2, 0)];
        ReadOnlySpan<byte> values = [0xA, 0xB];
        Assert.True(p.SetExtensions(specs, values, ExtensionForm.TwoByte));
        Assert.Equal(ExtensionForm.TwoByte, p.ExtensionForm);
        Assert.Equal(new byte[] { 0xA, 0xB }, Value(Reparse(p), 1));
        Assert.True(p.SetExtensions(specs, values, ExtensionForm.OneByte));
        Assert.Equal(ExtensionForm.OneByte, Reparse(p).ExtensionForm);
        Assert.False(p.SetExtensions([new ExtensionSpec(20, 2, 0)], values, ExtensionForm.OneByte));
        Assert.False(p.SetExtensions(specs, values, ExtensionForm.Other));
        Assert.False(p.SetExtensions(specs, values, ExtensionForm.None));
    }

    [Fact]
    public void SetExtensions_RefusesBadSpecsWithoutTouchingThePacket()
    {
        byte[] bytes = Build(extensionProfile: 0xBEDE, extensionValue: OneByteExample, payload: [1, 2, 3]);
        RtpPacket p = Parse(bytes, 200, out _);
        ReadOnlySpan<byte> values = [1, 2, 3, 4];
        Assert.False(p.SetExtensions([new ExtensionSpec(0, 1, 0)], values)); // id 0
        Assert.False(p.SetExtensions([new ExtensionSpec(1, 1, 0), new ExtensionSpec(1, 1, 1)], values)); // repeated id
        Assert.False(p.SetExtensions([new ExtensionSpec(1, 4, 1)], values)); // value outside span
        Assert.Equal(bytes, p.Data.ToArray());
        Assert.Equal(new byte[] { 0xB1, 0xB2 }, Value(p, 2));
    }

    [Fact]
    public void SetExtensions_RespectsCapacity()
    {
        byte[] bytes = Build(payload: [1, 2, 3, 4]);
        // Needs 4 (header) + 8 (1+6 padded) bytes more.
        RtpPacket p = Parse(bytes, bytes.Length + 11, out _);
        ReadOnlySpan<byte> values = [1, 2, 3, 4, 5, 6];
        Assert.False(p.SetExtensions([new ExtensionSpec(1, 6, 0)], values));
        Assert.Equal(bytes, p.Data.ToArray());
        Assert.Equal(ExtensionForm.None, p.ExtensionForm);

        p = Parse(bytes, bytes.Length + 12, out _);
        Assert.True(p.SetExtensions([new ExtensionSpec(1, 6, 0)], values));
        Assert.Equal(p.Capacity, p.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, p.Payload.ToArray());
    }

    [Fact]
    public void SetExtensions_ShrinksAnExistingBlock()
    {
        byte[] bytes = Build(extensionProfile: 0x1000, extensionValue: TwoByteExample, payload: [1, 2, 3], padding: 2);
        RtpPacket p = Parse(bytes, bytes.Length, out _);
        Assert.True(p.SetExtensions([new ExtensionSpec(7, 1, 0)], [0x99]));
        Assert.Equal(ExtensionForm.OneByte, p.ExtensionForm);
        Assert.Equal(bytes.Length - 8, p.Length);
        RtpPacket wire = Reparse(p);
        Assert.Equal(new byte[] { 0x99 }, Value(wire, 7));
        Assert.False(wire.HasExtension(3));
        Assert.Equal(new byte[] { 1, 2, 3 }, wire.Payload.ToArray());
        Assert.Equal(2, wire.PaddingLength);
    }

    [Fact]
    public void SetExtensions_ValuesMayComeFromThePacketItself()
    {
        // The ingress rewrite: keep some incoming elements (under new ids) plus new ones.
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: OneByteExample, payload: [4, 5, 6]), 200, out _);
        Assert.True(p.TryGetExtension(3, out Span<byte> four));
        Assert.True(p.TryGetExtension(2, out Span<byte> two));

        // Direct specs whose value span is the packet's own extension block.
        Span<byte> block = p.ExtensionBlockValue;
        int fourOffset = OneByteExample.Length - 4;
        Assert.True(p.SetExtensions(
            [new ExtensionSpec(10, 2, 3), new ExtensionSpec(11, 4, (ushort)fourOffset), new ExtensionSpec(1, 8, 0)],
            block));
        RtpPacket wire = Reparse(p);
        Assert.Equal(new byte[] { 0xB1, 0xB2 }, Value(wire, 10));
        Assert.Equal(new byte[] { 0xC1, 0xC2, 0xC3, 0xC4 }, Value(wire, 11));
        Assert.Equal(OneByteExample[..8], Value(wire, 1));
        Assert.Equal(new byte[] { 4, 5, 6 }, wire.Payload.ToArray());
    }

    [Fact]
    public void SetExtensions_EmptyListRemovesTheBlock()
    {
        byte[] plain = Build(payload: [1, 2], padding: 2);
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: OneByteExample, payload: [1, 2], padding: 2));
        Assert.True(p.SetExtensions([], []));
        Assert.Equal(plain, p.Data.ToArray());
    }

    [Fact]
    public void SetExtensions_RoundTripsManyElements()
    {
        RtpPacket p = Parse(Build(payload: [1]), 1500, out _);
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[48];
        Span<byte> values = stackalloc byte[4096];
        var b = new ExtensionListBuilder(specs, values);
        for (int id = 1; id <= 45; id++)
        {
            b.Reserve((byte)id, id % 7).Fill((byte)id);
        }
        Assert.True(b.Apply(p));
        RtpPacket[] views = [p, Reparse(p)];
        foreach (RtpPacket view in views)
        {
            for (int id = 1; id <= 45; id++)
            {
                Assert.Equal(Enumerable.Repeat((byte)id, id % 7).ToArray(), Value(view, (byte)id));
            }
            Assert.Equal(new byte[] { 1 }, view.Payload.ToArray());
        }
    }

    [Fact]
    public void ExtensionListBuilder_ReportsOverflow()
    {
        RtpPacket p = Parse(Build(payload: [1]), 200, out _);
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[2];
        Span<byte> values = stackalloc byte[4];
        var b = new ExtensionListBuilder(specs, values);
        Assert.True(b.Add(1, [1, 2, 3]));
        Assert.False(b.Add(2, [1, 2])); // values full
        Assert.True(b.Overflowed);
        Assert.True(b.Add(3, [])); // still room in specs for an empty value
        Assert.False(b.Add(4, [])); // specs full
        Assert.Equal(2, b.Count);
        Assert.False(b.Apply(p));
        Assert.Equal(ExtensionForm.None, p.ExtensionForm);
    }

    [Fact]
    public void RemoveExtensionBlock_MovesPayloadBack()
    {
        byte[] plain = Build(csrcs: [1, 2], payload: [1, 2, 3], padding: 1);
        RtpPacket p = Parse(Build(csrcs: [1, 2], extensionProfile: 0x1000, extensionValue: TwoByteExample, payload: [1, 2, 3], padding: 1));
        p.RemoveExtensionBlock();
        Assert.Equal(plain, p.Data.ToArray());
        Assert.Equal(ExtensionForm.None, p.ExtensionForm);
        Assert.False(p.HasExtension(2));
        p.RemoveExtensionBlock();
        Assert.Equal(plain, p.Data.ToArray());
    }

    // ---------------------------------------------------------------- in-place resize

    [Fact]
    public void SetExtensionLength_ShrinksAndRegrowsIntoPadding()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: OneByteExample));
        // id 2 (2 bytes) is followed by two pad bytes.
        Assert.Equal(4, p.GetExtensionRoom(2));
        Assert.Equal(4, p.GetExtensionRoom(3)); // last element, block ends right after
        Assert.Equal(1, p.GetExtensionRoom(1));
        Assert.Equal(-1, p.GetExtensionRoom(9));

        Assert.True(p.SetExtensionLength(3, 1));
        Assert.Equal(new byte[] { 0xC1 }, Value(p, 3));
        Assert.Equal(new byte[] { 0xC1 }, Value(Reparse(p), 3));
        Assert.True(p.SetExtensionLength(3, 4));
        Assert.Equal(new byte[] { 0xC1, 0, 0, 0 }, Value(Reparse(p), 3));

        Assert.True(p.SetExtensionLength(2, 4));
        Assert.Equal(new byte[] { 0xB1, 0xB2, 0, 0 }, Value(Reparse(p), 2));
        Assert.False(p.SetExtensionLength(2, 5));
        Assert.False(p.SetExtensionLength(1, 0)); // one-byte elements carry at least 1 byte
        Assert.False(p.SetExtensionLength(9, 1));
        Assert.Equal(new byte[] { 0xA1 }, Value(Reparse(p), 1));
    }

    [Fact]
    public void SetExtensionLength_TwoByteAllowsZero()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0x1000, extensionValue: TwoByteExample));
        Assert.True(p.SetExtensionLength(3, 0));
        Assert.Empty(Value(Reparse(p), 3));
        Assert.True(p.HasExtension(3));
        Assert.True(p.SetExtensionLength(2, 2)); // takes the pad byte
        Assert.Equal(new byte[] { 0xB1, 0 }, Value(Reparse(p), 2));
        Assert.False(p.SetExtensionLength(1, 1)); // id 2's header follows directly
    }
}
