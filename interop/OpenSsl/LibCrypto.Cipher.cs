using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>
/// SHA_CTX (openssl/sha.h): five chaining words, the 64-bit bit count as two words, one
/// 64-byte block and its fill. A plain struct, so a keyed HMAC state can be copied by value
/// instead of duplicated through the EVP layer (which allocates on every copy in 3.0).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Sha1State
{
    public fixed uint H[5];
    public uint Nl;
    public uint Nh;
    public fixed uint Data[16];
    public uint Num;
}

// EVP_CIPHER (symmetric ciphers: AES-CTR and AES-GCM for SRTP) and the low-level SHA-1
// block functions. SHA1_* are deprecated in 3.0 but exported; they run the same SHA-NI
// code as EVP, without the per-call context machinery.
internal static unsafe partial class LibCrypto
{
    internal const int EVP_CTRL_AEAD_SET_IVLEN = 0x9;
    internal const int EVP_CTRL_AEAD_GET_TAG = 0x10;
    internal const int EVP_CTRL_AEAD_SET_TAG = 0x11;

    /// <summary>Returns an owned EVP_CIPHER ("AES-128-CTR", "AES-256-GCM", ...); NULL when unavailable.</summary>
    [LibraryImport(Libraries.Crypto, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr EVP_CIPHER_fetch(IntPtr libctx, string algorithm, string? properties);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void EVP_CIPHER_free(IntPtr cipher);

    [LibraryImport(Libraries.Crypto)]
    internal static partial SafeEvpCipherCtxHandle EVP_CIPHER_CTX_new();

    [LibraryImport(Libraries.Crypto)]
    internal static partial void EVP_CIPHER_CTX_free(IntPtr ctx);

    /// <summary>
    /// NULL cipher/key keep the ones already set, so per packet only the IV changes.
    /// <paramref name="enc"/>: 1 encrypt, 0 decrypt, -1 unchanged.
    /// </summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_CipherInit_ex2(IntPtr ctx, IntPtr cipher, byte* key, byte* iv, int enc, OsslParam* parameters);

    /// <summary>With <paramref name="output"/> NULL on an AEAD cipher the input is additional authenticated data.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_CipherUpdate(IntPtr ctx, byte* output, int* outl, byte* input, int inl);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_CipherFinal_ex(IntPtr ctx, byte* output, int* outl);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_CIPHER_CTX_ctrl(IntPtr ctx, int type, int arg, void* ptr);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int SHA1_Init(Sha1State* state);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int SHA1_Update(Sha1State* state, byte* data, nuint length);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int SHA1_Final(byte* digest, Sha1State* state);
}
