using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.LibSrtp;

/// <summary>srtp_err_status_t (srtp.h). libsrtp 2.5 defines 0..27.</summary>
internal enum SrtpErrorStatus : int
{
    Ok = 0,
    Fail = 1,
    BadParam = 2,
    AllocFail = 3,
    DeallocFail = 4,
    InitFail = 5,
    Terminus = 6,
    AuthFail = 7,
    CipherFail = 8,
    ReplayFail = 9,
    ReplayOld = 10,
    AlgoFail = 11,
    NoSuchOp = 12,
    NoCtx = 13,
    CantCheck = 14,
    KeyExpired = 15,
    SocketErr = 16,
    SignalErr = 17,
    NonceBad = 18,
    ReadFail = 19,
    WriteFail = 20,
    ParseErr = 21,
    EncodeErr = 22,
    SemaphoreErr = 23,
    PfkeyErr = 24,
    BadMki = 25,
    PktIdxOld = 26,
    PktIdxAdv = 27,

    /// <summary>
    /// Not returned by libsrtp 2.5 (its in-place API cannot see the buffer size); we set it
    /// ourselves when the caller's buffer cannot take the trailer. Same value as libsrtp 3's
    /// srtp_err_status_buffer_small, which the reference logs.
    /// </summary>
    BufferSmall = 28,
}

/// <summary>srtp_ssrc_type_t.</summary>
internal enum SrtpSsrcType : int
{
    Undefined = 0,
    Specific = 1,
    AnyInbound = 2,
    AnyOutbound = 3,
}

/// <summary>srtp_crypto_policy_t: 24 bytes, six 32-bit fields.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SrtpCryptoPolicy
{
    public uint CipherType;
    public int CipherKeyLen;
    public uint AuthType;
    public int AuthKeyLen;
    public int AuthTagLen;
    public int SecServ;
}

/// <summary>
/// srtp_policy_t of libsrtp 2.5 on linux-x64 (LP64): 128 bytes. Offsets checked against
/// the C header with gcc (see tests/Worker.Tests/Srtp/srtp_policy_layout.c); explicit so a
/// field moved by mistake cannot silently shift the rest.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal unsafe struct SrtpPolicy
{
    [FieldOffset(0)] public SrtpSsrcType SsrcType;
    [FieldOffset(4)] public uint SsrcValue;
    [FieldOffset(8)] public SrtpCryptoPolicy Rtp;
    [FieldOffset(32)] public SrtpCryptoPolicy Rtcp;
    /// <summary>Master key immediately followed by the master salt.</summary>
    [FieldOffset(56)] public byte* Key;
    /// <summary>srtp_master_key_t** (MKI keys); null when <see cref="Key"/> is used.</summary>
    [FieldOffset(64)] public void* Keys;
    [FieldOffset(72)] public nuint NumMasterKeys;
    [FieldOffset(80)] public void* DeprecatedEkt;
    /// <summary>Replay window in packets; 0 = libsrtp's default (128), else 64..32767.</summary>
    [FieldOffset(88)] public nuint WindowSize;
    /// <summary>0 or 1 (anything else is bad_param).</summary>
    [FieldOffset(96)] public int AllowRepeatTx;
    [FieldOffset(104)] public int* EncXtnHdr;
    [FieldOffset(112)] public int EncXtnHdrCount;
    [FieldOffset(120)] public SrtpPolicy* Next;
}

/// <summary>
/// libsrtp2 (2.5) entry points. Declarations only. protect/unprotect work in place on
/// (pointer, int* length); protect appends the trailer past the given length, so the caller
/// guarantees the room. The session is an opaque srtp_t.
/// </summary>
internal static unsafe partial class LibSrtp
{
    /// <summary>SRTP_MAX_TAG_LEN.</summary>
    internal const int MaxTagLength = 16;

    /// <summary>SRTCP E flag + 31-bit index appended by srtp_protect_rtcp.</summary>
    internal const int SrtcpIndexLength = 4;

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_init();

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_shutdown();

    /// <summary>Static string, not owned.</summary>
    [LibraryImport(Libraries.Srtp)]
    internal static partial IntPtr srtp_get_version_string();

    /// <summary>On failure <paramref name="session"/> is left invalid (nothing to free).</summary>
    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_create(out SafeSrtpSessionHandle session, SrtpPolicy* policy);

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_dealloc(IntPtr session);

    /// <summary><paramref name="ssrcNetworkOrder"/>: the SSRC as it sits in the packet (big-endian).</summary>
    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_remove_stream(IntPtr session, uint ssrcNetworkOrder);

    // The per-packet calls take the raw srtp_t: the owner keeps its SafeHandle alive across
    // the call, which spares two interlocked ref-count operations per packet.

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_protect(IntPtr session, byte* rtp, int* length);

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_unprotect(IntPtr session, byte* srtp, int* length);

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_protect_rtcp(IntPtr session, byte* rtcp, int* length);

    [LibraryImport(Libraries.Srtp)]
    internal static partial SrtpErrorStatus srtp_unprotect_rtcp(IntPtr session, byte* srtcp, int* length);

    // ---- crypto policies (srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 is a macro for
    // srtp_crypto_policy_set_rtp_default, hence no export of that name) ----

    [LibraryImport(Libraries.Srtp)]
    internal static partial void srtp_crypto_policy_set_rtp_default(SrtpCryptoPolicy* policy);

    [LibraryImport(Libraries.Srtp)]
    internal static partial void srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(SrtpCryptoPolicy* policy);

    [LibraryImport(Libraries.Srtp)]
    internal static partial void srtp_crypto_policy_set_aes_gcm_128_16_auth(SrtpCryptoPolicy* policy);

    [LibraryImport(Libraries.Srtp)]
    internal static partial void srtp_crypto_policy_set_aes_gcm_256_16_auth(SrtpCryptoPolicy* policy);
}
