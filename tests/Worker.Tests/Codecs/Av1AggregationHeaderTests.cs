using Mediasoup.Codecs;
using Xunit;

namespace Mediasoup.Tests.Codecs;

public sealed class Av1AggregationHeaderTests
{
    // OBU headers: forbidden(1) type(4) extension(1) has_size(1) reserved(1).
    private const byte SequenceHeader = 1 << 3;            // 0x08
    private const byte Frame = 6 << 3;                     // 0x30
    private const byte FrameWithExtension = (6 << 3) | 4;  // 0x34

    [Fact]
    public void KeyFrame_W1_SequenceHeaderFirst()
    {
        // Z=0 Y=0 W=1 N=1 | sequence header OBU + 3 bytes of it
        byte[] payload = [0x18, SequenceHeader, 0x00, 0x00, 0x0A];
        Assert.True(Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader h));
        Assert.False(h.ContinuesObu);
        Assert.False(h.ObuContinues);
        Assert.Equal(1, h.ObuCount);
        Assert.True(h.StartsCodedVideoSequence);
        Assert.True(h.HasFirstObu);
        Assert.Equal(Av1AggregationHeader.ObuSequenceHeader, h.FirstObuType);
        Assert.False(h.FirstObuHasExtension);
        Assert.True(h.IsKeyFrame);
        Assert.True(Codec.IsKeyFrame(CodecKind.Av1, payload));
        Assert.True(Codec.CanBeKeyFrame(CodecKind.Av1));
    }

    [Fact]
    public void KeyFrame_W2_LengthPrefixedFirstElement()
    {
        // Z=0 Y=1 W=2 N=1 | length 3 | sequence header (3 bytes) | frame OBU (rest, no length)
        byte[] payload = [0x68, 0x03, SequenceHeader, 0x00, 0x00, Frame, 0x10, 0x20];
        Assert.True(Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader h));
        Assert.True(h.ObuContinues);
        Assert.Equal(2, h.ObuCount);
        Assert.True(h.IsKeyFrame);
    }

    [Fact]
    public void KeyFrame_W0_TwoByteLeb128Length()
    {
        // W=0 N=1 | leb128 length 130 = 0x82 0x01 | sequence header + 129 bytes
        var payload = new byte[3 + 130];
        payload[0] = 0x08;
        payload[1] = 0x82;
        payload[2] = 0x01;
        payload[3] = SequenceHeader;
        Assert.True(Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader h));
        Assert.Equal(0, h.ObuCount);
        Assert.True(h.IsKeyFrame);
        // One byte short of the announced length: malformed.
        Assert.False(Av1AggregationHeader.TryParse(payload.AsSpan(0, payload.Length - 1), out _));
    }

    [Fact]
    public void DeltaFrame_WithExtension_ReadsLayerIds()
    {
        // Z=0 Y=0 W=1 N=0 | frame OBU with extension: temporal_id 2, spatial_id 1
        byte[] payload = [0x10, FrameWithExtension, (2 << 5) | (1 << 3), 0xAA];
        Assert.True(Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader h));
        Assert.False(h.StartsCodedVideoSequence);
        Assert.Equal(Av1AggregationHeader.ObuFrame, h.FirstObuType);
        Assert.True(h.FirstObuHasExtension);
        Assert.Equal(2, h.TemporalId);
        Assert.Equal(1, h.SpatialId);
        Assert.False(h.IsKeyFrame);
        Assert.False(Codec.IsKeyFrame(CodecKind.Av1, payload));
    }

    [Theory]
    [InlineData(new byte[] { 0x10, Frame, 0x00 })]            // N=0
    [InlineData(new byte[] { 0x18, Frame, 0x00 })]            // N=1 but a frame OBU first
    [InlineData(new byte[] { 0x90, 0x12, 0x34 })]             // Z=1: continuation, no OBU header here
    [InlineData(new byte[] { 0x18 })]                         // N=1, no OBU at all
    public void NotKeyFrame(byte[] payload)
    {
        Assert.True(Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader h));
        Assert.False(h.IsKeyFrame);
        Assert.Equal(payload[0] >= 0x80 || payload.Length == 1 ? false : true, h.HasFirstObu);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x98, SequenceHeader })]            // N=1 with Z=1
    [InlineData(new byte[] { 0x08, 0x80 })]                      // leb128 cut short
    [InlineData(new byte[] { 0x08, 0x05, SequenceHeader })]      // length past the payload
    [InlineData(new byte[] { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 })] // leb128 over 8 bytes
    [InlineData(new byte[] { 0x18, 0x80 | SequenceHeader })]     // forbidden bit
    [InlineData(new byte[] { 0x10, FrameWithExtension })]        // extension byte missing
    public void Malformed_Rejected(byte[] payload)
    {
        Assert.False(Av1AggregationHeader.TryParse(payload, out _));
        Assert.False(Codec.IsKeyFrame(CodecKind.Av1, payload));
    }

    [Fact]
    public void Leb128_ValuesAndLimits()
    {
        int offset = 0;
        Assert.True(Av1AggregationHeader.TryReadLeb128([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], ref offset, out ulong v));
        Assert.Equal(uint.MaxValue, v);
        Assert.Equal(5, offset);
        offset = 0;
        Assert.False(Av1AggregationHeader.TryReadLeb128([0x80, 0x80, 0x80, 0x80, 0x10], ref offset, out _)); // 2^32
        offset = 0;
        Assert.True(Av1AggregationHeader.TryReadLeb128([0x00], ref offset, out v));
        Assert.Equal(0ul, v);
    }

    [Fact]
    public void Fuzz_RandomAndTruncated_NeverThrow()
    {
        var rng = new Random(11);
        int keys = 0;
        for (int i = 0; i < 20000; i++)
        {
            var payload = new byte[rng.Next(0, 40)];
            rng.NextBytes(payload);
            for (int cut = 0; cut <= payload.Length; cut += 1 + cut / 4)
            {
                if (Av1AggregationHeader.TryParse(payload.AsSpan(0, cut), out Av1AggregationHeader h))
                {
                    Assert.False(h.IsKeyFrame && (h.ContinuesObu || !h.HasFirstObu));
                    keys += h.IsKeyFrame ? 1 : 0;
                }
            }
        }
        Assert.True(keys > 0);
    }
}
