using System;
namespace Mediasoup.Codecs;

/// <summary>The TOC byte of an Opus packet (RFC 6716 section 3.1) and DTX detection.</summary>
internal readonly struct OpusPayloadDescriptor
{
    /// <summary>Frame count code c: 0 = one frame, 1 = two equal, 2 = two different, 3 = arbitrary.</summary>
    public readonly byte Code;
    public readonly bool Stereo;
    /// <summary>A discontinuous-transmission packet: TOC only, no audio data.</summary>
    public readonly bool IsDtx;

    private OpusPayloadDescriptor(byte code, bool stereo, bool isDtx)
    {
        Code = code;
        Stereo = stereo;
        IsDtx = isDtx;
    }

    /// <summary>False for an empty payload and for the 1-byte code 2/3 packets RFC 6716 3.4 calls malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out OpusPayloadDescriptor descriptor)
    {
        if (payload.IsEmpty)
        {
            descriptor = default;
            return false;
        }
        byte toc = payload[0];
        byte code = (byte)(toc & 0x03);
        bool dtx;
        switch (code)
        {
            case 0:
            case 1:
                // A TOC byte alone is a 0-length frame: DTX (RFC 6716 3.2.1).
                dtx = payload.Length == 1;
                break;
            case 2:
                if (payload.Length == 1)
                {
                    descriptor = default;
                    return false;
                }
                // The only valid 2-byte code 2 packet has two empty frames (RFC 6716 3.2.3).
                dtx = payload.Length == 2;
                break;
            default:
                if (payload.Length == 1)
                {
                    descriptor = default;
                    return false;
                }
                dtx = false;
                break;
        }
        descriptor = new OpusPayloadDescriptor(code, (toc & 0x04) != 0, dtx);
        return true;
    }

    public static bool IsDtxPacket(ReadOnlySpan<byte> payload) => TryParse(payload, out OpusPayloadDescriptor d) && d.IsDtx;
}
