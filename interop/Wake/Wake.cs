using System.Runtime.InteropServices;

namespace Mediasoup.Interop.Wake;

/// <summary>Library mode's wake-up handles in the native/ shim (native/msw_async.c): the
/// opaque handle the host passes to <c>uv_async_send</c>, backed by an eventfd.</summary>
internal static unsafe partial class Wake
{
    /// <summary>A new handle and its non-blocking eventfd (owned by the shim); null on failure (errno).</summary>
    [LibraryImport(Libraries.Native, EntryPoint = "msw_async_open", SetLastError = true)]
    public static partial SafeWakeHandle Open(int* fd);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_async_close")]
    public static partial void Close(nint handle);

    /// <summary>What the host calls: 0, or -EINVAL once the handle is closed.</summary>
    [LibraryImport(Libraries.Native, EntryPoint = "uv_async_send")]
    public static partial int Send(nint handle);
}
