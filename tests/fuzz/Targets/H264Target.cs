using Mediasoup.Codecs;

namespace Mediasoup.Fuzz.Targets;

/// <summary>H.264 payload NAL walking (RFC 6184 §5.6-§5.8: single NAL, STAP-A, FU-A) for key frames.</summary>
internal sealed class H264Target : IFuzzTarget
{
    public string Name => "h264";

    public void Run(ReadOnlySpan<byte> input)
    {
        bool key = H264.IsKeyFrame(input);
        bool idr = H264.ContainsIdr(input);
        for (int type = 0; type < 32; type++)
            H264.Contains(input, type);
        if (key != H264.Contains(input, 7))
            throw new FuzzInvariantException("IsKeyFrame disagrees with Contains(SPS)");
        GC.KeepAlive(idr);
    }

    public IEnumerable<byte[]> Seeds()
    {
        yield return [0x67, 0x42, 0xc0, 0x1f, 0xda];                                             // single SPS
        yield return [0x78, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f, 0x00, 0x02, 0x68, 0xce, 0x00, 0x03, 0x65, 0x88, 0x84]; // STAP-A SPS PPS IDR
        yield return [0x7c, 0x85, 0x88, 0x84, 0x00];                                             // FU-A start of IDR
        yield return [0x41, 0x9a, 0x00];                                                         // non-IDR slice
    }
}
