using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>Owns one reference to an OpenSSL <c>X509</c>; released with <c>X509_free</c>.</summary>
internal sealed class SafeX509Handle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for returns.
    public SafeX509Handle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibCrypto.X509_free(handle);
        return true;
    }
}
