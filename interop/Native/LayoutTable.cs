using System.Runtime.InteropServices;

namespace Mediasoup.Interop.Native;

/// <summary>The shim's table of C layouts and constants (native/msw_layout.c): what this
/// target's C compiler says each mirrored struct looks like, for the interop layout check.</summary>
internal static unsafe partial class LayoutTable
{
    /// <summary>msw_layout_entry: a NUL-terminated key and its value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Entry
    {
        public byte* Name;
        public long Value;
    }

    [LibraryImport(Libraries.Native, EntryPoint = "msw_layout_count")]
    public static partial int Count();

    [LibraryImport(Libraries.Native, EntryPoint = "msw_layout_get")]
    public static partial Entry* Get(int index);
}
