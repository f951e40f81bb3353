using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Xunit;
using static Mediasoup.Tests.Rtp.RtpTestPackets;

namespace Mediasoup.Tests.Codecs;

public sealed class Vp8PayloadDescriptorTests
{
    [Fact]
    public void Parse_AllFields_FifteenBitPictureId()
    {
        // X=1 N=1 S=1 PID=0 | I L T K | M=1 picture id 0x1234 | TL0PICIDX 0x56 | TID=2 Y=1 KEYIDX=5 | VP8 header P=0
        byte[] payload = [0xB0, 0xF0, 0x92, 0x34, 0x56, 0xA5, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A];
        Assert.True(Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d));
        Assert.True(d.Extended);
        Assert.True(d.NonReference);
        Assert.True(d.StartOfPartition);
        Assert.Equal(0, d.PartitionIndex);
        Assert.True(d.HasPictureId && d.HasTl0PicIdx && d.HasTid && d.HasKeyIdx);
        Assert.Equal(15, d.PictureIdBits);
        Assert.Equal(0x1234, d.PictureId);
        Assert.Equal(0x56, d.Tl0PicIdx);
        Assert.Equal(2, d.TemporalLayer);
        Assert.True(d.LayerSync);
        Assert.Equal(5, d.KeyIdx);
        Assert.Equal(6, d.Length);
        Assert.Equal(2, d.PictureIdOffset);
        Assert.Equal(4, d.Tl0PicIdxOffset);
        Assert.True(d.IsKeyFrame);
        Assert.True(Codec.IsKeyFrame(CodecKind.Vp8, payload));
    }

    [Fact]
    public void Parse_SevenBitPictureId_NotKeyFrame()
    {
        // X=1 S=1 | I | picture id 0x12 | VP8 header P=1 (inter frame)
        byte[] payload = [0x90, 0x80, 0x12, 0x01, 0xAA];
        Assert.True(Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d));
        Assert.Equal(7, d.PictureIdBits);
        Assert.Equal(0x12, d.PictureId);
        Assert.False(d.HasTl0PicIdx);
        Assert.Equal(3, d.Length);
        Assert.False(d.IsKeyFrame);
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0x00 }, true)] // minimal descriptor, S=1, PID=0, P=0
    [InlineData(new byte[] { 0x00, 0x00 }, false)] // not a partition start
    [InlineData(new byte[] { 0x11, 0x00 }, false)] // partition 1
    [InlineData(new byte[] { 0x10 }, false)] // descriptor only, no VP8 header
    [InlineData(new byte[] { 0x90, 0x20, 0x00, 0x00 }, true)] // T only: TID octet then header
    [InlineData(new byte[] { 0x90, 0x10, 0x1F, 0x00 }, true)] // K only: KEYIDX octet
    public void KeyFrameDetection(byte[] payload, bool keyFrame)
    {
        Assert.True(Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d));
        Assert.Equal(keyFrame, d.IsKeyFrame);
        Assert.Equal(keyFrame, Vp8PayloadDescriptor.IsKeyFramePayload(payload));
    }

    [Fact]
    public void TidIsIgnoredWithoutT()
    {
        // K=1 T=0: the shared octet's TID bits mean nothing (RFC 7741 4.2).
        Assert.True(Vp8PayloadDescriptor.TryParse([0x90, 0x10, 0xE3, 0x00], out Vp8PayloadDescriptor d));
        Assert.Equal(0, d.TemporalLayer);
        Assert.False(d.LayerSync);
        Assert.Equal(3, d.KeyIdx);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })] // X without the extension octet
    [InlineData(new byte[] { 0x80, 0x80 })] // I without picture id
    [InlineData(new byte[] { 0x80, 0x80, 0x80 })] // M without second picture id octet
    [InlineData(new byte[] { 0x80, 0x40 })] // L without TL0PICIDX
    [InlineData(new byte[] { 0x80, 0x20 })] // T without TID octet
    public void Parse_RejectsTruncated(byte[] payload)
    {
        Assert.False(Vp8PayloadDescriptor.TryParse(payload, out _));
        Assert.False(Codec.IsKeyFrame(CodecKind.Vp8, payload));
    }

    [Fact]
    public void Rewrite_InPlace()
    {
        byte[] payload = [0x90, 0xE0, 0x92, 0x34, 0x56, 0x40, 0x01];
        Assert.True(Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d));
        Assert.True(d.Rewrite(payload, 0x7FFF, 0x99));
        Assert.True(Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor after));
        Assert.Equal(0x7FFF, after.PictureId);
        Assert.Equal(0x99, after.Tl0PicIdx);
        Assert.Equal(1, after.TemporalLayer);

        byte[] seven = [0x90, 0xC0, 0x12, 0x56, 0x01];
        Assert.True(Vp8PayloadDescriptor.TryParse(seven, out d));
        Assert.True(d.Rewrite(seven, 0x1FF, 7)); // keeps 7 bits
        Assert.Equal(new byte[] { 0x90, 0xC0, 0x7F, 0x07, 0x01 }, seven);
        Assert.False(d.Rewrite(seven.AsSpan(0, 3), 1, 1));
    }

    [Fact]
    public void WidenPictureId_OpensOneByteInThePacket()
    {
        byte[] vp8 = [0x90, 0xC0, 0x12, 0x56, 0x01, 0xAB, 0xCD];
        RtpPacket p = Parse(Build(payload: vp8, padding: 2), 64, out _);
        Assert.True(Vp8PayloadDescriptor.TryParse(p.Payload, out Vp8PayloadDescriptor d));
        Assert.True(Vp8PayloadDescriptor.WidenPictureId(p, ref d));
        Assert.Equal(new byte[] { 0x90, 0xC0, 0x80, 0x12, 0x56, 0x01, 0xAB, 0xCD }, p.Payload.ToArray());
        Assert.Equal(15, d.PictureIdBits);
        Assert.Equal(4, d.Tl0PicIdxOffset);
        Assert.Equal(5, d.Length);
        Assert.True(Vp8PayloadDescriptor.TryParse(p.Payload, out Vp8PayloadDescriptor again));
        Assert.Equal(0x12, again.PictureId);
        Assert.Equal(0x56, again.Tl0PicIdx);
        Assert.Equal(d.Tl0PicIdxOffset, again.Tl0PicIdxOffset);
        Assert.False(Vp8PayloadDescriptor.WidenPictureId(p, ref d)); // already 15 bits

        // No room left in the buffer: refused, packet untouched.
        byte[] bytes = Build(payload: vp8);
        p = Parse(bytes, bytes.Length, out _);
        Assert.True(Vp8PayloadDescriptor.TryParse(p.Payload, out d));
        Assert.False(Vp8PayloadDescriptor.WidenPictureId(p, ref d));
        Assert.Equal(bytes, p.Data.ToArray());
    }
}
