using Mediasoup.Rtp;
using Xunit;
using static Mediasoup.Tests.Rtp.RtpTestPackets;

namespace Mediasoup.Tests.Rtp;

public sealed class RtpPacketTypedExtensionTests
{
    // A packet carrying every extension the worker knows, under the internal ids.
    private static RtpPacket Everything(out byte[] buffer, bool twoByte = false)
    {
        RtpPacket p = Parse(Build(payload: [0xAA, 0xBB]), 1500, out buffer);
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[16];
        Span<byte> values = stackalloc byte[256];
        var b = new ExtensionListBuilder(specs, values);
        HeaderExtensionIds ids = HeaderExtensionIds.Internal;
        b.Reserve(ids.Mid, HeaderExtensionIds.MidMaxLength);
        b.Add(ids.Rid, "hi"u8);
        b.Add(ids.Rrid, "lo"u8);
        b.Add(ids.AbsSendTime, [0x12, 0x34, 0x56]);
        b.Add(ids.TransportWideCc01, [0xAB, 0xCD]);
        b.Add(ids.SsrcAudioLevel, [0x80 | 42]);
        b.Add(ids.DependencyDescriptor, [0x80, 0x01, 0x02]);
        b.Add(ids.VideoOrientation, [0x0F]);
        b.Add(ids.TimeOffset, [0xFF, 0xFF, 0xFE]);
        b.Add(ids.AbsCaptureTime, [1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF6]);
        b.Add(ids.PlayoutDelay, [0x00, 0xA0, 0x64]);
        b.Add(ids.MediasoupPacketId, [0, 0, 1, 0]);
        Assert.True(b.Apply(p, twoByte ? ExtensionForm.TwoByte : ExtensionForm.Auto));
        p.ExtensionIds = ids;
        return p;
    }

