using Mediasoup.Codecs;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// VP8 payload descriptor (RFC 7741 §4.2): parse, key-frame detection, and the in-place
/// picture id / TL0PICIDX rewrite consumers do. Invariants: offsets inside the descriptor, and
/// a rewritten descriptor parses back with the written values.
/// </summary>
internal sealed class Vp8Target : IFuzzTarget
{
    private readonly byte[] _copy = new byte[70_000];

    public string Name => "vp8";

    public void Run(ReadOnlySpan<byte> input)
    {
        Vp8PayloadDescriptor.IsKeyFramePayload(input);
        if (!Vp8PayloadDescriptor.TryParse(input, out Vp8PayloadDescriptor d))
            return;
        if (d.Length > input.Length || d.PictureIdOffset >= Math.Max(d.Length, (byte)1) && d.HasPictureId)
            throw new FuzzInvariantException($"descriptor length {d.Length}, picture id at {d.PictureIdOffset}, input {input.Length}");
        input.CopyTo(_copy);
        Span<byte> payload = _copy.AsSpan(0, input.Length);
        ushort pictureId = (ushort)(d.PictureIdBits == 7 ? 0x55 : 0x1234);
        if (!d.Rewrite(payload, pictureId, 0x77))
            return;
        if (!Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor after))
            throw new FuzzInvariantException("rewritten descriptor does not parse");
        if (d.HasPictureId && after.PictureId != pictureId || d.HasTl0PicIdx && after.Tl0PicIdx != 0x77)
            throw new FuzzInvariantException($"rewrite wrote picture id {after.PictureId}, tl0 {after.Tl0PicIdx}");
    }

    public IEnumerable<byte[]> Seeds()
    {
        yield return [0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0]; // I L T, 15-bit picture id, key frame
        yield return [0x90, 0x80, 0x22, 0x01, 0x00, 0x00];                                   // 7-bit picture id, delta
        yield return [0x10, 0x00, 0x9d, 0x01, 0x2a];                                         // no extension
        yield return [0x80, 0x70, 0x81, 0x02, 0x03, 0x44, 0x00];                             // L T K without S
    }
}
