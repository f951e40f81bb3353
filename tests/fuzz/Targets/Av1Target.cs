using Mediasoup.Codecs;

namespace Mediasoup.Fuzz.Targets;

/// <summary>The AV1 aggregation header and first OBU header (AV1 RTP specification §4.4) for key frames.</summary>
internal sealed class Av1Target : IFuzzTarget
{
    public string Name => "av1";

    public void Run(ReadOnlySpan<byte> input)
    {
        bool key = Av1AggregationHeader.IsKeyFramePayload(input);
        if (Av1AggregationHeader.TryParse(input, out Av1AggregationHeader h))
        {
            if (h.IsKeyFrame != key || (h.IsKeyFrame && !h.StartsCodedVideoSequence))
                throw new FuzzInvariantException($"key {h.IsKeyFrame}/{key}, N {h.StartsCodedVideoSequence}");
        }
        else if (key)
        {
            throw new FuzzInvariantException("key frame without a parse");
        }
    }

    public IEnumerable<byte[]> Seeds()
    {
        yield return [0x18, 0x0a, 0x0b, 0x00, 0x00, 0x00, 0x24, 0xc4, 0xff, 0xdf, 0x00, 0x68, 0x02]; // N=1, W=1, sequence header
        yield return [0x10, 0x32, 0x10, 0x00];                                                   // W=1, frame OBU
        yield return [0x80, 0x01, 0x02];                                                         // Z=1 continuation
    }
}
