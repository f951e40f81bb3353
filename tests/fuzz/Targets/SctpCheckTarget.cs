using System.Buffers.Binary;
using Mediasoup.Sctp;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// The SCTP input pre-check in front of usrsctp (RFC 4960 §3.2). Invariants: it never throws,
/// and whatever it accepts walks as whole chunks (each Length at least 4 and within the packet).
/// </summary>
internal sealed class SctpCheckTarget : IFuzzTarget
{
    public string Name => "sctp-check";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (SctpPacketCheck.Check(input) != SctpPacketVerdict.Ok)
            return;
        int offset = SctpPacketCheck.CommonHeaderLength;
        while (input.Length - offset >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(input[(offset + 2)..]);
            if (length < 4 || length > input.Length - offset)
                throw new FuzzInvariantException($"accepted packet with a chunk of length {length} at {offset}");
            offset += (length + 3) & ~3;
        }
    }

    public IEnumerable<byte[]> Seeds()
    {
        byte[] header = [0x13, 0x88, 0x13, 0x88, 0xa1, 0xb2, 0xc3, 0xd4, 0, 0, 0, 0];
        yield return [.. header, 0x0b, 0x00, 0x00, 0x04];                                   // COOKIE ACK
        yield return [.. header, 0x00, 0x03, 0x00, 0x13, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0x35, (byte)'h', (byte)'i', (byte)'!', 0]; // DATA
        yield return [.. header, 0x03, 0x00, 0x00, 0x14, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 3,
            0x00, 0x03, 0x00, 0x11, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0x35, 0x42, 0, 0, 0];      // SACK + DATA
        yield return [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0,
            0x01, 0x00, 0x00, 0x18, 0, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0x80, 0x00, 0x00, 0x04]; // INIT
        yield return [.. header, 0x04, 0x00, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x08, 1, 2, 3, 4];   // HEARTBEAT
        yield return [.. header, 0xc0, 0x00, 0x00, 0x0c, 0, 0, 0, 5, 0, 1, 0, 2];              // FORWARD-TSN
        yield return [.. header, 0x82, 0x00, 0x00, 0x16, 0x00, 0x0d, 0x00, 0x12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, 0]; // RE-CONFIG
    }
}
