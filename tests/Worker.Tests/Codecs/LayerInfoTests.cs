using Mediasoup.Codecs;
using Xunit;

namespace Mediasoup.Tests.Codecs;

public sealed class LayerInfoTests
{
    [Fact]
    public void Vp8_TemporalLayerAndLayerSync()
    {
        // X=1 S=1 PID=0 | T=1 | TID=2 Y=1 | VP8 header P=1 (inter)
        byte[] payload = [0x90, 0x20, 0xA0, 0x01];
        Assert.True(LayerInfo.FromVp8(payload, marker: true, out LayerInfo info));
        Assert.Equal(0, info.SpatialLayer);
        Assert.Equal(2, info.TemporalLayer);
        Assert.True(info.HasLayers);
        Assert.True(info.LayerSync);
        Assert.False(info.IsKeyFrame);
        Assert.True(info.StartOfFrame);
        Assert.True(info.EndOfFrame);
        Assert.True(info.IsSwitchPointFor(0, 2));
        Assert.False(info.IsSwitchPointFor(0, 1));
        Assert.False(info.IsSwitchPointFor(1, 2));

        // TID=1 without Y, not the frame start, no marker.
        Assert.True(LayerInfo.TryRead(CodecKind.Vp8, [0x80, 0x20, 0x40, 0x01], false, default, null, out info));
        Assert.Equal(1, info.TemporalLayer);
        Assert.False(info.LayerSync);
        Assert.False(info.StartOfFrame);
        Assert.False(info.EndOfFrame);
        Assert.False(info.IsSwitchPointFor(0, 1));

        // Key frame without T: layers unknown (0), every target reachable.
        Assert.True(LayerInfo.FromVp8([0x10, 0x00], false, out info));
        Assert.False(info.HasLayers);
        Assert.True(info.IsKeyFrame);
        Assert.True(info.IsSwitchPointFor(0, 2));

        Assert.False(LayerInfo.FromVp8([0x80], false, out _));
    }

    [Theory]
    // first octet, layer octet (TID U SID D), spatial, temporal, key, switch targets that hold, ones that do not
    // SID0 TID2 U=1 B=1 P=1: temporal raise to 2 at the picture's base layer.
    [InlineData(0xE8, 0x50, 0, 2, false, "0,2;1,2", "0,1;1,1")]
    // SID1 TID0 D=1 B=1 P=0: spatial raise to 1 for any temporal target >= 0.
    [InlineData(0xA8, 0x03, 1, 0, false, "1,0;1,2", "2,0;0,0")]
    // SID1 TID2 U=1 B=1 P=1: U on an upper layer frame is not where the picture starts.
    [InlineData(0xE8, 0x53, 1, 2, false, "", "1,2;0,2")]
    // SID0 TID0 B=1 P=0: key frame, anything.
    [InlineData(0xA8, 0x00, 0, 0, true, "0,0;2,2", "")]
    // B=0: never.
    [InlineData(0xA0, 0x50, 0, 2, false, "", "0,2")]
    public void Vp9_LayersAndSwitchPoints(int first, int layers, int spatial, int temporal, bool key, string yes, string no)
    {
        byte[] payload = [(byte)first, 0x05, (byte)layers, 0x00, 0x00];
        Assert.True(LayerInfo.TryRead(CodecKind.Vp9, payload, false, default, null, out LayerInfo info));
        Assert.Equal(spatial, info.SpatialLayer);
        Assert.Equal(temporal, info.TemporalLayer);
        Assert.Equal(key, info.IsKeyFrame);
        Assert.True(info.HasLayers);
        foreach ((int s, int t) in Pairs(yes))
            Assert.True(info.IsSwitchPointFor(s, t), $"{s},{t}");
        foreach ((int s, int t) in Pairs(no))
            Assert.False(info.IsSwitchPointFor(s, t), $"{s},{t}");
    }

    [Fact]
    public void Vp9_EndOfFrameIsTheEBit()
    {
        Assert.True(LayerInfo.FromVp9([0x04], out LayerInfo info));
        Assert.True(info.EndOfFrame);
        Assert.False(info.StartOfFrame);
        Assert.False(info.HasLayers);
    }

    [Fact]
    public void DependencyDescriptor_L1T3_SwitchIndications()
    {
        var ctx = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L1T3() }.Build(0);
        Assert.True(LayerInfo.TryRead(CodecKind.Av1, [0x10, 0x30], false, key, ctx, out LayerInfo info));
        Assert.True(info.IsKeyFrame);
        Assert.True(info.StartOfFrame);
        Assert.False(info.EndOfFrame);
        Assert.True(info.HasLayers);
        Assert.True(info.IsSwitchPointFor(0, 2));

        // T0 delta (template 1, "SSS"): a switch into every decode target.
        Assert.True(LayerInfo.FromDependencyDescriptor(ctx, new DdPacket(true, true, 1, 5).Build(3), out info, out DependencyDescriptor d));
        Assert.Equal(5, d.FrameNumber);
        Assert.Equal(0, info.TemporalLayer);
        Assert.False(info.IsKeyFrame);
        Assert.True(info.EndOfFrame);
        Assert.True(info.LayerSync);
        Assert.True(info.IsSwitchPointFor(0, 1));
        Assert.True(info.IsSwitchPointFor(0, 2));
        Assert.False(info.IsSwitchPointFor(1, 0)); // no such decode target

