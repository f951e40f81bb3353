using System;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Crypto;

/// <summary>Unpredictable bytes and strings (ICE credentials, SRTP keys) from OpenSSL's CSPRNG.</summary>
internal static unsafe class SecureRandom
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static void Fill(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            if (buffer.Length > 0 && LibCrypto.RAND_bytes(p, buffer.Length) != 1)
                throw new InvalidOperationException("RAND_bytes() failed");
        }
    }

    public static byte[] Bytes(int count)
    {
        var b = new byte[count];
        Fill(b);
        return b;
    }

    /// <summary>Random [a-z0-9] characters, unbiased (rejection sampling).</summary>
    public static string LowerAlphanumeric(int length)
    {
        Span<char> chars = stackalloc char[length];
        Span<byte> pool = stackalloc byte[64];
        int filled = 0;
        while (filled < length)
        {
            Fill(pool);
            foreach (byte b in pool)
            {
                // 252 = 7 * 36: values above it would favour the first letters.
                if (b >= 252)
                    continue;
                chars[filled++] = Alphabet[b % 36];
                if (filled == length)
                    break;
            }
        }
        return new string(chars);
    }
}
