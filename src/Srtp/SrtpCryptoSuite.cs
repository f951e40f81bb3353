using System;

namespace Mediasoup.Srtp;

/// <summary>Same numbering as FBS.SrtpParameters.SrtpCryptoSuite, so it casts across.</summary>
internal enum SrtpCryptoSuite : byte
{
    AeadAes256Gcm = 0,
    AeadAes128Gcm = 1,
    AesCm128HmacSha1_80 = 2,
    AesCm128HmacSha1_32 = 3,
}

internal static class SrtpCryptoSuites
{
    /// <summary>Every suite, in the DTLS use_srtp preference order (RFC 5764 / RFC 7714 profiles).</summary>
    internal static ReadOnlySpan<SrtpCryptoSuite> All =>
    [
        SrtpCryptoSuite.AeadAes256Gcm,
        SrtpCryptoSuite.AeadAes128Gcm,
        SrtpCryptoSuite.AesCm128HmacSha1_80,
        SrtpCryptoSuite.AesCm128HmacSha1_32,
    ];

    internal static bool IsValid(this SrtpCryptoSuite suite) => (byte)suite <= (byte)SrtpCryptoSuite.AesCm128HmacSha1_32;

    /// <summary>The host's name ("AEAD_AES_256_GCM", ...).</summary>
    internal static string ToName(this SrtpCryptoSuite suite) => suite switch
    {
        SrtpCryptoSuite.AeadAes256Gcm => "AEAD_AES_256_GCM",
        SrtpCryptoSuite.AeadAes128Gcm => "AEAD_AES_128_GCM",
        SrtpCryptoSuite.AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        SrtpCryptoSuite.AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        _ => throw new ArgumentOutOfRangeException(nameof(suite)),
    };

    /// <summary>Parses the host's name, exactly (the host only ever sends these spellings).</summary>
    internal static bool TryParse(ReadOnlySpan<char> name, out SrtpCryptoSuite suite)
    {
        foreach (SrtpCryptoSuite candidate in All)
        {
            if (name.SequenceEqual(candidate.ToName()))
            {
                suite = candidate;
                return true;
            }
        }
        suite = default;
        return false;
    }

    /// <summary>Master key length in bytes.</summary>
    internal static int KeyLength(this SrtpCryptoSuite suite) => suite switch
    {
        SrtpCryptoSuite.AeadAes256Gcm => 32,
        SrtpCryptoSuite.AeadAes128Gcm or SrtpCryptoSuite.AesCm128HmacSha1_80 or SrtpCryptoSuite.AesCm128HmacSha1_32 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(suite)),
    };

    /// <summary>Master salt length in bytes: 12 for AEAD (RFC 7714 §12), 14 for AES-CM (RFC 3711 §8.2).</summary>
    internal static int SaltLength(this SrtpCryptoSuite suite) => suite switch
    {
        SrtpCryptoSuite.AeadAes256Gcm or SrtpCryptoSuite.AeadAes128Gcm => 12,
        SrtpCryptoSuite.AesCm128HmacSha1_80 or SrtpCryptoSuite.AesCm128HmacSha1_32 => 14,
        _ => throw new ArgumentOutOfRangeException(nameof(suite)),
    };

    /// <summary>Length of the concatenated key‖salt the sessions and key_base64 carry (44, 28, 30, 30).</summary>
    internal static int KeyAndSaltLength(this SrtpCryptoSuite suite) => suite.KeyLength() + suite.SaltLength();
}
