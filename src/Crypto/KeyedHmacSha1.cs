using System;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Crypto;

/// <summary>
/// HMAC-SHA1 (RFC 2104) for one fixed key, as used per packet by SRTP: the SHA-1 states after
/// absorbing key⊕ipad and key⊕opad are computed once, and each MAC starts from copies of
/// them. Saves two compressions per message and, unlike EVP_MAC_init, allocates nothing.
/// </summary>
internal sealed unsafe class KeyedHmacSha1
{
    public const int Length = 20;
    private const int BlockLength = 64;

    private Sha1State _inner;
    private Sha1State _outer;

    public KeyedHmacSha1(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        block.Clear();
        if (key.Length > BlockLength)
        {
            fixed (byte* k = key)
            fixed (byte* b = block)
            {
                Sha1State s;
                LibCrypto.SHA1_Init(&s);
                LibCrypto.SHA1_Update(&s, k, (nuint)key.Length);
                LibCrypto.SHA1_Final(b, &s);
            }
        }
        else
        {
            key.CopyTo(block);
        }

        Span<byte> pad = stackalloc byte[BlockLength];
        fixed (byte* p = pad)
        fixed (Sha1State* inner = &_inner)
        fixed (Sha1State* outer = &_outer)
        {
            for (int i = 0; i < BlockLength; i++)
                p[i] = (byte)(block[i] ^ 0x36);
            LibCrypto.SHA1_Init(inner);
            LibCrypto.SHA1_Update(inner, p, BlockLength);
            for (int i = 0; i < BlockLength; i++)
                p[i] = (byte)(block[i] ^ 0x5c);
            LibCrypto.SHA1_Init(outer);
            LibCrypto.SHA1_Update(outer, p, BlockLength);
        }
        block.Clear();
        pad.Clear();
    }

    /// <summary>MAC of data‖suffix (the suffix may be empty) into <paramref name="mac"/> (20 bytes).</summary>
    public void Compute(byte* data, int length, byte* suffix, int suffixLength, byte* mac)
    {
        Sha1State s = _inner;
        if (length > 0)
            LibCrypto.SHA1_Update(&s, data, (nuint)length);
        if (suffixLength > 0)
            LibCrypto.SHA1_Update(&s, suffix, (nuint)suffixLength);
        byte* innerDigest = stackalloc byte[Length];
        LibCrypto.SHA1_Final(innerDigest, &s);
        s = _outer;
        LibCrypto.SHA1_Update(&s, innerDigest, Length);
        LibCrypto.SHA1_Final(mac, &s);
    }
}