    [Fact]
    public void Internal_IdsFollowTheContractTable()
    {
        HeaderExtensionIds ids = HeaderExtensionIds.Internal;
        byte[] expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        byte[] actual = [ids.Mid, ids.Rid, ids.Rrid, ids.AbsSendTime, ids.TransportWideCc01, ids.SsrcAudioLevel,
            ids.DependencyDescriptor, ids.VideoOrientation, ids.TimeOffset, ids.AbsCaptureTime, ids.PlayoutDelay, ids.MediasoupPacketId];
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Readers_DecodeEveryExtension(bool twoByte)
    {
        foreach (RtpPacket p in new[] { Everything(out _, twoByte), Reparse(Everything(out _, twoByte)) })
        {
            // 16 bytes still fit one-byte elements, so Auto picks that form.
            Assert.Equal(twoByte ? ExtensionForm.TwoByte : ExtensionForm.OneByte, p.ExtensionForm);
            Assert.True(p.TryReadRid(out ReadOnlySpan<byte> rid));
            Assert.True(rid.SequenceEqual("hi"u8));
            Assert.True(p.TryReadRrid(out ReadOnlySpan<byte> rrid));
            Assert.True(rrid.SequenceEqual("lo"u8));
            Assert.True(p.TryReadAbsSendTime(out uint ast));
            Assert.Equal(0x123456u, ast);
            Assert.True(p.TryReadTransportWideCc01(out ushort wide));
            Assert.Equal(0xABCD, wide);
            Assert.True(p.TryReadSsrcAudioLevel(out byte volume, out bool voice));
            Assert.Equal(42, volume);
            Assert.True(voice);
            Assert.True(p.TryGetDependencyDescriptor(out Span<byte> dd));
            Assert.Equal(3, dd.Length);
            Assert.True(p.TryReadVideoOrientation(out bool camera, out bool flip, out ushort rotation));
            Assert.True(camera);
            Assert.True(flip);
            Assert.Equal(270, rotation);
            Assert.True(p.TryReadTimeOffset(out int toffset));
            Assert.Equal(-2, toffset);
            Assert.True(p.TryReadAbsCaptureTime(out ulong captureTs, out long clockOffset));
            Assert.Equal(0x0102030405060708ul, captureTs);
            Assert.Equal(-10, clockOffset);
            Assert.True(p.TryReadPlayoutDelay(out ushort minDelay, out ushort maxDelay));
            Assert.Equal(10, minDelay);
            Assert.Equal(100, maxDelay);
            Assert.True(p.TryReadMediasoupPacketId(out uint packetId));
            Assert.Equal(256u, packetId);
            // The reserved MID slot is all zeros: present, but 8 bytes of nothing.
            Assert.True(p.TryReadMid(out ReadOnlySpan<byte> mid));
            Assert.Equal(8, mid.Length);
        }
    }

    [Fact]
    public void Readers_FalseWhenIdIsZeroOrAbsentOrLengthWrong()
    {
        RtpPacket p = Everything(out _);
        p.ExtensionIds = default;
        Assert.False(p.TryReadMid(out _));
        Assert.False(p.TryReadAbsSendTime(out _));
        Assert.False(p.TryReadTransportWideCc01(out _));
        Assert.False(p.TryReadSsrcAudioLevel(out _, out _));
        Assert.False(p.TryReadVideoOrientation(out _, out _, out _));
        Assert.False(p.TryReadPlayoutDelay(out _, out _));
        Assert.False(p.TryReadAbsCaptureTime(out _, out _));
        Assert.False(p.TryReadMediasoupPacketId(out _));
        Assert.False(p.UpdateMid("a"u8));
        Assert.False(p.UpdateAbsSendTime(0));
        Assert.False(p.UpdateTransportWideCc01(0));

        // Point every reader at an element of the wrong size (RID, 2 bytes).
        byte rid = HeaderExtensionIds.Internal.Rid;
        p.ExtensionIds = new HeaderExtensionIds
        {
            AbsSendTime = rid, SsrcAudioLevel = rid, VideoOrientation = rid, PlayoutDelay = rid,
            AbsCaptureTime = rid, MediasoupPacketId = rid, TimeOffset = rid, Mid = 99,
        };
        Assert.False(p.TryReadAbsSendTime(out _));
        Assert.False(p.TryReadSsrcAudioLevel(out _, out _));
        Assert.False(p.TryReadVideoOrientation(out _, out _, out _));
        Assert.False(p.TryReadPlayoutDelay(out _, out _));
        Assert.False(p.TryReadAbsCaptureTime(out _, out _));
        Assert.False(p.TryReadMediasoupPacketId(out _));
        Assert.False(p.TryReadTimeOffset(out _));
        Assert.False(p.TryReadMid(out _));
        Assert.True(p.TryReadTransportWideCc01(out _) == false);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UpdateMid_UsesTheReservedSlot(bool twoByte)
    {
        RtpPacket p = Everything(out _, twoByte);
        Assert.True(p.UpdateMid("0"u8));
        RtpPacket wire = Reparse(p);
        Assert.True(wire.TryReadMid(out ReadOnlySpan<byte> mid));
        Assert.True(mid.SequenceEqual("0"u8));

        // A consumer copy of the same packet writes a longer MID into the same slot.
        Assert.True(wire.UpdateMid("12345678"u8));
        Assert.True(Reparse(wire).TryReadMid(out mid));
        Assert.True(mid.SequenceEqual("12345678"u8));
        Assert.False(wire.UpdateMid("123456789"u8));
        Assert.False(wire.UpdateMid([]));
        Assert.True(wire.UpdateMid("ab"u8));
        Assert.True(Reparse(wire).TryReadMid(out mid));
        Assert.True(mid.SequenceEqual("ab"u8));
        // Other elements are untouched by the resizing.
        Assert.True(Reparse(wire).TryReadRid(out ReadOnlySpan<byte> rid) && rid.SequenceEqual("hi"u8));
    }

    [Fact]
    public void UpdateMid_OneByteForm()
    {
        RtpPacket p = Parse(Build(payload: [1]), 100, out _);
        var b = new ExtensionListBuilder(stackalloc ExtensionSpec[2], stackalloc byte[16]);
        b.Reserve(1, 8);
        b.Add(5, [0, 0]);
        Assert.True(b.Apply(p));
        p.ExtensionIds = HeaderExtensionIds.Internal;
        Assert.Equal(ExtensionForm.OneByte, p.ExtensionForm);
        Assert.True(p.UpdateMid("abc"u8));
        Assert.True(p.UpdateTransportWideCc01(0x0102));
        RtpPacket wire = Reparse(p);
        Assert.True(wire.TryReadMid(out ReadOnlySpan<byte> mid) && mid.SequenceEqual("abc"u8));
        Assert.True(wire.TryReadTransportWideCc01(out ushort seq) && seq == 0x0102);
        Assert.True(wire.UpdateMid("abcdefgh"u8));
        Assert.True(Reparse(wire).TryReadMid(out mid) && mid.SequenceEqual("abcdefgh"u8));
    }

    [Fact]
    public void UpdateMid_CannotGrowOverTheNextElement()
    {
        // MID "ab" directly followed by another element: no room to grow.
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: [0x11, (byte)'a', (byte)'b', 0x50, 0x07, 0, 0, 0]));
        p.ExtensionIds.Mid = 1;
        Assert.False(p.UpdateMid("abc"u8));
        Assert.True(p.UpdateMid("x"u8));
        Assert.True(p.UpdateMid("yz"u8)); // the byte it freed is padding again
        Assert.True(Reparse(p).TryGetExtension(5, out Span<byte> five) && five[0] == 0x07);
    }

