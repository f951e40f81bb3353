using System;
using Mediasoup.Dtls;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Srtp;

/// <summary>
/// Control-plane helpers for the <c>srtpParameters</c> of Plain/Pipe transports: local key
/// generation and the <c>keyBase64</c> text form. Allocates; not for the packet path.
/// </summary>
internal static unsafe class SrtpKeys
{
    /// <summary>Longest keyBase64 accepted, as the reference (its 64 KiB decode buffer).</summary>
    private const int MaxBase64Length = 65535;

    /// <summary>
    /// A fresh random key‖salt for <paramref name="suite"/>. The reference draws
    /// [0-9a-z] characters from a non-cryptographic PRNG; full-entropy bytes are a valid
    /// key too and the peer cannot tell the difference.
    /// </summary>
    internal static byte[] Generate(SrtpCryptoSuite suite)
    {
        var key = new byte[suite.KeyAndSaltLength()];
        FillRandom(key);
        return key;
    }

    /// <summary>OpenSSL's CSPRNG (System.Security.Cryptography is not used in this project).</summary>
    internal static void FillRandom(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return;
        fixed (byte* p = buffer)
        {
            if (LibCrypto.RAND_bytes(p, buffer.Length) != 1)
                throw new InvalidOperationException($"RAND_bytes() failed: {OpenSslErrors.Take()}");
        }
    }

    /// <summary>Padded standard base64, as the reference emits (40 chars for 28/30 bytes, 60 for 44).</summary>
    internal static string ToBase64(ReadOnlySpan<byte> keyAndSalt) => Convert.ToBase64String(keyAndSalt);

    /// <summary>
    /// Decodes a remote keyBase64 and checks its length against <paramref name="suite"/>.
    /// On failure <paramref name="error"/> is the message the reference puts in its TypeError.
    /// </summary>
    internal static bool TryDecodeKey(
        SrtpCryptoSuite suite, ReadOnlySpan<char> keyBase64, out byte[] keyAndSalt, out string? error)
    {
        if (!TryDecodeBase64(keyBase64, out keyAndSalt, out error))
            return false;
        if (keyAndSalt.Length != suite.KeyAndSaltLength())
        {
            keyAndSalt = [];
            error = "invalid decoded SRTP key length";
            return false;
        }
        return true;
    }

    /// <summary>
    /// Base64 with the reference's leniency, so the same host input is accepted or refused:
    /// characters outside the alphabet are skipped; the alphabet characters and '=' must
    /// come in whole quads; decoding stops after the first quad that holds padding, and a
    /// quad with more than two '=' is an error. (System.Convert is stricter on all three.)
    /// </summary>
    internal static bool TryDecodeBase64(ReadOnlySpan<char> text, out byte[] bytes, out string? error)
    {
        bytes = [];
        if (text.Length > MaxBase64Length)
        {
            error = "data too big";
            return false;
        }

        int symbols = 0;
        foreach (char c in text)
        {
            if (c == '=' || Sextet(c) >= 0)
                symbols++;
        }
        if (symbols == 0 || symbols % 4 != 0)
        {
            error = "invalid data";
            return false;
        }

        var output = new byte[symbols / 4 * 3];
        int written = 0;
        int quad = 0, inQuad = 0, padding = 0;
        foreach (char c in text)
        {
            int value;
            if (c == '=')
            {
                value = 0;
                padding++;
            }
            else if ((value = Sextet(c)) < 0)
            {
                continue;
            }

            quad = (quad << 6) | value;
            if (++inQuad < 4)
                continue;

            output[written++] = (byte)(quad >> 16);
            output[written++] = (byte)(quad >> 8);
            output[written++] = (byte)quad;
            quad = 0;
            inQuad = 0;
            if (padding != 0)
            {
                if (padding > 2)
                {
                    error = "integer padding";
                    return false;
                }
                written -= padding;
                break;
            }
        }

        bytes = written == output.Length ? output : output.AsSpan(0, written).ToArray();
        error = null;
        return true;
    }

    private static int Sextet(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
