using System;
using Mediasoup.Crypto;

namespace Mediasoup.Srtp;

/// <summary>
/// The SRTP key derivation function (RFC 3711 §4.3.1 with key_derivation_rate 0; RFC 6188
/// for AES-256; RFC 7714 §11 for the GCM suites' 12-byte salts): AES counter mode keyed
/// with the master key, starting at (master salt ⊕ label·2^48)·2^16.
/// </summary>
internal static unsafe class SrtpKeyDerivation
{
    internal const byte RtpEncryption = 0x00;
    internal const byte RtpAuthentication = 0x01;
    internal const byte RtpSalt = 0x02;
    internal const byte RtcpEncryption = 0x03;
    internal const byte RtcpAuthentication = 0x04;
    internal const byte RtcpSalt = 0x05;

    /// <summary>Fills <paramref name="output"/> with the session key material for <paramref name="label"/>.</summary>
    /// <param name="masterSalt">14 bytes (AES-CM) or 12 (GCM, zero-extended to 14 as libsrtp does).</param>
    internal static void Derive(AesCtr prf, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterSalt.Length > 14)
            throw new ArgumentException("master salt longer than 112 bits", nameof(masterSalt));
        byte* iv = stackalloc byte[16];
        new Span<byte>(iv, 16).Clear();
        masterSalt.CopyTo(new Span<byte>(iv, 14));
        // key_id = label ‖ r (48 bits, r = 0) sits right-aligned in the 112-bit salt.
        iv[7] ^= label;
        output.Clear();
        fixed (byte* o = output)
        {
            if (!prf.Apply(iv, o, output.Length))
                throw new InvalidOperationException("SRTP key derivation failed");
        }
    }
}
