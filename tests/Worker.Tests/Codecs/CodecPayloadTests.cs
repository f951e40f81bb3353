using Mediasoup.Codecs;
using Xunit;

namespace Mediasoup.Tests.Codecs;

public sealed class CodecPayloadTests
{
    // ---------------------------------------------------------------- Opus

    [Theory]
    [InlineData(new byte[] { 0x78 }, 0, true)] // code 0, TOC only
    [InlineData(new byte[] { 0x79 }, 1, true)] // code 1, TOC only
    [InlineData(new byte[] { 0x78, 0x01, 0x02 }, 0, false)]
    [InlineData(new byte[] { 0x7A, 0x00 }, 2, true)] // code 2, two empty frames
    [InlineData(new byte[] { 0x7A, 0x01, 0x02 }, 2, false)]
    [InlineData(new byte[] { 0x7B, 0x01 }, 3, false)] // code 3 is never DTX
    public void Opus_DtxDetection(byte[] payload, int code, bool dtx)
    {
        Assert.True(OpusPayloadDescriptor.TryParse(payload, out OpusPayloadDescriptor d));
        Assert.Equal(code, d.Code);
        Assert.Equal(dtx, d.IsDtx);
        Assert.Equal(dtx, OpusPayloadDescriptor.IsDtxPacket(payload));
        Assert.False(Codec.IsKeyFrame(CodecKind.Opus, payload)); // audio has no key frames
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x7A })] // 1-byte code 2
    [InlineData(new byte[] { 0x7B })] // 1-byte code 3
    public void Opus_RejectsMalformed(byte[] payload)
    {
        Assert.False(OpusPayloadDescriptor.TryParse(payload, out _));
        Assert.False(OpusPayloadDescriptor.IsDtxPacket(payload));
    }

    [Theory]
    // Lengths RFC 6716 3.4 calls malformed but the reference worker accepts as audio (not DTX):
    // code 1 with an odd N-1 (R3), code 2 whose first frame length overruns (R4). Dropping them as
    // DTX would change what a receiver gets, so they stay packets to forward.
    [InlineData(new byte[] { 0x79, 0x00 }, 1)]
    [InlineData(new byte[] { 0x7A, 0x05, 0x00 }, 2)]
    // Only the TOC's c bits decide: a SILK-only 10 ms config (0) and a CELT 20 ms config (31) alike.
    [InlineData(new byte[] { 0x00, 0xAA }, 0)]
    [InlineData(new byte[] { 0xF8, 0xAA }, 0)]
    public void Opus_NonDtxEdgeCases_MatchReference(byte[] payload, int code)
    {
        Assert.True(OpusPayloadDescriptor.TryParse(payload, out OpusPayloadDescriptor d));
        Assert.Equal(code, d.Code);
        Assert.False(d.IsDtx);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })] // config 0 (SILK NB 10 ms), code 0, TOC only
    [InlineData(new byte[] { 0xFD })] // config 31, stereo, code 1, TOC only
    [InlineData(new byte[] { 0xFE, 0x00 })] // config 31, stereo, code 2, two empty frames
    public void Opus_DtxWhateverTheConfig(byte[] payload)
    {
        Assert.True(OpusPayloadDescriptor.IsDtxPacket(payload));
    }

    [Fact]
    public void Opus_Fuzz_DtxOnlyForTocOnlyOrTwoEmptyFrames()
    {
        var rng = new Random(17);
        for (int i = 0; i < 20000; i++)
        {
            var payload = new byte[rng.Next(0, 6)];
            rng.NextBytes(payload);
            bool ok = OpusPayloadDescriptor.TryParse(payload, out OpusPayloadDescriptor d);
            int code = payload.Length > 0 ? payload[0] & 3 : -1;
            Assert.Equal(payload.Length > 1 || code is 0 or 1, ok);
            bool dtx = (code is 0 or 1 && payload.Length == 1) || (code == 2 && payload.Length == 2);
            Assert.Equal(dtx, ok && d.IsDtx);
        }
    }

    [Fact]
    public void Opus_StereoFlag()
    {
        Assert.True(OpusPayloadDescriptor.TryParse([0x7C, 0x01], out OpusPayloadDescriptor d));
        Assert.True(d.Stereo);
    }

    // ---------------------------------------------------------------- H264

    [Theory]
    [InlineData(new byte[] { 0x67, 0x42 }, true)] // single NAL: SPS
    [InlineData(new byte[] { 0x65, 0x88 }, false)] // single NAL: IDR without SPS
    [InlineData(new byte[] { 0x67 }, false)] // too short
    [InlineData(new byte[] { 0x41, 0x9A }, false)] // non-IDR slice
    // STAP-A: [size 2][SPS 67 42] [size 2][PPS 68 CE]
    [InlineData(new byte[] { 0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE }, true)]
    // STAP-A: PPS first, SPS second
    [InlineData(new byte[] { 0x78, 0x00, 0x02, 0x68, 0xCE, 0x00, 0x02, 0x67, 0x42 }, true)]
    // STAP-A whose first size overruns: the scan stops
    [InlineData(new byte[] { 0x78, 0x00, 0x20, 0x68, 0xCE, 0x00, 0x02, 0x67, 0x42 }, false)]
    // FU-A start of an SPS / continuation / start of an IDR
    [InlineData(new byte[] { 0x7C, 0x87, 0x00 }, true)]
    [InlineData(new byte[] { 0x7C, 0x07, 0x00 }, false)]
    [InlineData(new byte[] { 0x7C, 0x85, 0x00 }, false)]
    [InlineData(new byte[] { 0x7D, 0x87, 0x00, 0x00 }, true)] // FU-B
    public void H264_KeyFrameIsWhereTheSpsIs(byte[] payload, bool keyFrame)
    {
        Assert.Equal(keyFrame, H264.IsKeyFrame(payload));
        Assert.Equal(keyFrame, Codec.IsKeyFrame(CodecKind.H264, payload));
    }

    [Theory]
    [InlineData(new byte[] { 0x65, 0x88 }, true)]
    [InlineData(new byte[] { 0x7C, 0x85, 0x00 }, true)]
    [InlineData(new byte[] { 0x7C, 0x45, 0x00 }, false)] // FU-A end, not start
    [InlineData(new byte[] { 0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x65, 0x88 }, true)]
    public void H264_IdrDetection(byte[] payload, bool idr)
    {
        Assert.Equal(idr, H264.ContainsIdr(payload));
    }

    // ---------------------------------------------------------------- VP9

    [Fact]
    public void Vp9_NonFlexibleKeyFrame()
    {
        // I=1 P=0 L=1 F=0 B=1 E=0 V=1 | M=1 picture id 0x0ABC | TID=0 U=0 SID=0 D=0 | TL0PICIDX 9
        // | SS: N_S=0 Y=0 G=0 | frame data
        byte[] payload = [0xAA, 0x8A, 0xBC, 0x00, 0x09, 0x00, 0xFF];
        Assert.True(Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d));
        Assert.Equal(15, d.PictureIdBits);
        Assert.Equal(0x0ABC, d.PictureId);
        Assert.True(d.HasLayerIndices && d.HasTl0PicIdx);
        Assert.Equal(9, d.Tl0PicIdx);
        Assert.True(d.HasScalabilityStructure);
        Assert.True(d.IsKeyFrame);
        Assert.True(Codec.IsKeyFrame(CodecKind.Vp9, payload));
    }

    [Theory]
    // P=1: inter predicted
    [InlineData(new byte[] { 0xE8, 0x05, 0x00, 0x09 }, false, 0, 0)]
    // B=0: not the frame start
    [InlineData(new byte[] { 0xA0, 0x05, 0x00, 0x09 }, false, 0, 0)]
    // spatial layer 1 (SID=1, D=1), TID=2 U=1
    [InlineData(new byte[] { 0xA8, 0x05, 0x53, 0x09 }, false, 1, 2)]
    // flexible mode, no TL0PICIDX
    [InlineData(new byte[] { 0xB8, 0x05, 0x20 }, true, 0, 1)]
    // no I, no L
    [InlineData(new byte[] { 0x08, 0xFF }, true, 0, 0)]
    public void Vp9_Layers(byte[] payload, bool keyFrame, int spatial, int temporal)
    {
        Assert.True(Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d));
        Assert.Equal(keyFrame, d.IsKeyFrame);
        Assert.Equal(spatial, d.SpatialLayer);
        Assert.Equal(temporal, d.TemporalLayer);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0x80, 0x80 })]
    [InlineData(new byte[] { 0x20 })]
    [InlineData(new byte[] { 0x20, 0x00 })] // non-flexible L without TL0PICIDX
    public void Vp9_RejectsTruncated(byte[] payload)
    {
        Assert.False(Vp9PayloadDescriptor.TryParse(payload, out _));
        Assert.False(Codec.IsKeyFrame(CodecKind.Vp9, payload));
    }

    // ---------------------------------------------------------------- dispatch

    [Theory]
    [InlineData("audio/opus", "Opus")]
    [InlineData("audio/multiopus", "MultiOpus")]
    [InlineData("video/VP8", "Vp8")]
    [InlineData("video/vp9", "Vp9")]
    [InlineData("video/H264", "H264")]
    [InlineData("video/AV1", "Av1")]
    [InlineData("video/rtx", "Other")]
    [InlineData("audio/PCMU", "Other")]
    public void MimeTypes(string mime, string kind)
    {
        Assert.Equal(Enum.Parse<CodecKind>(kind), CodecKinds.FromMimeType(mime));
    }

    [Fact]
    public void OtherCodecs_AreNeverKeyFrames()
    {
        byte[] sps = [0x67, 0x42];
        Assert.False(Codec.IsKeyFrame(CodecKind.Other, sps));
        Assert.False(Codec.IsKeyFrame(CodecKind.Av1, sps));
        Assert.True(Codec.CanBeKeyFrame(CodecKind.H264));
        Assert.False(Codec.CanBeKeyFrame(CodecKind.Opus));
    }

    [Fact]
    public void RandomPayloads_NeverThrow()
    {
        var rng = new Random(31337);
        CodecKind[] kinds = Enum.GetValues<CodecKind>();
        byte[] buffer = new byte[64];
        for (int i = 0; i < 200_000; i++)
        {
            int length = rng.Next(0, 40);
            rng.NextBytes(buffer);
            ReadOnlySpan<byte> payload = buffer.AsSpan(0, length);
            foreach (CodecKind kind in kinds)
            {
                Codec.IsKeyFrame(kind, payload);
            }
            OpusPayloadDescriptor.TryParse(payload, out _);
            H264.ContainsIdr(payload);
            if (Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d))
            {
                Assert.InRange(d.Length, 1, length);
                Assert.True(d.Rewrite(buffer.AsSpan(0, length), (ushort)rng.Next(), (byte)rng.Next()));
            }
            if (Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d9))
            {
                Assert.InRange(d9.SpatialLayer, 0, 7);
            }
        }
    }
}
