using Mediasoup.Codecs;
using Xunit;

namespace Mediasoup.Tests.Codecs;

public sealed class Vp9PayloadDescriptorTests
{
    // I=1 P=1 L=1 F=1 B=1 E=0 V=0 Z=1 | M=1 picture id 0x0123 | TID=1 U=1 SID=2 D=1
    // | P_DIFF 5 N=1 | P_DIFF 10 N=1 | P_DIFF 127 N=0 | frame data
    private static readonly byte[] Flexible = [0xF9, 0x81, 0x23, 0x35, 0x0B, 0x15, 0xFE, 0xAA];

    // I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0 | picture id 0x12 (7 bits) | TID=0 U=0 SID=0 D=0 | TL0PICIDX 0x33
    // | SS: N_S=2 Y=1 G=1 | 320x180 640x360 1280x720 | N_G=4
    // | TID0 U0 R1 [4] | TID2 U1 R1 [1] | TID1 U1 R1 [2] | TID2 U1 R2 [1 3] | frame data
    private static readonly byte[] KeyWithSs =
    [
        0xAA, 0x12, 0x00, 0x33,
        0x58, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01, 0x68, 0x05, 0x00, 0x02, 0xD0,
        0x04, 0x04, 0x04, 0x54, 0x01, 0x34, 0x02, 0x58, 0x01, 0x03,
        0x80, 0x49,
    ];

    [Fact]
    public void Flexible_ThreeReferenceIndices_EveryField()
    {
        Assert.True(Vp9PayloadDescriptor.TryParse(Flexible, out Vp9PayloadDescriptor d));
        Assert.True(d.HasPictureId && d.InterPicturePredicted && d.HasLayerIndices && d.FlexibleMode);
        Assert.True(d.StartOfFrame);
        Assert.False(d.EndOfFrame);
        Assert.False(d.HasScalabilityStructure);
        Assert.True(d.NotUpperLayerReference);
        Assert.Equal(15, d.PictureIdBits);
        Assert.Equal(0x0123, d.PictureId);
        Assert.Equal(1, d.PictureIdOffset);
        Assert.Equal(1, d.TemporalLayer);
        Assert.True(d.SwitchingUpPoint);
        Assert.Equal(2, d.SpatialLayer);
        Assert.True(d.InterLayerDependency);
        Assert.False(d.HasTl0PicIdx);
        Assert.Equal(0, d.Tl0PicIdxOffset);
        Assert.Equal(3, d.ReferenceCount);
        Assert.Equal(5, d.GetReferenceDiff(0));
        Assert.Equal(10, d.GetReferenceDiff(1));
        Assert.Equal(127, d.GetReferenceDiff(2));
        Assert.Equal(0, d.GetReferenceDiff(3));
        Assert.Equal(7, d.Length);
        Assert.False(d.IsKeyFrame);
        Assert.True(d.IsTemporalSwitchingPoint);
        Assert.False(d.IsSpatialSwitchingPoint); // P = 1
    }

    [Fact]
    public void Flexible_OneReference_AndNoneWithoutP()
    {
        // I=1 P=1 L=0 F=1 B=0 E=1 | picture id 0x05 | P_DIFF 1 N=0 | data
        Assert.True(Vp9PayloadDescriptor.TryParse([0xD4, 0x05, 0x02, 0x00], out Vp9PayloadDescriptor d));
        Assert.Equal(1, d.ReferenceCount);
        Assert.Equal(1, d.GetReferenceDiff(0));
        Assert.Equal(0, d.GetReferenceDiff(1));
        Assert.True(d.EndOfFrame);
        Assert.Equal(3, d.Length);
        // P = 0: no reference indices even in flexible mode; the next byte is frame data.
        Assert.True(Vp9PayloadDescriptor.TryParse([0x98, 0x05, 0x03], out d));
        Assert.Equal(0, d.ReferenceCount);
        Assert.Equal(2, d.Length);
        Assert.True(d.IsKeyFrame);
    }

    [Theory]
    [InlineData(new byte[] { 0xD0, 0x05, 0x03, 0x03, 0x03, 0x02 })] // N set on the third P_DIFF: a fourth
    [InlineData(new byte[] { 0xD0, 0x05, 0x03 })]                   // N = 1 but nothing follows
    [InlineData(new byte[] { 0xD0, 0x05 })]                         // P_DIFF missing
    [InlineData(new byte[] { 0x02 })]                               // V without SS
    [InlineData(new byte[] { 0x02, 0x10, 0x01, 0x40, 0x00 })]       // Y: resolution cut short
    [InlineData(new byte[] { 0x02, 0x08 })]                         // G: N_G missing
    [InlineData(new byte[] { 0x02, 0x08, 0x02, 0x04, 0x04 })]       // G: second picture missing
    [InlineData(new byte[] { 0x02, 0x08, 0x01, 0x08, 0x04 })]       // G: R = 2 but one P_DIFF
    public void Malformed_Rejected(byte[] payload)
    {
        Assert.False(Vp9PayloadDescriptor.TryParse(payload, out _));
        Assert.False(Codec.IsKeyFrame(CodecKind.Vp9, payload));
    }

