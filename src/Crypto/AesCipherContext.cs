using System;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Crypto;

/// <summary>
/// One keyed OpenSSL cipher context (AES in CTR or GCM mode). The key is set once; each
/// packet only supplies an IV, which is all EVP needs to restart the mode. Not thread-safe.
/// </summary>
internal abstract unsafe class AesCipherContext : IDisposable
{
    private readonly SafeEvpCipherCtxHandle _ctx;

    protected AesCipherContext(string algorithm, ReadOnlySpan<byte> key, int ivLength)
    {
        IntPtr cipher = LibCrypto.EVP_CIPHER_fetch(IntPtr.Zero, algorithm, null);
        if (cipher == IntPtr.Zero)
            throw new InvalidOperationException($"EVP_CIPHER_fetch({algorithm}) failed");
        try
        {
            _ctx = LibCrypto.EVP_CIPHER_CTX_new();
            if (_ctx.IsInvalid)
                throw new InvalidOperationException("EVP_CIPHER_CTX_new failed");
            Ctx = _ctx.DangerousGetHandle();
            bool ok;
            fixed (byte* k = key)
            {
                // The cipher first (IV length can only change before the key is set), then the key.
                ok = LibCrypto.EVP_CipherInit_ex2(Ctx, cipher, null, null, 1, null) == 1
                     && (ivLength == 16 || LibCrypto.EVP_CIPHER_CTX_ctrl(Ctx, LibCrypto.EVP_CTRL_AEAD_SET_IVLEN, ivLength, null) == 1)
                     && LibCrypto.EVP_CipherInit_ex2(Ctx, IntPtr.Zero, k, null, -1, null) == 1;
            }
            if (!ok)
            {
                _ctx.Dispose();
                throw new InvalidOperationException($"{algorithm}: setting the key failed");
            }
        }
        finally
        {
            // The context keeps its own reference to the cipher.
            LibCrypto.EVP_CIPHER_free(cipher);
        }
    }

    /// <summary>The raw EVP_CIPHER_CTX; valid until Dispose (the owner keeps this object alive).</summary>
    protected IntPtr Ctx { get; }

    public void Dispose() => _ctx.Dispose();
}

/// <summary>AES counter mode (RFC 3711 §4.1.1 "AES-CM"): a 16-byte initial counter block per message.</summary>
internal sealed unsafe class AesCtr : AesCipherContext
{
    /// <param name="key">16 or 32 bytes (AES-128 or AES-256).</param>
    public AesCtr(ReadOnlySpan<byte> key)
        : base(key.Length == 32 ? "AES-256-CTR" : key.Length == 16 ? "AES-128-CTR" : throw new ArgumentException("AES key must be 16 or 32 bytes", nameof(key)), key, 16)
    {
    }

    /// <summary>XORs the keystream starting at counter block <paramref name="iv"/> into data, in place.</summary>
    public bool Apply(byte* iv, byte* data, int length)
    {
        if (LibCrypto.EVP_CipherInit_ex2(Ctx, IntPtr.Zero, null, iv, -1, null) != 1)
            return false;
        if (length == 0)
            return true;
        int outl = 0;
        return LibCrypto.EVP_CipherUpdate(Ctx, data, &outl, data, length) == 1 && outl == length;
    }
}

/// <summary>AES-GCM with 12-byte IVs and 16-byte tags (RFC 7714's AEAD_AES_*_GCM).</summary>
internal sealed unsafe class AesGcm : AesCipherContext
{
    public const int IvLength = 12;
    public const int TagLength = 16;

    /// <param name="key">16 or 32 bytes (AES-128 or AES-256).</param>
    public AesGcm(ReadOnlySpan<byte> key)
        : base(key.Length == 32 ? "AES-256-GCM" : key.Length == 16 ? "AES-128-GCM" : throw new ArgumentException("AES key must be 16 or 32 bytes", nameof(key)), key, IvLength)
    {
    }

    /// <summary>
    /// Encrypts data in place (may be empty: then only the AAD is authenticated) and writes
    /// the tag. <paramref name="aad2"/> continues <paramref name="aad"/> (either may be empty).
    /// </summary>
    public bool Seal(byte* iv, byte* aad, int aadLength, byte* aad2, int aad2Length, byte* data, int length, byte* tag)
    {
        int outl = 0;
        if (!Start(iv, 1, aad, aadLength, aad2, aad2Length))
            return false;
        if (length > 0 && LibCrypto.EVP_CipherUpdate(Ctx, data, &outl, data, length) != 1)
            return false;
        return LibCrypto.EVP_CipherFinal_ex(Ctx, data + length, &outl) == 1
               && LibCrypto.EVP_CIPHER_CTX_ctrl(Ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TagLength, tag) == 1;
    }

    /// <summary>
    /// Decrypts data in place and checks the tag; false when it does not match (the data is
    /// then garbage and must be dropped).
    /// </summary>
    public bool Open(byte* iv, byte* aad, int aadLength, byte* aad2, int aad2Length, byte* data, int length, byte* tag)
    {
        int outl = 0;
        if (!Start(iv, 0, aad, aadLength, aad2, aad2Length))
            return false;
        if (length > 0 && LibCrypto.EVP_CipherUpdate(Ctx, data, &outl, data, length) != 1)
            return false;
        if (LibCrypto.EVP_CIPHER_CTX_ctrl(Ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TagLength, tag) != 1)
            return false;
        return LibCrypto.EVP_CipherFinal_ex(Ctx, data + length, &outl) == 1;
    }

    private bool Start(byte* iv, int enc, byte* aad, int aadLength, byte* aad2, int aad2Length)
    {
        int outl = 0;
        if (LibCrypto.EVP_CipherInit_ex2(Ctx, IntPtr.Zero, null, iv, enc, null) != 1)
            return false;
        if (aadLength > 0 && LibCrypto.EVP_CipherUpdate(Ctx, null, &outl, aad, aadLength) != 1)
            return false;
        return aad2Length <= 0 || LibCrypto.EVP_CipherUpdate(Ctx, null, &outl, aad2, aad2Length) == 1;
    }
}
