using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.OpenSsl;

/// <summary>Owns an OpenSSL <c>EVP_MAC_CTX</c>; released with <c>EVP_MAC_CTX_free</c>.</summary>
internal sealed class SafeEvpMacCtxHandle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for returns.
    public SafeEvpMacCtxHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_MAC_CTX_free(handle);
        return true;
    }
}
