using System.Runtime.InteropServices;

namespace Mediasoup.Tests.Srtp;

/// <summary>
/// A page of memory followed by an inaccessible guard page. Data placed flush against the
/// end turns any read or write past it into a SIGSEGV, which takes the test run down: the
/// bluntest possible out-of-bounds detector, with no sanitizer needed.
/// </summary>
internal sealed unsafe partial class GuardedBuffer : IDisposable
{
    private const int PageSize = 4096;
    private const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    private const int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;

    private byte* _base;

    public GuardedBuffer()
    {
        void* p = mmap(null, 2 * PageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == (void*)-1)
            throw new InvalidOperationException("mmap failed");
        _base = (byte*)p;
        if (mprotect(_base + PageSize, PageSize, PROT_NONE) != 0)
            throw new InvalidOperationException("mprotect failed");
    }

    /// <summary>Largest region that fits before the guard page.</summary>
    public const int MaxLength = PageSize;

    /// <summary>Pointer to <paramref name="length"/> bytes ending exactly at the guard page.</summary>
    public byte* Tail(int length) => _base + PageSize - length;

    /// <summary>Copies <paramref name="data"/> flush against the guard page and returns where it starts.</summary>
    public byte* Place(ReadOnlySpan<byte> data, int spare = 0)
    {
        byte* p = Tail(data.Length + spare);
        data.CopyTo(new Span<byte>(p, data.Length));
        return p;
    }

    public void Dispose()
    {
        if (_base != null)
        {
            munmap(_base, 2 * PageSize);
            _base = null;
        }
    }

    [LibraryImport("libc.so.6")]
    private static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc.so.6")]
    private static partial int mprotect(void* addr, nuint length, int prot);

    [LibraryImport("libc.so.6")]
    private static partial int munmap(void* addr, nuint length);
}
