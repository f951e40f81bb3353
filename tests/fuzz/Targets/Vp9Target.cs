using Mediasoup.Codecs;

namespace Mediasoup.Fuzz.Targets;

/// <summary>VP9 payload descriptor (draft-ietf-payload-vp9 §4.2, flexible and non-flexible, SS).</summary>
internal sealed class Vp9Target : IFuzzTarget
{
    public string Name => "vp9";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (!Vp9PayloadDescriptor.TryParse(input, out Vp9PayloadDescriptor d))
            return;
        if (d.PictureIdBits is not (0 or 7 or 15) || d.TemporalLayer > 7 || d.SpatialLayer > 7)
            throw new FuzzInvariantException($"picture id bits {d.PictureIdBits}, layers T{d.TemporalLayer} S{d.SpatialLayer}");
        GC.KeepAlive(d.IsKeyFrame);
    }

    public IEnumerable<byte[]> Seeds()
    {
        yield return [0xaa, 0x80, 0x01, 0x00, 0x05, 0x18, 0x01, 0x40, 0x00, 0xf0, 0x01, 0x04, 0x01]; // I P? L B + SS
        yield return [0xa8, 0x81, 0x02, 0x20, 0x07];                                             // non-flexible, TL0PICIDX
        yield return [0xf8, 0x81, 0x02, 0x20, 0x09, 0x00];                                       // flexible with P_DIFF
        yield return [0x0c, 0x00];                                                               // B E only
    }
}
