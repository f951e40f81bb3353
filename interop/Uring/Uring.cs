using System.Runtime.InteropServices;

namespace Mediasoup.Interop.Uring;

/// <summary>The native/ shim over liburing (see native/msw_native.h).</summary>
internal static unsafe partial class Uring
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Event
    {
        public ulong Token;
        public int Result;
        public uint More;
    }

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_create")]
    public static partial nint Create(uint entries, int* err);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_destroy")]
    public static partial void Destroy(nint ring);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_poll_add")]
    public static partial int PollAdd(nint ring, int fd, uint mask, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_poll_remove")]
    public static partial int PollRemove(nint ring, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_wait")]
    public static partial int Wait(nint ring, Event* events, int max, int timeoutMs);
}
