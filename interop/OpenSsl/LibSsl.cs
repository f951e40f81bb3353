using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>
/// libssl (OpenSSL 3.0) entry points used by DTLS. Declarations only. Per-connection calls
/// take the raw <c>SSL*</c>: its owner (a SafeSslHandle) keeps it alive, and OpenSSL
/// callbacks hand back the same raw pointer. Macros of ssl.h are spelled as the
/// SSL_ctrl / SSL_CTX_ctrl calls they expand to, with their command numbers below.
/// </summary>
internal static unsafe partial class LibSsl
{
    // ---- constants (ssl.h, srtp.h) ----

    internal const ulong SSL_OP_NO_QUERY_MTU = 1UL << 12;
    internal const ulong SSL_OP_NO_TICKET = 1UL << 14;
    internal const ulong SSL_OP_CIPHER_SERVER_PREFERENCE = 1UL << 22;

    internal const int SSL_VERIFY_PEER = 0x01;
    internal const int SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 0x02;

    internal const int SSL_SESS_CACHE_OFF = 0;

    internal const int SSL_CTRL_SET_MTU = 17;
    internal const int SSL_CTRL_SET_READ_AHEAD = 41;
    internal const int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
    internal const int DTLS_CTRL_GET_TIMEOUT = 73;
    internal const int DTLS_CTRL_HANDLE_TIMEOUT = 74;
    internal const int DTLS_CTRL_SET_LINK_MTU = 120;

    internal const int SSL_ERROR_NONE = 0;
    internal const int SSL_ERROR_SSL = 1;
    internal const int SSL_ERROR_WANT_READ = 2;
    internal const int SSL_ERROR_WANT_WRITE = 3;
    internal const int SSL_ERROR_WANT_X509_LOOKUP = 4;
    internal const int SSL_ERROR_SYSCALL = 5;
    internal const int SSL_ERROR_ZERO_RETURN = 6;

    internal const int SSL_RECEIVED_SHUTDOWN = 2;

    internal const int SSL_ST_CONNECT = 0x1000;
    internal const int SSL_ST_ACCEPT = 0x2000;
    internal const int SSL_CB_LOOP = 0x01;
    internal const int SSL_CB_EXIT = 0x02;
    internal const int SSL_CB_READ = 0x04;
    internal const int SSL_CB_WRITE = 0x08;
    internal const int SSL_CB_ALERT = 0x4000;
    internal const int SSL_CB_HANDSHAKE_START = 0x10;
    internal const int SSL_CB_HANDSHAKE_DONE = 0x20;

    internal const ulong SRTP_AES128_CM_SHA1_80 = 0x0001;
    internal const ulong SRTP_AES128_CM_SHA1_32 = 0x0002;
    internal const ulong SRTP_AEAD_AES_128_GCM = 0x0007;
    internal const ulong SRTP_AEAD_AES_256_GCM = 0x0008;

    /// <summary>struct timeval on linux-x64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TimeVal
    {
        public nint Seconds;
        public nint Microseconds;
    }

    /// <summary>SRTP_PROTECTION_PROFILE: { const char *name; unsigned long id; }.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SrtpProtectionProfile
    {
        public byte* Name;
        public nuint Id;
    }

    // ---- context ----

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr DTLS_method();

    [LibraryImport(Libraries.Ssl)]
    internal static partial SafeSslCtxHandle SSL_CTX_new(IntPtr method);

    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_CTX_free(IntPtr ctx);

    /// <summary>Takes its own reference to the certificate.</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_CTX_use_certificate(SafeSslCtxHandle ctx, SafeX509Handle x);

    /// <summary>Takes its own reference to the key.</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_CTX_use_PrivateKey(SafeSslCtxHandle ctx, SafeEvpPkeyHandle pkey);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_CTX_check_private_key(SafeSslCtxHandle ctx);

    [LibraryImport(Libraries.Ssl)]
    internal static partial ulong SSL_CTX_set_options(SafeSslCtxHandle ctx, ulong options);

    [LibraryImport(Libraries.Ssl)]
    internal static partial nint SSL_CTX_ctrl(SafeSslCtxHandle ctx, int cmd, nint larg, void* parg);

    /// <summary><paramref name="callback"/>: int (int preverify_ok, X509_STORE_CTX *ctx).</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_CTX_set_verify(
        SafeSslCtxHandle ctx, int mode, delegate* unmanaged<int, IntPtr, int> callback);

    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_CTX_set_verify_depth(SafeSslCtxHandle ctx, int depth);

    [LibraryImport(Libraries.Ssl, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SSL_CTX_set_cipher_list(SafeSslCtxHandle ctx, string list);

    /// <summary>Returns 0 on success (sic).</summary>
    [LibraryImport(Libraries.Ssl, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SSL_CTX_set_tlsext_use_srtp(SafeSslCtxHandle ctx, string profiles);

    // ---- connection ----

    [LibraryImport(Libraries.Ssl)]
    internal static partial SafeSslHandle SSL_new(SafeSslCtxHandle ctx);

    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_free(IntPtr ssl);

    /// <summary>The SSL takes ownership of both BIOs.</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_set_bio(IntPtr ssl, IntPtr rbio, IntPtr wbio);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_set_ex_data(IntPtr ssl, int idx, IntPtr data);

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_get_ex_data(IntPtr ssl, int idx);

    /// <summary><paramref name="callback"/>: void (const SSL *ssl, int where, int ret).</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_set_info_callback(IntPtr ssl, delegate* unmanaged<IntPtr, int, int, void> callback);

    /// <summary><paramref name="callback"/>: unsigned int (SSL *s, unsigned int timer_us).</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial void DTLS_set_timer_cb(IntPtr ssl, delegate* unmanaged<IntPtr, uint, uint> callback);

    [LibraryImport(Libraries.Ssl)]
    internal static partial nint SSL_ctrl(IntPtr ssl, int cmd, nint larg, void* parg);

    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_set_connect_state(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial void SSL_set_accept_state(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_do_handshake(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_read(IntPtr ssl, byte* buf, int num);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_write(IntPtr ssl, byte* buf, int num);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_shutdown(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_get_shutdown(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_get_error(IntPtr ssl, int ret);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_is_init_finished(IntPtr ssl);

    /// <summary>Returns a new reference (the OpenSSL 3 name of SSL_get_peer_certificate).</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial SafeX509Handle SSL_get1_peer_certificate(IntPtr ssl);

    /// <summary>Static profile owned by OpenSSL, or NULL.</summary>
    [LibraryImport(Libraries.Ssl)]
    internal static partial SrtpProtectionProfile* SSL_get_selected_srtp_profile(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial int SSL_export_keying_material(
        IntPtr ssl, byte* output, nuint outputLength, byte* label, nuint labelLength,
        byte* context, nuint contextLength, int useContext);

    // ---- descriptions (static strings) ----

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_state_string_long(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_alert_type_string(int value);

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_alert_desc_string_long(int value);

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_get_version(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_get_current_cipher(IntPtr ssl);

    [LibraryImport(Libraries.Ssl)]
    internal static partial IntPtr SSL_CIPHER_get_name(IntPtr cipher);
}
