using Mediasoup.Codecs;
using Xunit;

namespace Mediasoup.Tests.Codecs;

public sealed class DependencyDescriptorTests
{
    // ---------------------------------------------------------------- bit reading

    [Fact]
    public void BitReader_ReadsMsbFirstAcrossBytes()
    {
        var r = new BitReader([0b1011_0011, 0b0101_1100, 0xFF]);
        Assert.True(r.TryRead(1, out uint a));
        Assert.Equal(1u, a);
        Assert.True(r.TryRead(6, out uint b));
        Assert.Equal(0b011001u, b);
        Assert.True(r.TryRead(9, out uint c));
        Assert.Equal(0b1_0101_1100u, c);
        Assert.True(r.TryRead(0, out uint z));
        Assert.Equal(0u, z);
        Assert.False(r.TryRead(9, out _)); // 8 left
        Assert.Equal(16, r.Position);
        Assert.True(r.TryRead(8, out uint d));
        Assert.Equal(0xFFu, d);
        Assert.False(r.TryReadBit(out _));
        Assert.False(r.TryRead(33, out _));
    }

    [Theory]
    // The spec's ns(5) table: 0 -> 00, 1 -> 01, 2 -> 10, 3 -> 110, 4 -> 111.
    [InlineData(0b0000_0000, 0u, 2)]
    [InlineData(0b0100_0000, 1u, 2)]
    [InlineData(0b1000_0000, 2u, 2)]
    [InlineData(0b1100_0000, 3u, 3)]
    [InlineData(0b1110_0000, 4u, 3)]
    public void BitReader_NonSymmetricMatchesSpecTable(int firstByte, uint value, int bits)
    {
        var r = new BitReader([(byte)firstByte]);
        Assert.True(r.TryReadNonSymmetric(5, out uint v));
        Assert.Equal(value, v);
        Assert.Equal(bits, r.Position);
    }

    [Fact]
    public void BitReader_NonSymmetricOfOneReadsNothing_AndFailsCleanly()
    {
        var r = new BitReader([]);
        Assert.True(r.TryReadNonSymmetric(1, out uint v));
        Assert.Equal(0u, v);
        Assert.False(r.TryReadNonSymmetric(5, out _));
        // 110 needs a third bit: with 2 bits left the read fails and the position stays.
        var r2 = new BitReader([0xFF]);
        Assert.True(r2.TryRead(6, out _));
        Assert.False(r2.TryReadNonSymmetric(5, out _));
        Assert.Equal(6, r2.Position);
    }

