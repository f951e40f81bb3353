using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>
/// Owns one OpenSSL <c>SSL</c>; released with <c>SSL_free</c>, which also frees the BIOs
/// handed to it by <c>SSL_set_bio</c>.
/// </summary>
internal sealed class SafeSslHandle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for returns.
    public SafeSslHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_free(handle);
        return true;
    }
}
