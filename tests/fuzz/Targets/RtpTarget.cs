using Mediasoup.Rtp;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// RTP header and header extensions (RFC 3550 §5.1, RFC 8285): parse, read every typed
/// extension under a fixed id map, walk the extension list, then RTX-encode/decode and re-parse.
/// Invariants: a parsed packet's bytes re-parse to the same header and extension count.
/// </summary>
internal sealed class RtpTarget : IFuzzTarget
{
    private readonly byte[] _buffer = new byte[70_000];
    private readonly RtpPacket _packet = new();
    private readonly RtpPacket _reparsed = new();
    private int _dirty;

    public string Name => "rtp";

    private static readonly HeaderExtensionIds Ids = new()
    {
        Mid = 1, Rid = 2, Rrid = 3, AbsSendTime = 4, TransportWideCc01 = 5, SsrcAudioLevel = 6,
        DependencyDescriptor = 7, VideoOrientation = 8, TimeOffset = 9, AbsCaptureTime = 10,
        PlayoutDelay = 11, MediasoupPacketId = 12,
    };

    public void Run(ReadOnlySpan<byte> input)
    {
        // Nothing left from the previous input: the buffer past it (RTX encoding grows the
        // packet into it) and the packet view's extension map.
        _buffer.AsSpan(0, _dirty).Clear();
        _dirty = Math.Min(_buffer.Length, input.Length + 64);
        input.CopyTo(_buffer);
        RtpPacket p = _packet;
        p.ExtensionIds = default;
        if (!p.TryParse(_buffer, input.Length))
            return;
        p.ExtensionIds = Ids;
        long sum = p.PayloadType + p.SequenceNumber + p.Timestamp + p.Ssrc + p.CsrcCount + p.Payload.Length;
        for (int i = 0; i < p.ExtensionCount; i++)
        {
            if (p.GetExtensionAt(i, out byte id, out Span<byte> value))
                sum += id + value.Length;
        }
        Mediasoup.Tests.Rtp.RtpReaders.ReadTypedExtensions(p);
        GC.KeepAlive(sum);

        CheckReparses(p);
        if (p.RtxEncode(97, 0x11223344, 7))
        {
            CheckReparses(p);
            if (!p.RtxDecode(96, 0x55667788))
                throw new FuzzInvariantException("RTX decode of an RTX-encoded packet failed");
            CheckReparses(p);
        }
    }

    private void CheckReparses(RtpPacket p)
    {
        Span<byte> data = p.Data;
        byte[] copy = new byte[data.Length + 64];
        data.CopyTo(copy);
        if (!_reparsed.TryParse(copy, data.Length))
            throw new FuzzInvariantException("a packet's own bytes do not re-parse");
        if (_reparsed.SequenceNumber != p.SequenceNumber || _reparsed.Ssrc != p.Ssrc || _reparsed.ExtensionCount != p.ExtensionCount
            || _reparsed.Payload.Length != p.Payload.Length)
            throw new FuzzInvariantException("re-parsed packet differs");
    }

    public IEnumerable<byte[]> Seeds()
    {
        // VP8 with one-byte extensions (mid, abs-send-time, transport-cc), as Chromium sends.
        yield return [0x90, 0x60, 0x12, 0x34, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef,
            0xbe, 0xde, 0x00, 0x03, 0x10, 0x30, 0x42, 0x22, 0x01, 0x02, 0x03, 0x51, 0x00, 0x07, 0x00, 0x00,
            0x90, 0xe0, 0x80, 0x00, 0x9d, 0x01, 0x2a];
        // Opus with audio level (one-byte) and padding.
        yield return [0xb0, 0x6f, 0x00, 0x01, 0, 0, 0x03, 0xc0, 0x01, 0x02, 0x03, 0x04,
            0xbe, 0xde, 0x00, 0x01, 0x60, 0x85, 0x00, 0x00, 0xfc, 0xff, 0xfe, 0x00, 0x00, 0x03];
        // Two-byte extensions (RFC 8285 §4.3) with a CSRC.
        yield return [0x91, 0x60, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9,
            0x10, 0x00, 0x00, 0x02, 0x02, 0x03, (byte)'h', (byte)'i', (byte)'!', 0x07, 0x01, 0x80, 0xaa, 0xbb];
        // Plain header, no extension.
        yield return [0x80, 0x60, 0xff, 0xff, 0x12, 0x34, 0x56, 0x78, 0x0a, 0x0b, 0x0c, 0x0d, 0x10, 0x00, 0x9d];
    }
}
