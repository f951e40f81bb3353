using Mediasoup.Srtp;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// SRTP/SRTCP unprotect (RFC 3711 §3.3, §3.4; RFC 7714) with every suite. First input byte:
/// bits 0-1 the suite, bit 2 RTCP instead of RTP, bit 3 the round trip mode. Direct mode
/// unprotects the rest as received (invalid tags, truncations, indexes); round trip mode
/// protects the rest with the peer's key first, so mutations reach the valid-tag paths, and
/// checks that what comes out is what went in. The per-SSRC state an input created (replay
/// window, rollover counter, SRTCP index) is removed after it, so every input starts from the
/// same sessions.
/// </summary>
internal sealed class SrtpTarget : IFuzzTarget
{
    private readonly SrtpSession[] _inbound = new SrtpSession[4];
    private readonly SrtpSession[] _outbound = new SrtpSession[4];
    private readonly byte[] _buffer = new byte[70_000];

    public SrtpTarget()
    {
        for (int s = 0; s < 4; s++)
        {
            var suite = (SrtpCryptoSuite)s;
            byte[] key = new byte[suite.KeyAndSaltLength()];
            for (int i = 0; i < key.Length; i++)
                key[i] = (byte)(i * 7 + s);
            _inbound[s] = new SrtpSession(SrtpDirection.Inbound, suite, key);
            _outbound[s] = new SrtpSession(SrtpDirection.Outbound, suite, key);
        }
    }

    public string Name => "srtp";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        int s = input[0] & 3;
        bool rtcp = (input[0] & 4) != 0;
        bool roundTrip = (input[0] & 8) != 0;
        ReadOnlySpan<byte> packet = input[1..];
        try
        {
            Run(s, rtcp, roundTrip, packet);
        }
        finally
        {
            // RTP: SSRC at bytes 8-11 (RFC 3550 §5.1); RTCP: bytes 4-7 (§6.4.1).
            int at = rtcp ? 4 : 8;
            if (packet.Length >= at + 4)
            {
                uint ssrc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet[at..]);
                _inbound[s].RemoveStream(ssrc);
                _outbound[s].RemoveStream(ssrc);
            }
        }
    }

    private void Run(int s, bool rtcp, bool roundTrip, ReadOnlySpan<byte> packet)
    {
        packet.CopyTo(_buffer);
        int length = packet.Length;
        Span<byte> buf = _buffer;
        if (!roundTrip)
        {
            _ = rtcp ? _inbound[s].UnprotectRtcp(buf[..length], out _) : _inbound[s].UnprotectRtp(buf[..length], out _);
            return;
        }
        bool protectedOk = rtcp ? _outbound[s].ProtectRtcp(buf, ref length) : _outbound[s].ProtectRtp(buf, ref length);
        if (!protectedOk)
            return;
        bool ok = rtcp ? _inbound[s].UnprotectRtcp(buf[..length], out int plain) : _inbound[s].UnprotectRtp(buf[..length], out plain);
        // A replayed index fails legitimately; a success must give the plaintext back.
        if (ok && (plain != packet.Length || !buf[..plain].SequenceEqual(packet)))
            throw new FuzzInvariantException($"round trip changed the packet ({packet.Length} → {plain} bytes)");
    }

    public IEnumerable<byte[]> Seeds()
    {
        byte[] rtp = [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0xca, 0xfe, 0xba, 0xbe, 1, 2, 3, 4, 5, 6, 7, 8];
        byte[] rtcp = [0x80, 0xc9, 0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe];
        for (int s = 0; s < 4; s++)
        {
            yield return [(byte)(8 | s), .. rtp];
            yield return [(byte)(12 | s), .. rtcp];
            // A packet protected by the peer, to be unprotected directly.
            int length = rtp.Length;
            rtp.CopyTo(_buffer, 0);
            if (_outbound[s].ProtectRtp(_buffer, ref length))
                yield return [(byte)s, .. _buffer.AsSpan(0, length)];
        }
    }
}