    [Fact]
    public void BitWriter_WritesMsbFirst_ClearsAndCopiesUnaligned()
    {
        var buffer = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF };
        var w = new BitWriter(buffer.AsSpan(0, 3));
        Assert.True(w.TryWrite(3, 0b101));
        Assert.True(w.TryWrite(10, 0b11_0000_0001));
        Assert.Equal(13, w.Position);
        Assert.Equal(2, w.ByteLength);
        // Bytes entered are cleared first: the low 3 bits of byte 1 are zero padding.
        Assert.Equal(new byte[] { 0b1011_1000, 0b0000_1000, 0xFF, 0xFF }, buffer);
        Assert.False(w.TryWrite(12, 0)); // 11 bits of room left
        Assert.Equal(13, w.Position);
        Assert.True(w.TryCopy([0b0011_0110, 0b1000_0000], 2, 7)); // bits 2..8: 1101101
        Assert.Equal(20, w.Position);
        Assert.Equal(new byte[] { 0b1011_1000, 0b0000_1110, 0b1101_0000, 0xFF }, buffer);
        Assert.False(w.TryCopy([0x00], 4, 5)); // past the source
        Assert.False(w.TryCopy([0x00, 0x00], 0, 5)); // past the room
        Assert.True(w.TryCopy([0x00], 8, 0));
    }

    // ---------------------------------------------------------------- parsing

    [Fact]
    public void MandatoryOnly_HandBuiltBytes_RejectedBeforeStructure_ResolvedAfter()
    {
        var ctx = new DependencyDescriptorContext();
        // start=1 end=1 template id 3 | frame number 0x1234
        byte[] delta = [0xC3, 0x12, 0x34];
        Assert.False(ctx.TryParse(delta, out _));
        Assert.Null(ctx.Structure);

        Assert.True(ctx.TryParse(new DdPacket(true, false, 0, 0x1233) { Structure = DdStructure.L1T3() }.Build(0), out _));
        Assert.True(ctx.TryParse(delta, out DependencyDescriptor d));
        Assert.True(d.StartOfFrame);
        Assert.True(d.EndOfFrame);
        Assert.Equal(3, d.FrameDependencyTemplateId);
        Assert.Equal(0x1234, d.FrameNumber);
        Assert.False(d.HasExtendedFields);
        Assert.False(d.HasStructure);
        Assert.False(d.IsKeyFrame);
        Assert.Equal(3, d.TemplateIndex);
        Assert.Equal(0, d.SpatialId);
        Assert.Equal(2, d.TemporalId);
        Assert.Equal(DecodeTargetIndication.Discardable, d.GetDti(0));
        Assert.Equal(DecodeTargetIndication.NotPresent, d.GetDti(1));
        Assert.Equal(DecodeTargetIndication.NotPresent, d.GetDti(2));
        Assert.Equal(DecodeTargetIndication.NotPresent, d.GetDti(3)); // outside DtCnt
        Assert.Equal(new ushort[] { 1 }, ctx.FrameFdiffs.ToArray());
        Assert.Equal(new byte[] { 1 }, ctx.FrameChainFdiffs.ToArray());
        Assert.Equal(24, d.ConsumedBits);
    }

    [Fact]
    public void L1T3_KeyFrame_EveryStructureField()
    {
        var ctx = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 7, 100) { Structure = DdStructure.L1T3(offset: 7) }.Build(0);
        Assert.True(ctx.TryParse(key, out DependencyDescriptor d));
        Assert.True(d.StartOfFrame);
        Assert.False(d.EndOfFrame);
        Assert.Equal(7, d.FrameDependencyTemplateId);
        Assert.Equal(100, d.FrameNumber);
        Assert.True(d.HasExtendedFields);
        Assert.True(d.HasStructure);
        Assert.True(d.IsKeyFrame);
        Assert.False(d.HasActiveDecodeTargets);
        Assert.Equal(0b111u, d.ActiveDecodeTargets); // implicitly all (A.4)
        Assert.Equal(0, d.TemplateIndex);
        Assert.Equal(0, d.SpatialId);
        Assert.Equal(0, d.TemporalId);
        Assert.Equal(3, d.DecodeTargetCount);
        Assert.Equal(1, d.ChainCount);
        Assert.Equal(1, d.SpatialLayers);
        Assert.Equal(3, d.TemporalLayers);
        for (int dt = 0; dt < 3; dt++)
            Assert.Equal(DecodeTargetIndication.Switch, d.GetDti(dt));
        Assert.Empty(ctx.FrameFdiffs.ToArray());
        Assert.Equal(new byte[] { 0 }, ctx.FrameChainFdiffs.ToArray());
        Assert.Equal(key.Length * 8, (d.ConsumedBits + 7) / 8 * 8);

        DependencyStructure s = ctx.Structure!;
        Assert.Equal(7, s.TemplateIdOffset);
        Assert.Equal(5, s.TemplateCount);
        Assert.Equal(3, s.DecodeTargetCount);
        Assert.Equal(1, s.ChainCount);
        Assert.Equal(1, s.SpatialLayers);
        Assert.Equal(3, s.TemporalLayers);
        int[] temporal = [0, 0, 1, 2, 2];
        string[] dtis = ["SSS", "SSS", "SD-", "D--", "D--"];
        int[][] fdiffs = [[], [4], [2], [1], [1]];
        int[] chains = [0, 4, 2, 1, 3];
        for (int t = 0; t < 5; t++)
        {
            Assert.Equal(0, s.TemplateSpatialId(t));
            Assert.Equal(temporal[t], s.TemplateTemporalId(t));
            for (int dt = 0; dt < 3; dt++)
                Assert.Equal((ulong)DdStructure.Dti(dtis[t][dt]), (s.TemplateDtis(t) >> (2 * dt)) & 3);
            Assert.Equal(fdiffs[t].Select(x => (byte)x).ToArray(), s.TemplateFdiffs(t).ToArray());
            Assert.Equal(new[] { (byte)chains[t] }, s.TemplateChainFdiffs(t).ToArray());
        }
        // Decode targets 30 / 15 / 7.5 fps: temporal 2 / 1 / 0, all protected by chain 0.
        Assert.Equal([2, 1, 0], Enumerable.Range(0, 3).Select(dt => (int)s.DecodeTargetTemporalId(dt)));
        Assert.All(Enumerable.Range(0, 3), dt => Assert.Equal(0, s.DecodeTargetSpatialId(dt)));
        Assert.All(Enumerable.Range(0, 3), dt => Assert.Equal(0, s.DecodeTargetProtectedBy(dt)));
        Assert.True(s.TryGetResolution(0, out int w, out int h));
        Assert.Equal((640, 360), (w, h));
        Assert.False(s.TryGetResolution(1, out _, out _));
        Assert.Equal(0b100u, s.DecodeTargetsUpTo(0, 0));
        Assert.Equal(0b110u, s.DecodeTargetsUpTo(0, 1));
        Assert.Equal(0b111u, s.DecodeTargetsUpTo(0, 2));
        Assert.Equal(1, s.DecodeTargetOf(0, 1));
        Assert.Equal(-1, s.DecodeTargetOf(1, 0));

        // The 15 fps template (id 7 + 2): temporal 1, S D -, one fdiff of 2, chain fdiff 2.
        Assert.True(ctx.TryParse(new DdPacket(true, true, 9, 102).Build(3), out d));
        Assert.Equal(2, d.TemplateIndex);
        Assert.Equal(1, d.TemporalId);
        Assert.Equal(DecodeTargetIndication.Switch, d.GetDti(0));
        Assert.Equal(DecodeTargetIndication.Discardable, d.GetDti(1));
        Assert.Equal(DecodeTargetIndication.NotPresent, d.GetDti(2));
        Assert.True(d.IsPresentIn(1));
        Assert.False(d.IsPresentIn(2));
        Assert.Equal(new ushort[] { 2 }, ctx.FrameFdiffs.ToArray());
        Assert.Equal(new byte[] { 2 }, ctx.FrameChainFdiffs.ToArray());
        Assert.False(d.IsKeyFrame);
        Assert.Equal(0b111u, d.ActiveDecodeTargets);
    }

    [Fact]
    public void L3T3_FullSvc_LayersChainsAndResolutions()
    {
        var ctx = new DependencyDescriptorContext();
        Assert.True(ctx.TryParse(new DdPacket(true, false, 0, 5000) { Structure = DdStructure.L3T3() }.Build(0), out DependencyDescriptor d));
        Assert.Equal(9, d.DecodeTargetCount);
        Assert.Equal(3, d.ChainCount);
        Assert.Equal(3, d.SpatialLayers);
        Assert.Equal(3, d.TemporalLayers);
        Assert.Equal(0x1FFu, d.ActiveDecodeTargets);
        DependencyStructure s = ctx.Structure!;
        Assert.Equal(15, s.TemplateCount);
        // HD30 HD15 HD7.5 VGA30 VGA15 VGA7.5 QVGA30 QVGA15 QVGA7.5
        Assert.Equal([2, 2, 2, 1, 1, 1, 0, 0, 0], Enumerable.Range(0, 9).Select(dt => (int)s.DecodeTargetSpatialId(dt)));
        Assert.Equal([2, 1, 0, 2, 1, 0, 2, 1, 0], Enumerable.Range(0, 9).Select(dt => (int)s.DecodeTargetTemporalId(dt)));
        Assert.Equal([2, 2, 2, 1, 1, 1, 0, 0, 0], Enumerable.Range(0, 9).Select(dt => (int)s.DecodeTargetProtectedBy(dt)));
        Assert.Equal(0b1_1011_0000u, s.DecodeTargetsUpTo(1, 1)); // VGA15, VGA7.5, QVGA15, QVGA7.5
        Assert.Equal(4, s.DecodeTargetOf(1, 1));
        Assert.True(s.TryGetResolution(2, out int w, out int h));
        Assert.Equal((1280, 720), (w, h));
        Assert.True(s.TryGetResolution(0, out w, out h));
        Assert.Equal((320, 180), (w, h));

        // Template 12 (S2 T1): fdiffs 6,1; chains 8,7,6.
        Assert.True(ctx.TryParse(new DdPacket(true, true, 12, 5003).Build(9), out d));
        Assert.Equal(2, d.SpatialId);
        Assert.Equal(1, d.TemporalId);
        Assert.Equal(DecodeTargetIndication.Switch, d.GetDti(0));
        Assert.Equal(DecodeTargetIndication.Discardable, d.GetDti(1));
        Assert.Equal(new ushort[] { 6, 1 }, ctx.FrameFdiffs.ToArray());
        Assert.Equal(new byte[] { 8, 7, 6 }, ctx.FrameChainFdiffs.ToArray());
    }

    [Fact]
    public void CustomFields_AndActiveMask()
    {
        var ctx = new DependencyDescriptorContext();
        Assert.True(ctx.TryParse(new DdPacket(true, false, 0, 1) { Structure = DdStructure.L3T3() }.Build(0), out _));
        byte[] custom = new DdPacket(false, true, 5, 2)
        {
            ActiveMask = 0b1_1011_0000,
            CustomDtis = "RDS-RDS-R",
            CustomFdiffs = [(1, 0xA), (2, 0x7F), (3, 0xFFF)],
            CustomChains = [200, 0, 17],
        }.Build(9);
        Assert.True(ctx.TryParse(custom, out DependencyDescriptor d));
        Assert.False(d.StartOfFrame);
        Assert.True(d.EndOfFrame);
        Assert.Equal(2, d.FrameNumber);
        Assert.False(d.HasStructure);
        Assert.False(d.IsKeyFrame);
        Assert.True(d.HasActiveDecodeTargets);
        Assert.True(d.CustomDtis && d.CustomFdiffs && d.CustomChains);
        Assert.Equal(0b1_1011_0000u, d.ActiveDecodeTargets);
        Assert.Equal(0b1_1011_0000u, ctx.ActiveDecodeTargets);
        Assert.Equal(1, d.SpatialId); // template 5: S1 T0
        Assert.Equal(0, d.TemporalId);
        string expected = "RDS-RDS-R";
        for (int dt = 0; dt < 9; dt++)
            Assert.Equal((DecodeTargetIndication)DdStructure.Dti(expected[dt]), d.GetDti(dt));
        Assert.Equal(new ushort[] { 0xB, 0x80, 0x1000 }, ctx.FrameFdiffs.ToArray());
        Assert.Equal(3, d.FdiffCount);
        Assert.Equal(new byte[] { 200, 0, 17 }, ctx.FrameChainFdiffs.ToArray());
        Assert.Equal(24 + 5, d.ActiveDecodeTargetsBit);

        // The mask stays in force for later packets, until a new structure makes all active.
        Assert.True(ctx.TryParse(new DdPacket(true, true, 0, 3).Build(9), out d));
        Assert.False(d.HasActiveDecodeTargets);
        Assert.Equal(0b1_1011_0000u, d.ActiveDecodeTargets);
        Assert.True(ctx.TryParse(new DdPacket(true, false, 0, 4) { Structure = DdStructure.L3T3() }.Build(0), out d));
        Assert.Equal(0x1FFu, d.ActiveDecodeTargets);
    }

    [Fact]
    public void TemplateIdOffset_WrapsModulo64()
    {
        var ctx = new DependencyDescriptorContext();
        Assert.True(ctx.TryParse(new DdPacket(true, false, 62, 1) { Structure = DdStructure.L1T3(offset: 62) }.Build(0), out _));
        Assert.True(ctx.TryParse(new DdPacket(true, true, 1, 2).Build(3), out DependencyDescriptor d)); // index 3
        Assert.Equal(3, d.TemplateIndex);
        Assert.Equal(2, d.TemporalId);
        Assert.False(ctx.TryParse(new DdPacket(true, true, 3, 2).Build(3), out _)); // index 5 of 5
        Assert.False(ctx.TryParse(new DdPacket(true, true, 61, 2).Build(3), out _)); // index 63
    }

    [Fact]
    public void ZeroPadding_IsIgnored()
    {
        var ctx = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 0, 9) { Structure = DdStructure.L1T3(), Padding = 5 }.Build(0);
        Assert.True(ctx.TryParse(key, out DependencyDescriptor d));
        Assert.True(d.IsKeyFrame);
        Assert.True(d.ConsumedBits <= (key.Length - 5) * 8);
        Assert.True(ctx.TryParse(new DdPacket(true, true, 2, 10) { Padding = 2 }.Build(3), out d)); // extended by padding alone
        Assert.True(d.HasExtendedFields);
        Assert.Equal(1, d.TemporalId);
    }

    [Fact]
    public void Malformed_RejectedAndStructureKept()
    {
        var ctx = new DependencyDescriptorContext();
        Assert.False(ctx.TryParse([], out _));
        Assert.False(ctx.TryParse([0x80, 0x00], out _));
        Assert.False(ctx.TryParse(new byte[256], out _));
        byte[] l1t3 = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L1T3() }.Build(0);
        Assert.True(ctx.TryParse(l1t3, out _));
        DependencyStructure before = ctx.Structure!;

        // A new structure cut short, or one whose own frame's template id falls outside it.
        byte[] l3t3 = new DdPacket(true, false, 0, 2) { Structure = DdStructure.L3T3() }.Build(0);
        for (int len = 4; len < l3t3.Length - 1; len++)
            Assert.False(ctx.TryParse(l3t3.AsSpan(0, len), out _), $"prefix {len}");
        Assert.False(ctx.TryParse(new DdPacket(true, false, 20, 2) { Structure = DdStructure.L3T3() }.Build(0), out _));
        Assert.Same(before, ctx.Structure);
        Assert.Equal(5, ctx.Structure!.TemplateCount);

        // Custom fields that run out of bits: 9 DTIs cannot fit in a 4-byte descriptor.
        Assert.False(ctx.TryParse(new DdPacket(true, true, 0, 3) { CustomChains = [1] }.Build(3)[..4], out _));
        byte[] truncatedFdiffs = new DdPacket(true, true, 0, 3) { CustomFdiffs = [(3, 0xABC), (3, 0xABC)] }.Build(3);
        Assert.False(ctx.TryParse(truncatedFdiffs.AsSpan(0, truncatedFdiffs.Length - 1), out _));

        // Still resolving against L1T3.
        Assert.True(ctx.TryParse(new DdPacket(true, true, 3, 4).Build(3), out DependencyDescriptor d));
        Assert.Equal(2, d.TemporalId);
        Assert.Equal(0b111u, d.ActiveDecodeTargets);

        ctx.Reset();
        Assert.Null(ctx.Structure);
        Assert.False(ctx.TryParse(new DdPacket(true, true, 3, 4).Build(3), out _));
    }

    // ---------------------------------------------------------------- writing

    [Fact]
    public void Writer_MandatoryOnly_GrowsByFlagsAndMask_HandBuiltBytes()
    {
        var ctx = new DependencyDescriptorContext();
        Assert.True(ctx.TryParse(new DdPacket(true, false, 0, 1) { Structure = DdStructure.L1T3() }.Build(0), out _));
        byte[] delta = [0xC3, 0x12, 0x34];
        Assert.True(ctx.TryParse(delta, out DependencyDescriptor d));
        Assert.Equal(4, DependencyDescriptorWriter.GetLength(d));
        var dst = new byte[8];
        Array.Fill(dst, (byte)0xEE);
        Assert.Equal(4, DependencyDescriptorWriter.Write(delta, d, 0b011 | 0xF0, dst)); // bits above DtCnt dropped
        // Flags 0 1 0 0 0 then the 3-bit mask 011.
        Assert.Equal(new byte[] { 0xC3, 0x12, 0x34, 0b0100_0011 }, dst[..4]);
        Assert.Equal(-1, DependencyDescriptorWriter.Write(delta, d, 1, dst.AsSpan(0, 3)));

        Assert.True(ctx.TryParse(dst.AsSpan(0, 4), out DependencyDescriptor r));
        Assert.True(r.HasActiveDecodeTargets);
        Assert.Equal(0b011u, r.ActiveDecodeTargets);
        Assert.Equal(d.TemplateIndex, r.TemplateIndex);
        Assert.Equal(d.FrameNumber, r.FrameNumber);
        Assert.Equal(d.Dtis, r.Dtis);
    }

    [Fact]
    public void Writer_KeyFrameAndCustomFields_CopiedBitForBit()
    {
        var src = new DependencyDescriptorContext();
        var dst = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L3T3() }.Build(0);
        Assert.True(src.TryParse(key, out DependencyDescriptor d));
        var buffer = new byte[DependencyDescriptorContext.MaxLength];
        int len = DependencyDescriptorWriter.Write(key, d, 0b1_1011_0000, buffer);
        Assert.Equal(DependencyDescriptorWriter.GetLength(d), len);
        Assert.Equal((d.ConsumedBits + 9 + 7) / 8, len);
        Assert.True(dst.TryParse(buffer.AsSpan(0, len), out DependencyDescriptor r));
        Assert.True(r.IsKeyFrame);
        Assert.Equal(0b1_1011_0000u, r.ActiveDecodeTargets);
        AssertSameStructure(src.Structure!, dst.Structure!);

        // A packet that had a mask: replaced in place, same length; custom fields unchanged.
        byte[] custom = new DdPacket(false, true, 5, 2)
        {
            ActiveMask = 0x1FF,
            CustomDtis = "RDS-RDS-R",
            CustomFdiffs = [(1, 0xA), (3, 0xFFF)],
            CustomChains = [200, 0, 17],
        }.Build(9);
        Assert.True(src.TryParse(custom, out d));
        len = DependencyDescriptorWriter.Write(custom, d, 0b111, buffer);
        Assert.Equal(custom.Length, len);
        Assert.True(dst.TryParse(buffer.AsSpan(0, len), out r));
        Assert.Equal(0b111u, r.ActiveDecodeTargets);
        Assert.Equal(d.Dtis, r.Dtis);
        Assert.Equal(src.FrameFdiffs.ToArray(), dst.FrameFdiffs.ToArray());
        Assert.Equal(src.FrameChainFdiffs.ToArray(), dst.FrameChainFdiffs.ToArray());
        // Writing the original mask back gives the original bytes.
        Assert.Equal(custom.Length, DependencyDescriptorWriter.Write(custom, d, 0x1FF, buffer));
        Assert.Equal(custom, buffer[..custom.Length]);
    }

    [Fact]
    public void Writer_RejectsUnparsedDescriptor()
    {
        Assert.Equal(-1, DependencyDescriptorWriter.Write([0x80, 0, 0], default, 1, new byte[8]));
    }

    private static void AssertSameStructure(DependencyStructure a, DependencyStructure b)
    {
        Assert.Equal(a.TemplateIdOffset, b.TemplateIdOffset);
        Assert.Equal(a.TemplateCount, b.TemplateCount);
        Assert.Equal(a.DecodeTargetCount, b.DecodeTargetCount);
        Assert.Equal(a.ChainCount, b.ChainCount);
        Assert.Equal(a.SpatialLayers, b.SpatialLayers);
        Assert.Equal(a.TemporalLayers, b.TemporalLayers);
        Assert.Equal(a.HasResolutions, b.HasResolutions);
        for (int t = 0; t < a.TemplateCount; t++)
        {
            Assert.Equal(a.TemplateSpatialId(t), b.TemplateSpatialId(t));
            Assert.Equal(a.TemplateTemporalId(t), b.TemplateTemporalId(t));
            Assert.Equal(a.TemplateDtis(t), b.TemplateDtis(t));
            Assert.Equal(a.TemplateFdiffs(t).ToArray(), b.TemplateFdiffs(t).ToArray());
            Assert.Equal(a.TemplateChainFdiffs(t).ToArray(), b.TemplateChainFdiffs(t).ToArray());
        }
        for (int dt = 0; dt < a.DecodeTargetCount; dt++)
        {
            Assert.Equal(a.DecodeTargetProtectedBy(dt), b.DecodeTargetProtectedBy(dt));
            Assert.Equal(a.DecodeTargetSpatialId(dt), b.DecodeTargetSpatialId(dt));
            Assert.Equal(a.DecodeTargetTemporalId(dt), b.DecodeTargetTemporalId(dt));
        }
        for (int s = 0; s < a.SpatialLayers; s++)
        {
            Assert.Equal(a.TryGetResolution(s, out int aw, out int ah), b.TryGetResolution(s, out int bw, out int bh));
            Assert.Equal((aw, ah), (bw, bh));
        }
    }

    // ---------------------------------------------------------------- random and fuzz

    private static DdStructure RandomStructure(Random rng)
    {
        int dtCnt = rng.Next(4) == 0 ? rng.Next(17, 33) : rng.Next(1, 9);
        int templates = dtCnt > 16 ? rng.Next(1, 4) : rng.Next(1, 17);
        int chains = rng.Next(dtCnt + 1);
        var list = new DdTemplate[templates];
        int s = 0, t = 0;
        for (int i = 0; i < templates; i++)
        {
            if (i > 0)
            {
                switch (rng.Next(3))
                {
                    case 1: t++; break;
                    case 2: s++; t = 0; break;
                }
            }
            var dtis = new char[dtCnt];
            for (int dt = 0; dt < dtCnt; dt++)
                dtis[dt] = "-DSR"[rng.Next(4)];
            list[i] = new DdTemplate(s, t,
                Enumerable.Range(0, rng.Next(4)).Select(_ => rng.Next(1, 17)).ToArray(),
                Enumerable.Range(0, chains).Select(_ => rng.Next(16)).ToArray(),
                new string(dtis));
        }
        int[] protectedBy = Enumerable.Range(0, dtCnt).Select(_ => chains == 0 ? 0 : rng.Next(chains)).ToArray();
        (int, int)[]? res = rng.Next(2) == 0 ? null : Enumerable.Range(0, s + 1).Select(_ => (rng.Next(1, 65537), rng.Next(1, 65537))).ToArray();
        return new DdStructure(rng.Next(64), list, protectedBy, res);
    }

    private static DdPacket RandomPacket(Random rng, DdStructure st, bool withStructure)
    {
        int dtCnt = st.DtCnt;
        return new DdPacket(rng.Next(2) == 0, rng.Next(2) == 0, (st.TemplateIdOffset + rng.Next(st.Templates.Length)) % 64, rng.Next(65536))
        {
            Structure = withStructure ? st : null,
            ActiveMask = rng.Next(3) == 0 ? (uint)rng.NextInt64(1L << dtCnt) : null,
            CustomDtis = rng.Next(4) == 0 ? new string(Enumerable.Range(0, dtCnt).Select(_ => "-DSR"[rng.Next(4)]).ToArray()) : null,
            CustomFdiffs = rng.Next(4) == 0 ? Enumerable.Range(0, rng.Next(4)).Select(_ => { int size = rng.Next(1, 4); return (size, rng.Next(1 << (4 * size))); }).ToArray() : null,
            CustomChains = rng.Next(4) == 0 ? Enumerable.Range(0, st.ChainCnt).Select(_ => rng.Next(256)).ToArray() : null,
            Padding = rng.Next(5) == 0 ? rng.Next(3) : 0,
        };
    }

    [Fact]
    public void Random_ValidDescriptors_ParseAsBuilt_AndRewriteRoundTrips()
    {
        var rng = new Random(1234);
        var buffer = new byte[DependencyDescriptorContext.MaxLength + 8];
        for (int round = 0; round < 300; round++)
        {
            DdStructure st = RandomStructure(rng);
            var a = new DependencyDescriptorContext();
            var b = new DependencyDescriptorContext();
            for (int i = 0; i < 10; i++)
            {
                DdPacket p = RandomPacket(rng, st, withStructure: i == 0);
                byte[] bytes = p.Build(st.DtCnt);
                if (bytes.Length > DependencyDescriptorContext.MaxLength)
                    break;
                Assert.True(a.TryParse(bytes, out DependencyDescriptor d), $"round {round} packet {i}");
                int index = (p.TemplateId - st.TemplateIdOffset + 64) % 64;
                DdTemplate tpl = st.Templates[index];
                Assert.Equal(p.Start, d.StartOfFrame);
                Assert.Equal(p.End, d.EndOfFrame);
                Assert.Equal(p.FrameNumber, d.FrameNumber);
                Assert.Equal(index, d.TemplateIndex);
                Assert.Equal(tpl.Spatial, d.SpatialId);
                Assert.Equal(tpl.Temporal, d.TemporalId);
                Assert.Equal(i == 0 && p.Start, d.IsKeyFrame);
                string dtis = p.CustomDtis ?? tpl.Dtis;
                for (int dt = 0; dt < st.DtCnt; dt++)
                    Assert.Equal((DecodeTargetIndication)DdStructure.Dti(dtis[dt]), d.GetDti(dt));
                int[] fdiffs = p.CustomFdiffs?.Select(f => f.FdiffMinusOne + 1).ToArray() ?? tpl.Fdiffs;
                Assert.Equal(fdiffs.Select(f => (ushort)f).ToArray(), a.FrameFdiffs.ToArray());
                int[] chains = p.CustomChains ?? tpl.Chains;
                Assert.Equal(chains.Select(c => (byte)c).ToArray(), a.FrameChainFdiffs.ToArray());
                if (p.ActiveMask != null)
                    Assert.Equal(p.ActiveMask.Value, d.ActiveDecodeTargets);

                uint mask = (uint)rng.NextInt64(1L << st.DtCnt);
                int len = DependencyDescriptorWriter.Write(bytes, d, mask, buffer);
                Assert.Equal(DependencyDescriptorWriter.GetLength(d), len);
                Assert.True(b.TryParse(buffer.AsSpan(0, len), out DependencyDescriptor r));
                Assert.Equal(mask, r.ActiveDecodeTargets);
                Assert.True(r.HasActiveDecodeTargets);
                Assert.Equal((d.StartOfFrame, d.EndOfFrame, d.FrameNumber, d.TemplateIndex, d.SpatialId, d.TemporalId, d.IsKeyFrame, d.Dtis),
                    (r.StartOfFrame, r.EndOfFrame, r.FrameNumber, r.TemplateIndex, r.SpatialId, r.TemporalId, r.IsKeyFrame, r.Dtis));
                Assert.Equal(a.FrameFdiffs.ToArray(), b.FrameFdiffs.ToArray());
                Assert.Equal(a.FrameChainFdiffs.ToArray(), b.FrameChainFdiffs.ToArray());
                if (i == 0)
                    AssertSameStructure(a.Structure!, b.Structure!);
                // b's mask differs from a's from here on; keep both in step for later packets.
                b.TryParse(bytes, out _);
            }
        }
    }

    [Fact]
    public void Fuzz_RandomBytes_NeverThrow_AndResultsStayInBounds()
    {
        var rng = new Random(99);
        var primed = new DependencyDescriptorContext();
        var empty = new DependencyDescriptorContext();
        byte[] l3t3 = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L3T3() }.Build(0);
        var buffer = new byte[DependencyDescriptorContext.MaxLength + 8];
        int accepted = 0;
        for (int i = 0; i < 20000; i++)
        {
            if (i % 1000 == 0)
                Assert.True(primed.TryParse(l3t3, out _));
            var junk = new byte[rng.Next(0, 300)];
            rng.NextBytes(junk);
            if (rng.Next(2) == 0 && junk.Length > 3)
                junk[3] &= 0x7F; // often no new structure, so the primed one is used
            foreach (DependencyDescriptorContext ctx in new[] { primed, empty })
            {
                if (!ctx.TryParse(junk, out DependencyDescriptor d))
                    continue;
                accepted++;
                DependencyStructure s = ctx.Structure!;
                Assert.InRange(d.TemplateIndex, 0, s.TemplateCount - 1);
                Assert.InRange(d.SpatialId, 0, s.SpatialLayers - 1);
                Assert.InRange(d.TemporalId, 0, s.TemporalLayers - 1);
                Assert.Equal(s.DecodeTargetCount, d.DecodeTargetCount);
                Assert.True(d.ConsumedBits <= junk.Length * 8);
                Assert.True(d.ActiveDecodeTargets <= s.AllDecodeTargets);
                int len = DependencyDescriptorWriter.Write(junk, d, uint.MaxValue, buffer);
                Assert.Equal(DependencyDescriptorWriter.GetLength(d), len);
            }
        }
        Assert.True(accepted > 100, $"only {accepted} random descriptors parsed");
    }

    [Fact]
    public void Fuzz_TruncatedAndBitFlipped_ValidDescriptors_NeverThrow()
    {
        var rng = new Random(7);
        var buffer = new byte[DependencyDescriptorContext.MaxLength + 8];
        for (int round = 0; round < 200; round++)
        {
            DdStructure st = RandomStructure(rng);
            var ctx = new DependencyDescriptorContext();
            byte[] key = RandomPacket(rng, st, withStructure: true).Build(st.DtCnt);
            if (key.Length > DependencyDescriptorContext.MaxLength)
                continue;
            for (int len = 0; len <= key.Length; len++)
            {
                if (ctx.TryParse(key.AsSpan(0, len), out DependencyDescriptor d))
                    DependencyDescriptorWriter.Write(key.AsSpan(0, len), d, 1, buffer);
            }
            Assert.True(ctx.TryParse(key, out _));
            int templateCount = ctx.Structure!.TemplateCount;
            for (int flip = 0; flip < 50; flip++)
            {
                byte[] bad = RandomPacket(rng, st, withStructure: rng.Next(2) == 0).Build(st.DtCnt);
                bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
                int cut = rng.Next(bad.Length + 1);
                DependencyStructure before = ctx.Structure!;
                int beforeTemplates = before.TemplateCount;
                uint beforeActive = ctx.ActiveDecodeTargets;
                if (ctx.TryParse(bad.AsSpan(0, cut), out DependencyDescriptor d))
                {
                    Assert.InRange(d.TemplateIndex, 0, ctx.Structure!.TemplateCount - 1);
                    DependencyDescriptorWriter.Write(bad.AsSpan(0, cut), d, 1, buffer);
                }
                else
                {
                    // A rejected packet changes nothing: same structure, same active targets.
                    Assert.Same(before, ctx.Structure);
                    Assert.Equal(beforeTemplates, ctx.Structure!.TemplateCount);
                    Assert.Equal(beforeActive, ctx.ActiveDecodeTargets);
                }
            }
            Assert.True(templateCount > 0);
        }
    }

    [Fact]
    public void ParseAndRewrite_AllocateNothing()
    {
        var ctx = new DependencyDescriptorContext();
        byte[] key = new DdPacket(true, false, 0, 1) { Structure = DdStructure.L3T3() }.Build(0);
        byte[] delta = new DdPacket(true, true, 7, 2) { ActiveMask = 0x1FF, CustomChains = [1, 2, 3] }.Build(9);
        var buffer = new byte[DependencyDescriptorContext.MaxLength];
        int sum = 0;
        long allocated = AllocationProbe.Measure(i =>
        {
            byte[] src = i % 50 == 0 ? key : delta;
            ctx.TryParse(src, out DependencyDescriptor d);
            sum += d.SpatialId + DependencyDescriptorWriter.Write(src, d, 0x0F, buffer);
        });
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }
}
