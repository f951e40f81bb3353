using System;
using Mediasoup.Interop.OpenSsl;
using Mediasoup.Srtp;

namespace Mediasoup.Dtls;

/// <summary>The use_srtp profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) for our SRTP suites.</summary>
internal static class DtlsSrtpProfiles
{
    /// <summary>OpenSSL's profile name, as SSL_CTX_set_tlsext_use_srtp takes it.</summary>
    internal static string ToOpenSslName(SrtpCryptoSuite suite) => suite switch
    {
        SrtpCryptoSuite.AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        SrtpCryptoSuite.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        SrtpCryptoSuite.AesCm128HmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
        SrtpCryptoSuite.AesCm128HmacSha1_32 => "SRTP_AES128_CM_SHA1_32",
        _ => throw new ArgumentOutOfRangeException(nameof(suite)),
    };

    /// <summary>The profile identifier on the wire (and SRTP_PROTECTION_PROFILE.id).</summary>
    internal static bool TryFromProfileId(ulong id, out SrtpCryptoSuite suite)
    {
        switch (id)
        {
            case LibSsl.SRTP_AEAD_AES_256_GCM: suite = SrtpCryptoSuite.AeadAes256Gcm; return true;
            case LibSsl.SRTP_AEAD_AES_128_GCM: suite = SrtpCryptoSuite.AeadAes128Gcm; return true;
            case LibSsl.SRTP_AES128_CM_SHA1_80: suite = SrtpCryptoSuite.AesCm128HmacSha1_80; return true;
            case LibSsl.SRTP_AES128_CM_SHA1_32: suite = SrtpCryptoSuite.AesCm128HmacSha1_32; return true;
            default: suite = default; return false;
        }
    }

    /// <summary>"A:B:C" in the given order.</summary>
    internal static string ToOpenSslList(ReadOnlySpan<SrtpCryptoSuite> suites)
    {
        if (suites.IsEmpty)
            throw new ArgumentException("at least one SRTP crypto suite is needed", nameof(suites));
        var names = new string[suites.Length];
        for (int i = 0; i < suites.Length; i++)
            names[i] = ToOpenSslName(suites[i]);
        return string.Join(':', names);
    }
}
