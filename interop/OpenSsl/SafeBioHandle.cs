using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>Owns one reference to an OpenSSL <c>BIO</c>; released with <c>BIO_free</c>.</summary>
internal sealed class SafeBioHandle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for returns.
    public SafeBioHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibCrypto.BIO_free(handle);
        return true;
    }
}
