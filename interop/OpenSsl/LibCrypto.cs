using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>
/// libcrypto (OpenSSL 3.0) entry points. Declarations only: callers own the logic and
/// the error handling. Pointers that OpenSSL hands out without transferring ownership
/// (X509_get_subject_name, X509_getm_notBefore, EVP_sha256, ...) are plain IntPtr;
/// owned objects come back as SafeHandles so they have exactly one release path.
/// C `long`/`unsigned long` are 64-bit on linux-x64, hence nint/nuint.
/// </summary>
internal static unsafe partial class LibCrypto
{
    // ---- errors (the queue is thread-local inside OpenSSL) ----

    [LibraryImport(Libraries.Crypto)]
    internal static partial nuint ERR_get_error();

    [LibraryImport(Libraries.Crypto)]
    internal static partial void ERR_error_string_n(nuint e, byte* buf, nuint len);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void ERR_clear_error();

    // ---- random ----

    [LibraryImport(Libraries.Crypto)]
    internal static partial int RAND_bytes(byte* buf, int num);

    // ---- keys ----

    [LibraryImport(Libraries.Crypto, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr EVP_PKEY_CTX_new_from_name(IntPtr libctx, string name, string? propquery);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void EVP_PKEY_CTX_free(IntPtr ctx);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_PKEY_keygen_init(IntPtr ctx);

    [LibraryImport(Libraries.Crypto, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int EVP_PKEY_CTX_set_group_name(IntPtr ctx, string name);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_PKEY_generate(IntPtr ctx, out SafeEvpPkeyHandle ppkey);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int EVP_PKEY_up_ref(IntPtr pkey);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void EVP_PKEY_free(IntPtr pkey);

    // ---- digests (static, never freed) ----

    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr EVP_sha1();

    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr EVP_sha224();

    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr EVP_sha256();

    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr EVP_sha384();

    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr EVP_sha512();

    // ---- X.509 ----

    [LibraryImport(Libraries.Crypto)]
    internal static partial SafeX509Handle X509_new();

    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_up_ref(IntPtr x);

    [LibraryImport(Libraries.Crypto)]
    internal static partial void X509_free(IntPtr x);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_set_version(SafeX509Handle x, nint version);

    /// <summary>Internal pointer into <paramref name="x"/>; not owned.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr X509_get_serialNumber(SafeX509Handle x);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int ASN1_INTEGER_set_uint64(IntPtr a, ulong r);

    /// <summary>Internal pointer into <paramref name="x"/>; not owned.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr X509_getm_notBefore(SafeX509Handle x);

    /// <summary>Internal pointer into <paramref name="x"/>; not owned.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr X509_getm_notAfter(SafeX509Handle x);

    /// <summary>Returns the (internal) ASN1_TIME passed in, or NULL on failure.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr X509_gmtime_adj(IntPtr s, nint adj);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_set_pubkey(SafeX509Handle x, SafeEvpPkeyHandle pkey);

    /// <summary>Internal pointer into <paramref name="x"/>; not owned.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr X509_get_subject_name(SafeX509Handle x);

    /// <summary>Copies <paramref name="name"/>.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_set_issuer_name(SafeX509Handle x, IntPtr name);

    internal const int MBSTRING_ASC = 0x1000 | 1;

    [LibraryImport(Libraries.Crypto, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int X509_NAME_add_entry_by_txt(
        IntPtr name, string field, int type, string bytes, int len, int loc, int set);

    /// <summary>Returns the signature size, 0 on failure.</summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_sign(SafeX509Handle x, SafeEvpPkeyHandle pkey, IntPtr md);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_digest(SafeX509Handle data, IntPtr type, byte* md, uint* len);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int X509_check_private_key(SafeX509Handle x, SafeEvpPkeyHandle pkey);

    // ---- BIO / PEM ----

    [LibraryImport(Libraries.Crypto, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeBioHandle BIO_new_file(string filename, string mode);

    [LibraryImport(Libraries.Crypto)]
    internal static partial IntPtr BIO_s_mem();

    [LibraryImport(Libraries.Crypto)]
    internal static partial SafeBioHandle BIO_new(IntPtr type);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int BIO_free(IntPtr a);

    /// <summary>BIO_get_mem_data(b, pp) is the macro BIO_ctrl(b, BIO_CTRL_INFO, 0, pp).</summary>
    internal const int BIO_CTRL_INFO = 3;

    [LibraryImport(Libraries.Crypto)]
    internal static partial nint BIO_ctrl(SafeBioHandle bp, int cmd, nint larg, void* parg);

    /// <summary>
    /// <paramref name="cb"/> is a pem_password_cb: int (char *buf, int size, int rwflag, void *u).
    /// NULL selects OpenSSL's default, which prompts on the terminal.
    /// </summary>
    [LibraryImport(Libraries.Crypto)]
    internal static partial SafeX509Handle PEM_read_bio_X509(
        SafeBioHandle bp, IntPtr x, delegate* unmanaged<byte*, int, int, void*, int> cb, void* u);

    /// <inheritdoc cref="PEM_read_bio_X509"/>
    [LibraryImport(Libraries.Crypto)]
    internal static partial SafeEvpPkeyHandle PEM_read_bio_PrivateKey(
        SafeBioHandle bp, IntPtr x, delegate* unmanaged<byte*, int, int, void*, int> cb, void* u);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int PEM_write_bio_X509(SafeBioHandle bp, SafeX509Handle x);

    // ---- memory BIOs owned by an SSL (after SSL_set_bio), so raw pointers ----

    internal const int BIO_CTRL_RESET = 1;
    internal const int BIO_CTRL_PENDING = 10;

    /// <summary>Unowned: ownership goes to SSL_set_bio (or BIO_free on failure).</summary>
    [LibraryImport(Libraries.Crypto, EntryPoint = "BIO_new")]
    internal static partial IntPtr BIO_new_raw(IntPtr type);

    [LibraryImport(Libraries.Crypto)]
    internal static partial nint BIO_ctrl(IntPtr bp, int cmd, nint larg, void* parg);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int BIO_write(IntPtr b, byte* data, int dlen);

    [LibraryImport(Libraries.Crypto)]
    internal static partial int BIO_read(IntPtr b, byte* data, int dlen);
}
