using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.LibSrtp;

/// <summary>Owns one libsrtp session (<c>srtp_t</c>); released once with <c>srtp_dealloc</c>.</summary>
internal sealed class SafeSrtpSessionHandle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for out parameters.
    public SafeSrtpSessionHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LibSrtp.srtp_dealloc(handle) == SrtpErrorStatus.Ok;
}
