using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>Owns one reference to an OpenSSL <c>SSL_CTX</c>; released with <c>SSL_CTX_free</c>.</summary>
internal sealed class SafeSslCtxHandle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for returns.
    public SafeSslCtxHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_CTX_free(handle);
        return true;
    }
}
