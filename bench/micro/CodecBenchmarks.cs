using BenchmarkDotNet.Attributes;
using Mediasoup.Codecs;

namespace Mediasoup.Bench;

/// <summary>The per-packet codec parses of layered video (src/Codecs): dependency descriptor
/// (context parse of a key frame with the L3T3 structure, of a 3-byte delta, and the active
/// decode targets rewrite), AV1 aggregation header, VP9 descriptor (flexible with 3 P_DIFFs; key
/// frame with a 3-layer scalability structure), LayerInfo per codec, Opus DTX.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    // AV1 RTP specification A.10.2.2 (L3T3 full SVC) as a key frame's descriptor: 95 bytes.
    private static readonly byte[] DdKey = [0x80, 0x03, 0xE8, 0x80, 0x08, 0x14, 0x85, 0x21, 0x4E, 0xAA, 0xAA, 0xFF, 0xFA, 0xBC, 0xF2, 0x4C, 0x30, 0x43, 0x0C, 0x10, 0xAA, 0xA0, 0x3F, 0xA8, 0x0F, 0x24, 0x03, 0x04, 0x00, 0xC1, 0x00, 0x2A, 0x00, 0x0A, 0x80, 0x02, 0x40, 0x00, 0x40, 0x00, 0x10, 0x00, 0x06, 0xD5, 0x49, 0x24, 0x1B, 0x82, 0xB0, 0x4A, 0x09, 0x41, 0x06, 0xE0, 0xAC, 0x12, 0x82, 0x50, 0x3F, 0xEA, 0x00, 0x01, 0x97, 0x4C, 0xA8, 0x64, 0x33, 0x0E, 0x22, 0x22, 0x22, 0xEC, 0xA8, 0x65, 0x53, 0x04, 0x22, 0x42, 0x30, 0xEC, 0xA8, 0x77, 0x53, 0x01, 0x3F, 0x00, 0xB3, 0x02, 0x7F, 0x01, 0x67, 0x04, 0xFF, 0x02, 0xCF];
    // Mandatory fields only: start, end, template 12 (S2 T1), frame number 1001.
    private static readonly byte[] DdDelta = [0xCC, 0x03, 0xE9];
    private static readonly byte[] Av1Key = [0x18, 0x08, 0x00, 0x00, 0x0A];
    private static readonly byte[] Vp9FlexiblePayload = [0xF9, 0x81, 0x23, 0x35, 0x0B, 0x15, 0xFE, 0xAA];
    private static readonly byte[] Vp9KeyWithSs =
    [
        0xAA, 0x12, 0x00, 0x33,
        0x58, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01, 0x68, 0x05, 0x00, 0x02, 0xD0,
        0x04, 0x04, 0x04, 0x54, 0x01, 0x34, 0x02, 0x58, 0x01, 0x03,
        0x80, 0x49,
    ];
    private static readonly byte[] Vp8Tid2 = [0x90, 0x20, 0xA0, 0x01];
    private static readonly byte[] OpusDtx = [0x78];

    private readonly DependencyDescriptorContext _dd = new();
    private readonly Vp9ScalabilityStructure _ss = new();
    private readonly byte[] _rewritten = new byte[DependencyDescriptorContext.MaxLength];

    [GlobalSetup]
    public void Setup()
    {
        if (!_dd.TryParse(DdKey, out DependencyDescriptor key) || !key.IsKeyFrame || key.DecodeTargetCount != 9)
            throw new InvalidOperationException("L3T3 key frame descriptor does not parse");
        if (!_dd.TryParse(DdDelta, out DependencyDescriptor delta) || delta.SpatialId != 2 || delta.TemporalId != 1)
            throw new InvalidOperationException("delta descriptor does not resolve");
        if (DdRewrite() != 5 || !Av1AggregationHeader() || Vp9Flexible() != 3 || Vp9KeyFrameWithSs() != 3
            || LayerInfoVp8() != 2 || LayerInfoVp9() != 2 || LayerInfoDependencyDescriptor() != 3 || !OpusIsDtx())
            throw new InvalidOperationException("codec benchmark inputs do not parse as expected");
    }

    /// <summary>Context parse of the L3T3 key frame descriptor (structure read into the spare and swapped in).</summary>
    [Benchmark]
    public bool DdParseKeyFrame() => _dd.TryParse(DdKey, out DependencyDescriptor d) && d.IsKeyFrame;

    /// <summary>Context parse of a 3-byte descriptor resolved against the stored structure.</summary>
    [Benchmark]
    public int DdParseDelta() => _dd.TryParse(DdDelta, out DependencyDescriptor d) ? d.SpatialId : -1;

    /// <summary>Parse of the delta plus DependencyDescriptorWriter.Write with a 4-target bitmask (grows 3 to 5 bytes).</summary>
    [Benchmark]
    public int DdRewrite()
    {
        _dd.TryParse(DdDelta, out DependencyDescriptor d);
        return DependencyDescriptorWriter.Write(DdDelta, d, 0b1_1011_0000, _rewritten);
    }

    [Benchmark]
    public bool Av1AggregationHeader() => Codecs.Av1AggregationHeader.IsKeyFramePayload(Av1Key);

    [Benchmark]
    public int Vp9Flexible() => Vp9PayloadDescriptor.TryParse(Vp9FlexiblePayload, out Vp9PayloadDescriptor d) ? d.ReferenceCount : -1;

    /// <summary>VP9 key frame descriptor with the scalability structure, then the per-stream copy of it.</summary>
    [Benchmark]
    public int Vp9KeyFrameWithSs()
    {
        if (!Vp9PayloadDescriptor.TryParse(Vp9KeyWithSs, out Vp9PayloadDescriptor d) || !_ss.TryRead(Vp9KeyWithSs, d))
            return -1;
        return _ss.SpatialLayers;
    }

    [Benchmark]
    public int LayerInfoVp8() => LayerInfo.TryRead(CodecKind.Vp8, Vp8Tid2, false, default, null, out LayerInfo i) ? i.TemporalLayer : -1;

    [Benchmark]
    public int LayerInfoVp9() => LayerInfo.TryRead(CodecKind.Vp9, Vp9FlexiblePayload, false, default, null, out LayerInfo i) ? i.SpatialLayer : -1;

    /// <summary>AV1 delta through the dependency descriptor, plus one switch-point query.</summary>
    [Benchmark]
    public int LayerInfoDependencyDescriptor() =>
        LayerInfo.TryRead(CodecKind.Av1, Av1Key, true, DdDelta, _dd, out LayerInfo i) ? i.SpatialLayer + i.TemporalLayer + (i.IsSwitchPointFor(2, 1) ? 10 : 0) : -1;

    [Benchmark]
    public bool OpusIsDtx() => OpusPayloadDescriptor.IsDtxPacket(OpusDtx);
}
