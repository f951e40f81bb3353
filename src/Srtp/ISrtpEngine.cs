using System;
using Mediasoup.Interop.LibSrtp;

namespace Mediasoup.Srtp;

/// <summary>Which implementation carries a worker's SRTP sessions.</summary>
internal enum SrtpEngineKind : byte
{
    /// <summary>Our RFC 3711/7714 transforms over OpenSSL's AES and SHA-1 (the default).</summary>
    OpenSsl = 0,
    /// <summary>libsrtp2 as Debian ships it (NSS-backed crypto: ~4× slower for the SHA-1 suites).</summary>
    LibSrtp = 1,
}

/// <summary>
/// One keyed SRTP/SRTCP context, both directions' packet transforms. Per-packet calls work in
/// place on a buffer the caller guarantees has room for the trailer, and never throw.
/// </summary>
internal unsafe interface ISrtpEngine : IDisposable
{
    int RtpTrailerLength { get; }
    int RtcpTrailerLength { get; }

    SrtpErrorStatus ProtectRtp(byte* data, ref int length);
    SrtpErrorStatus UnprotectRtp(byte* data, ref int length);
    SrtpErrorStatus ProtectRtcp(byte* data, ref int length);
    SrtpErrorStatus UnprotectRtcp(byte* data, ref int length);

    /// <summary>Forgets the per-SSRC state (rollover counter, replay windows, SRTCP index).</summary>
    void RemoveStream(uint ssrc);
}

internal static class SrtpEngines
{
    /// <summary>MEDIASOUP_WORKER_SRTP: "libsrtp" selects libsrtp2; unset, empty or "openssl" the default.</summary>
    internal static SrtpEngineKind FromEnvironment(string? value) =>
        string.Equals(value, "libsrtp", StringComparison.OrdinalIgnoreCase) ? SrtpEngineKind.LibSrtp : SrtpEngineKind.OpenSsl;
}