        // T1 (template 2, "SD-"): Switch for 30 fps (0,2), Discardable for its own 15 fps target.
        Assert.True(LayerInfo.TryRead(CodecKind.H264, [0x41, 0x9A], true, new DdPacket(true, true, 2, 6).Build(3), ctx, out info));
        Assert.Equal(1, info.TemporalLayer);
        Assert.False(info.LayerSync);
        Assert.False(info.IsSwitchPointFor(0, 1));
        Assert.True(info.IsSwitchPointFor(0, 2));

        // An unresolvable descriptor is reported, not guessed.
        Assert.False(LayerInfo.TryRead(CodecKind.Av1, [0x10, 0x30], false, new DdPacket(true, true, 9, 7).Build(3), ctx, out _));
        Assert.False(LayerInfo.TryRead(CodecKind.Av1, [0x18, 0x08], false, [0xC3, 0x00, 0x01], new DependencyDescriptorContext(), out _));
    }

    [Fact]
    public void Av1AndH264_WithoutDescriptor_KeyFramesOnly()
    {
        Assert.True(LayerInfo.TryRead(CodecKind.Av1, [0x18, 0x08, 0x00], true, default, new DependencyDescriptorContext(), out LayerInfo info));
        Assert.True(info.IsKeyFrame);
        Assert.True(info.StartOfFrame);
        Assert.True(info.EndOfFrame);
        Assert.False(info.HasLayers);
        Assert.True(LayerInfo.TryRead(CodecKind.Av1, [0x10, 0x34, 0x48, 0x00], false, default, null, out info));
        Assert.False(info.IsKeyFrame);
        Assert.Equal(0, info.TemporalLayer); // OBU extension ids are not trusted for continuation packets
        Assert.False(info.IsSwitchPointFor(0, 0));
        Assert.False(LayerInfo.TryRead(CodecKind.Av1, [], false, default, null, out _));

        Assert.True(LayerInfo.TryRead(CodecKind.H264, [0x67, 0x42], false, default, null, out info));
        Assert.True(info.IsKeyFrame);
        Assert.True(LayerInfo.TryRead(CodecKind.H264, [0x41, 0x9A], true, default, null, out info));
        Assert.False(info.IsKeyFrame);
        Assert.True(info.EndOfFrame);
        Assert.False(LayerInfo.FromH264([], false, out _));
    }

    [Theory]
    [InlineData((int)CodecKind.Opus)]
    [InlineData((int)CodecKind.MultiOpus)]
    [InlineData((int)CodecKind.Other)]
    public void Audio_AndOther_AllZero(int kind)
    {
        Assert.True(LayerInfo.TryRead((CodecKind)kind, [0x78, 0x01], true, [0xC3, 0, 0], new DependencyDescriptorContext(), out LayerInfo info));
        Assert.Equal(default, info);
    }

    [Fact]
    public void Fuzz_EveryCodec_NeverThrows()
    {
        var rng = new Random(3);
        var ctx = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L3T3() }.Build(0);
        CodecKind[] kinds = Enum.GetValues<CodecKind>();
        for (int i = 0; i < 20000; i++)
        {
            if (i % 500 == 0)
                ctx.TryParse(key, out _);
            var payload = new byte[rng.Next(0, 24)];
            rng.NextBytes(payload);
            var dd = new byte[rng.Next(3) == 0 ? 0 : rng.Next(0, 12)];
            rng.NextBytes(dd);
            CodecKind kind = kinds[rng.Next(kinds.Length)];
            if (LayerInfo.TryRead(kind, payload, rng.Next(2) == 0, dd, rng.Next(4) == 0 ? null : ctx, out LayerInfo info))
            {
                for (int s = 0; s < 4; s++)
                    for (int t = 0; t < 4; t++)
                        info.IsSwitchPointFor(s, t);
            }
        }
    }

    [Fact]
    public void PerPacket_AllocatesNothing()
    {
        var ctx = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L3T3() }.Build(0);
        byte[] delta = new DdPacket(true, true, 12, 2).Build(9);
        byte[] vp8 = [0x90, 0x20, 0xA0, 0x01];
        byte[] vp9 = [0xE8, 0x05, 0x50, 0x00, 0x00];
        int sum = 0;
        long allocated = AllocationProbe.Measure(i =>
        {
            LayerInfo.TryRead(CodecKind.Av1, vp8, false, i % 100 == 0 ? key : delta, ctx, out LayerInfo a);
            LayerInfo.TryRead(CodecKind.Vp8, vp8, false, default, null, out LayerInfo b);
            LayerInfo.TryRead(CodecKind.Vp9, vp9, false, default, null, out LayerInfo c);
            sum += a.SpatialLayer + b.TemporalLayer + c.TemporalLayer + (a.IsSwitchPointFor(2, 1) ? 1 : 0);
        });
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }

    private static IEnumerable<(int, int)> Pairs(string list) =>
        list.Length == 0 ? [] : list.Split(';').Select(p => p.Split(',')).Select(p => (int.Parse(p[0]), int.Parse(p[1])));
}
