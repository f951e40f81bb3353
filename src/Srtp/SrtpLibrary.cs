using System;
using System.Runtime.InteropServices;
using System.Threading;
using Mediasoup.Interop.LibSrtp;

namespace Mediasoup.Srtp;

/// <summary>Creating an SRTP session (or initialising libsrtp) failed.</summary>
internal sealed class SrtpException : Exception
{
    public SrtpException(string message, SrtpErrorStatus status)
        : base($"{message}: {SrtpLibrary.ErrorString(status)}") => Status = status;

    public SrtpErrorStatus Status { get; }
}

/// <summary>
/// libsrtp's process-wide set-up. libsrtp keeps its crypto kernel in C globals, so this is
/// the one deliberate piece of static state: written once, by whichever worker gets here
/// first, then read-only; several workers in one process share it. srtp_shutdown is never
/// called: another worker may still be using the library, and the OS reclaims it at exit.
/// </summary>
internal static class SrtpLibrary
{
    private static readonly Lazy<SrtpErrorStatus> InitStatus =
        new(static () => LibSrtp.srtp_init(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs srtp_init once per process; thread-safe and idempotent. Throws if it failed.</summary>
    internal static void EnsureInitialized()
    {
        SrtpErrorStatus status = InitStatus.Value;
        if (status != SrtpErrorStatus.Ok)
            throw new SrtpException("srtp_init() failed", status);
    }

    /// <summary>"libsrtp2 2.5.0" (the reference logs it at start-up).</summary>
    internal static string Version => Marshal.PtrToStringUTF8(LibSrtp.srtp_get_version_string()) ?? "";

    /// <summary>The description srtp.h gives each status; what the reference puts in its logs.</summary>
    internal static string ErrorString(SrtpErrorStatus status) => status switch
    {
        SrtpErrorStatus.Ok => "nothing to report",
        SrtpErrorStatus.Fail => "unspecified failure",
        SrtpErrorStatus.BadParam => "unsupported parameter",
        SrtpErrorStatus.AllocFail => "couldn't allocate memory",
        SrtpErrorStatus.DeallocFail => "couldn't deallocate properly",
        SrtpErrorStatus.InitFail => "couldn't initialize",
        SrtpErrorStatus.Terminus => "can't process as much data as requested",
        SrtpErrorStatus.AuthFail => "authentication failure",
        SrtpErrorStatus.CipherFail => "cipher failure",
        SrtpErrorStatus.ReplayFail => "replay check failed (bad index)",
        SrtpErrorStatus.ReplayOld => "replay check failed (index too old)",
        SrtpErrorStatus.AlgoFail => "algorithm failed test routine",
        SrtpErrorStatus.NoSuchOp => "unsupported operation",
        SrtpErrorStatus.NoCtx => "no appropriate context found",
        SrtpErrorStatus.CantCheck => "unable to perform desired validation",
        SrtpErrorStatus.KeyExpired => "can't use key any more",
        SrtpErrorStatus.SocketErr => "error in use of socket",
        SrtpErrorStatus.SignalErr => "error in use POSIX signals",
        SrtpErrorStatus.NonceBad => "nonce check failed",
        SrtpErrorStatus.ReadFail => "couldn't read data",
        SrtpErrorStatus.WriteFail => "couldn't write data",
        SrtpErrorStatus.ParseErr => "error parsing data",
        SrtpErrorStatus.EncodeErr => "error encoding data",
        SrtpErrorStatus.SemaphoreErr => "error while using semaphores",
        SrtpErrorStatus.PfkeyErr => "error while using pfkey",
        SrtpErrorStatus.BadMki => "error MKI present in packet is invalid",
        SrtpErrorStatus.PktIdxOld => "packet index is too old to consider",
        SrtpErrorStatus.PktIdxAdv => "packet index advanced, reset needed",
        SrtpErrorStatus.BufferSmall => "out buffer is too small",
        _ => "unknown libsrtp error",
    };
}