    [Fact]
    public void NonFlexible_KeyFrameWithScalabilityStructure()
    {
        Assert.True(Vp9PayloadDescriptor.TryParse(KeyWithSs, out Vp9PayloadDescriptor d));
        Assert.True(d.IsKeyFrame);
        Assert.True(d.IsSpatialSwitchingPoint);
        Assert.True(d.IsTemporalSwitchingPoint);
        Assert.Equal(7, d.PictureIdBits);
        Assert.Equal(0x12, d.PictureId);
        Assert.Equal(0x33, d.Tl0PicIdx);
        Assert.Equal(3, d.Tl0PicIdxOffset);
        Assert.True(d.HasScalabilityStructure);
        Assert.Equal(4, d.SsOffset);
        Assert.Equal(23, d.SsLength);
        Assert.Equal(3, d.SsSpatialLayers);
        Assert.True(d.SsHasResolutions);
        Assert.True(d.SsHasPictureGroup);
        Assert.Equal(4, d.SsPictureGroupSize);
        Assert.Equal(27, d.Length);
        Assert.True(d.TryGetResolution(KeyWithSs, 2, out int w, out int h));
        Assert.Equal((1280, 720), (w, h));
        Assert.False(d.TryGetResolution(KeyWithSs, 3, out _, out _));

        var ss = new Vp9ScalabilityStructure();
        Assert.False(ss.IsKnown);
        Assert.True(ss.TryRead(KeyWithSs, d));
        Assert.True(ss.IsKnown);
        Assert.Equal(3, ss.SpatialLayers);
        Assert.True(ss.HasResolutions);
        Assert.Equal([320, 640, 1280], new[] { ss.Width(0), ss.Width(1), ss.Width(2) });
        Assert.Equal([180, 360, 720], new[] { ss.Height(0), ss.Height(1), ss.Height(2) });
        Assert.True(ss.HasPictureGroup);
        Assert.Equal(4, ss.PictureGroupSize);
        Assert.Equal([0, 2, 1, 2], Enumerable.Range(0, 4).Select(i => (int)ss.PictureTemporalLayer(i)));
        Assert.Equal([false, true, true, true], Enumerable.Range(0, 4).Select(ss.PictureSwitchingUpPoint));
        Assert.Equal(new byte[] { 4 }, ss.PictureReferenceDiffs(0).ToArray());
        Assert.Equal(new byte[] { 1 }, ss.PictureReferenceDiffs(1).ToArray());
        Assert.Equal(new byte[] { 2 }, ss.PictureReferenceDiffs(2).ToArray());
        Assert.Equal(new byte[] { 1, 3 }, ss.PictureReferenceDiffs(3).ToArray());

        // A packet without SS leaves the structure alone.
        Assert.True(Vp9PayloadDescriptor.TryParse(Flexible, out Vp9PayloadDescriptor f));
        Assert.False(ss.TryRead(Flexible, f));
        Assert.True(ss.IsKnown);
        Assert.Equal(3, ss.SpatialLayers);
    }

    [Fact]
    public void ScalabilityStructure_WithoutResolutionsOrGroup()
    {
        // B=1 V=1 | SS: N_S=1 Y=0 G=0 | data
        Assert.True(Vp9PayloadDescriptor.TryParse([0x0A, 0x20, 0x99], out Vp9PayloadDescriptor d));
        Assert.Equal(2, d.SsSpatialLayers);
        Assert.Equal(1, d.SsLength);
        Assert.False(d.TryGetResolution([0x0A, 0x20, 0x99], 0, out _, out _));
        var ss = new Vp9ScalabilityStructure();
        Assert.True(ss.TryRead([0x0A, 0x20, 0x99], d));
        Assert.Equal(2, ss.SpatialLayers);
        Assert.False(ss.HasResolutions);
        Assert.Equal(0, ss.PictureGroupSize);
    }

