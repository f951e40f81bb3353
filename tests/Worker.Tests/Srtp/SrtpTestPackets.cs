using System.Buffers.Binary;
using Mediasoup.Srtp;

namespace Mediasoup.Tests.Srtp;

internal static class SrtpTestPackets
{
    /// <summary>RTP (RFC 3550 §5.1): V=2, PT 96, no CSRC/extension, patterned payload.</summary>
    public static byte[] RtpPacketBytes(ushort seq, uint ssrc = 0x11223344, int payloadLength = 160)
    {
        var p = new byte[12 + payloadLength];
        p[0] = 0x80;
        p[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), seq * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        for (int i = 12; i < p.Length; i++)
            p[i] = (byte)(i * 7 + seq);
        return p;
    }

    /// <summary>RTCP sender report header (RFC 3550 §6.4.1) padded with a pattern; length is a multiple of 4, ≥ 8.</summary>
    public static byte[] RtcpPacketBytes(uint ssrc = 0x11223344, int length = 28)
    {
        var p = new byte[length];
        p[0] = 0x80;
        p[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)(length / 4 - 1));
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        for (int i = 8; i < p.Length; i++)
            p[i] = (byte)(i * 13);
        return p;
    }

    /// <summary>Protects a copy of <paramref name="plain"/> and returns exactly the SRTP bytes.</summary>
    public static byte[] ProtectRtp(SrtpSession tx, byte[] plain)
    {
        var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
        plain.CopyTo(buffer, 0);
        int length = plain.Length;
        if (!tx.ProtectRtp(buffer, ref length))
            throw new InvalidOperationException($"ProtectRtp failed: {tx.LastError}");
        return buffer.AsSpan(0, length).ToArray();
    }

    public static byte[] ProtectRtcp(SrtpSession tx, byte[] plain)
    {
        var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
        plain.CopyTo(buffer, 0);
        int length = plain.Length;
        if (!tx.ProtectRtcp(buffer, ref length))
            throw new InvalidOperationException($"ProtectRtcp failed: {tx.LastError}");
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Unprotects a copy; null when refused.</summary>
    public static byte[]? UnprotectRtp(SrtpSession rx, byte[] srtp)
    {
        byte[] copy = srtp.ToArray();
        return rx.UnprotectRtp(copy, out int length) ? copy.AsSpan(0, length).ToArray() : null;
    }

    public static byte[]? UnprotectRtcp(SrtpSession rx, byte[] srtcp)
    {
        byte[] copy = srtcp.ToArray();
        return rx.UnprotectRtcp(copy, out int length) ? copy.AsSpan(0, length).ToArray() : null;
    }

    public static (SrtpSession Tx, SrtpSession Rx) Pair(SrtpCryptoSuite suite, SrtpEngineKind engine = SrtpEngineKind.OpenSsl)
    {
        byte[] key = SrtpKeys.Generate(suite);
        return (new SrtpSession(SrtpDirection.Outbound, suite, key, engine), new SrtpSession(SrtpDirection.Inbound, suite, key, engine));
    }
}
