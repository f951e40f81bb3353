using System;
using System.Runtime.InteropServices;

namespace Mediasoup.Interop.Wake;

/// <summary>Owns one wake-up handle of the shim; released with <c>msw_async_close</c>, which
/// also closes its eventfd.</summary>
internal sealed class SafeWakeHandle : SafeHandle
{
    // The parameterless constructor is what the LibraryImport marshaller uses for returns.
    public SafeWakeHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Wake.Close(handle);
        return true;
    }
}
