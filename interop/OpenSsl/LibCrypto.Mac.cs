using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>OSSL_PARAM (OpenSSL 3.0 params.h): one typed key/value for *_set_params.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OsslParam
{
    public byte* Key;
    public uint DataType;
    public void* Data;
    public nuint DataSize;
    public nuint ReturnSize;

    public const uint Utf8String = 4;
}

// EVP_MAC (the OpenSSL 3.0 MAC API; HMAC_CTX is deprecated) and CRYPTO_memcmp. Kept in their
// own part of LibCrypto so the declarations stay grouped by OpenSSL header.
internal static unsafe partial class LibCrypto
{
    /// <summary>Returns an owned EVP_MAC (release with EVP_MAC_free), NULL when unavailable.</summary>
    [LibraryImport(Libraries.Crypto, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr EVP_MAC_fetch(IntPtr libctx, string algorithm, string? properties);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void EVP_MAC_free(IntPtr mac);

    /// <summary>The context takes its own reference to <paramref name="mac"/>.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial SafeEvpMacCtxHandle EVP_MAC_CTX_new(IntPtr mac);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void EVP_MAC_CTX_free(IntPtr ctx);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_MAC_CTX_set_params(SafeEvpMacCtxHandle ctx, OsslParam* parameters);

    /// <summary>A NULL <paramref name="key"/> re-uses the previous key.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_MAC_init(SafeEvpMacCtxHandle ctx, byte* key, nuint keylen, OsslParam* parameters);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_MAC_update(SafeEvpMacCtxHandle ctx, byte* data, nuint datalen);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_MAC_final(SafeEvpMacCtxHandle ctx, byte* output, nuint* outl, nuint outsize);

    /// <summary>Constant-time comparison: 0 when equal.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial int CRYPTO_memcmp(byte* a, byte* b, nuint len);
}
