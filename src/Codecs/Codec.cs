using System;
namespace Mediasoup.Codecs;

/// <summary>Per-packet payload inspection, dispatched on the producer's codec kind.</summary>
internal static class Codec
{
    /// <summary>
    /// Whether this packet starts a key frame, judged from the payload alone. Audio is never a
    /// key frame. AV1 is judged by its aggregation header (N = 1 and a sequence header first);
    /// with the dependency descriptor extension, <see cref="LayerInfo"/> is the finer judge.
    /// </summary>
    public static bool IsKeyFrame(CodecKind kind, ReadOnlySpan<byte> payload) => kind switch
    {
        CodecKind.Vp8 => Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d) && d.IsKeyFrame,
        CodecKind.Vp9 => Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d) && d.IsKeyFrame,
        CodecKind.H264 => H264.IsKeyFrame(payload),
        CodecKind.Av1 => Av1AggregationHeader.IsKeyFramePayload(payload),
        _ => false,
    };

    /// <summary>Whether a codec's packets can carry key frames at all (video codecs with a parser).</summary>
    public static bool CanBeKeyFrame(CodecKind kind) => kind is CodecKind.Vp8 or CodecKind.Vp9 or CodecKind.H264 or CodecKind.Av1;
}