    [Fact]
    public void Truncated_KeyWithSs_RejectedAtEveryLength()
    {
        for (int len = 0; len < 27; len++)
            Assert.False(Vp9PayloadDescriptor.TryParse(KeyWithSs.AsSpan(0, len), out _), $"length {len}");
        Assert.True(Vp9PayloadDescriptor.TryParse(KeyWithSs.AsSpan(0, 27), out _));
    }

    [Fact]
    public void Rewrite_PictureIdAndTl0PicIdx_InPlace()
    {
        byte[] key = (byte[])KeyWithSs.Clone();
        Assert.True(Vp9PayloadDescriptor.TryParse(key, out Vp9PayloadDescriptor d));
        Assert.True(d.Rewrite(key, 0x1FE, 0x44)); // 7-bit field keeps the low 7 bits
        Assert.Equal(0x7E, key[1]);
        Assert.Equal(0x44, key[3]);
        Assert.Equal(KeyWithSs.AsSpan(4).ToArray(), key.AsSpan(4).ToArray());

        byte[] flex = (byte[])Flexible.Clone();
        Assert.True(Vp9PayloadDescriptor.TryParse(flex, out d));
        Assert.True(d.Rewrite(flex, 0x7ABC, 0x44)); // no TL0PICIDX in flexible mode
        Assert.Equal(new byte[] { 0xF9, 0xFA, 0xBC, 0x35, 0x0B, 0x15, 0xFE, 0xAA }, flex);
        Assert.True(Vp9PayloadDescriptor.TryParse(flex, out Vp9PayloadDescriptor r));
        Assert.Equal(0x7ABC, r.PictureId);
        Assert.False(d.Rewrite(flex.AsSpan(0, 6), 1, 1));
    }

    [Theory]
    // TID=2 U=1, B=1, P=1: temporal up-switch possible, spatial not.
    [InlineData(0xE8, 0x50, true, false)]
    // same without B: neither (not the first packet of the frame)
    [InlineData(0xE0, 0x50, false, false)]
    // TID=2 U=0 P=1: neither
    [InlineData(0xE8, 0x40, false, false)]
    // SID=1 D=1 P=0 B=1: spatial switch (inter-layer prediction only); U=0 so no temporal one
    [InlineData(0xA8, 0x03, false, true)]
    public void SwitchingPoints(int first, int layers, bool temporal, bool spatial)
    {
        byte[] payload = [(byte)first, 0x05, (byte)layers, 0x00, 0x00];
        Assert.True(Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d));
        Assert.Equal(temporal, d.IsTemporalSwitchingPoint);
        Assert.Equal(spatial, d.IsSpatialSwitchingPoint);
    }

    [Fact]
    public void Fuzz_RandomAndTruncated_NeverThrow()
    {
        var rng = new Random(5);
        var ss = new Vp9ScalabilityStructure();
        int withSs = 0;
        for (int i = 0; i < 20000; i++)
        {
            var payload = new byte[rng.Next(0, 64)];
            rng.NextBytes(payload);
            if (rng.Next(2) == 0 && payload.Length > 0)
                payload[0] |= 0x02; // often V = 1
            for (int cut = 0; cut <= payload.Length; cut += 1 + cut / 3)
            {
                ReadOnlySpan<byte> p = payload.AsSpan(0, cut);
                if (!Vp9PayloadDescriptor.TryParse(p, out Vp9PayloadDescriptor d))
                    continue;
                Assert.True(d.Length <= cut);
                Assert.True(d.ReferenceCount <= 3);
                if (d.HasScalabilityStructure)
                {
                    withSs++;
                    Assert.True(ss.TryRead(p, d));
                    Assert.Equal(d.SsSpatialLayers, ss.SpatialLayers);
                    for (int s = 0; s < 9; s++)
                        d.TryGetResolution(p, s, out _, out _);
                }
                byte[] copy = p.ToArray();
                Assert.True(d.Rewrite(copy, (ushort)rng.Next(), (byte)rng.Next()));
                Assert.True(Vp9PayloadDescriptor.TryParse(copy, out Vp9PayloadDescriptor r));
                Assert.Equal(d.Length, r.Length);
            }
        }
        Assert.True(withSs > 100);
    }

    [Fact]
    public void ParseAndStructure_AllocateNothing()
    {
        var ss = new Vp9ScalabilityStructure();
        int sum = 0;
        long allocated = AllocationProbe.Measure(_ =>
        {
            Vp9PayloadDescriptor.TryParse(KeyWithSs, out Vp9PayloadDescriptor d);
            ss.TryRead(KeyWithSs, d);
            Vp9PayloadDescriptor.TryParse(Flexible, out d);
            sum += d.ReferenceCount + ss.SpatialLayers;
        });
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }
}
