using Mediasoup.Codecs;

namespace Mediasoup.Fuzz.Targets;

/// <summary>Opus TOC and frame-count parsing (RFC 6716 §3.1, §3.2) for DTX detection.</summary>
internal sealed class OpusTarget : IFuzzTarget
{
    public string Name => "opus";

    public void Run(ReadOnlySpan<byte> input)
    {
        bool dtx = OpusPayloadDescriptor.IsDtxPacket(input);
        if (OpusPayloadDescriptor.TryParse(input, out OpusPayloadDescriptor d))
        {
            if (d.Code > 3 || d.IsDtx != dtx)
                throw new FuzzInvariantException($"code {d.Code}, dtx {d.IsDtx}/{dtx}");
        }
        else if (dtx)
        {
            throw new FuzzInvariantException("DTX without a parse");
        }
    }

    public IEnumerable<byte[]> Seeds()
    {
        yield return [0xfc, 0xff, 0xfe];             // code 0, 20 ms CELT FB
        yield return [0xf8];                         // DTX-sized
        yield return [0x79, 0x02, 0x01, 0x03];       // code 1
        yield return [0x4b, 0x83, 0x02, 0x01, 0x02]; // code 3, VBR
    }
}