    [Fact]
    public void UpdateAbsSendTime_And_TransportWideCc()
    {
        RtpPacket p = Everything(out _);
        Assert.True(p.UpdateAbsSendTime(1_500_000)); // 1.5 s
        Assert.True(p.TryReadAbsSendTime(out uint ast));
        Assert.Equal((uint)(1.5 * (1 << 18)), ast);
        Assert.True(p.UpdateAbsSendTimeRaw(0x1FFFFFF));
        Assert.True(p.TryReadAbsSendTime(out ast));
        Assert.Equal(0xFFFFFFu, ast);
        Assert.True(p.UpdateTransportWideCc01(65535));
        RtpPacket wire = Reparse(p);
        Assert.True(wire.TryReadTransportWideCc01(out ushort wide));
        Assert.Equal(65535, wide);
        Assert.True(p.UpdateAbsCaptureTimeClockOffset(-1234));
        Assert.True(Reparse(p).TryReadAbsCaptureTime(out ulong ts, out long offset));
        Assert.Equal(0x0102030405060708ul, ts);
        Assert.Equal(-1234, offset);
    }

    [Fact]
    public void AbsCaptureTime_ShortForm()
    {
        RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: [0xA7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]));
        p.ExtensionIds.AbsCaptureTime = 10;
        Assert.True(p.TryReadAbsCaptureTime(out ulong ts, out long offset));
        Assert.Equal(0x0000000100000002ul, ts);
        Assert.Equal(0, offset);
        Assert.False(p.UpdateAbsCaptureTimeClockOffset(5)); // no room for an offset in the 8-byte form
    }

    [Fact]
    public void VideoOrientation_RotationsAreCounterClockwise()
    {
        ushort[] expected = [0, 90, 180, 270];
        for (byte r = 0; r < 4; r++)
        {
            RtpPacket p = Parse(Build(extensionProfile: 0xBEDE, extensionValue: [0x30, r, 0, 0]));
            p.ExtensionIds.VideoOrientation = 3;
            Assert.True(p.TryReadVideoOrientation(out bool camera, out bool flip, out ushort rotation));
            Assert.False(camera);
            Assert.False(flip);
            Assert.Equal(expected[r], rotation);
        }
    }

    [Theory]
    [InlineData(0L, 0u)]
    [InlineData(1_000_000L, 1u << 18)]
    [InlineData(64_000_000L, 0u)] // wraps every 64 s
    [InlineData(-1_000_000L, 63u << 18)]
    [InlineData(63_999_999L, 0u)] // rounds to the next period start
    public void AbsSendTime_Conversion(long us, uint expected)
    {
        Assert.Equal(expected, AbsSendTime.FromMicroseconds(us));
    }

    [Fact]
    public void AbsSendTime_RoundTripWithinResolution()
    {
        for (long us = 0; us < 64_000_000; us += 987_654)
        {
            long back = AbsSendTime.ToMicroseconds(AbsSendTime.FromMicroseconds(us));
            Assert.InRange(back - us, -4, 4); // 1/2^18 s is ~3.8 us
        }
    }
}
