using System.Runtime.InteropServices;

namespace Mediasoup.Interop.Libc;

/// <summary>The libc calls the loop, the channel and the sockets need. Errors come back
/// through SetLastError (read with Marshal.GetLastPInvokeError).</summary>
internal static unsafe partial class Libc
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBADF = 9;
    public const int EADDRINUSE = 98;
    public const int EINPROGRESS = 115;
    public const int ECONNRESET = 104;
    public const int EPIPE = 32;
    public const int ENOBUFS = 105;
    public const int ENOMEM = 12;
    public const int EMFILE = 24;
    public const int ENFILE = 23;
    public const int ECONNABORTED = 103;
    public const int EPROTO = 71;
    public const int ECANCELED = 125;
    public const int EIO = 5;
    public const int EINVAL = 22;
    public const int ENOPROTOOPT = 92;
    public const int EOPNOTSUPP = 95;

    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;

    [LibraryImport(Libraries.C, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Libraries.C, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(Libraries.C, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libraries.C, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(Libraries.C, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Libraries.C, EntryPoint = "getpid")]
    public static partial int GetPid();

    /// <summary>glibc: returns free heap memory to the system; 1 if any was released.</summary>
    [LibraryImport(Libraries.C, EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);

    [LibraryImport(Libraries.C, EntryPoint = "strerror")]
    public static partial nint StrError(int errnum);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(StrError(errno)) ?? $"errno {errno}";

    public static bool SetNonBlocking(int fd)
    {
        int flags = Fcntl(fd, F_GETFL, 0);
        if (flags < 0)
            return false;
        return (flags & O_NONBLOCK) != 0 || Fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
    }

    // ---- epoll ----
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const int EPOLL_CLOEXEC = O_CLOEXEC;

    /// <summary>struct epoll_event: the kernel packs it on x86-64 only (12 bytes, data at 4);
    /// on arm64 it has natural alignment (16 bytes, data at 8). NativeAOT compiles per RID, so
    /// the layout is chosen at compile time (TARGET_ARM64 comes from Worker.csproj); the shim's
    /// layout table (native/msw_layout.c) checks it on both.</summary>
#if TARGET_ARM64
    [StructLayout(LayoutKind.Sequential)]
#else
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
#endif
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport(Libraries.C, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Libraries.C, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(Libraries.C, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeoutMs);

    // ---- eventfd ----
    public const int EFD_CLOEXEC = O_CLOEXEC;
    public const int EFD_NONBLOCK = O_NONBLOCK;

    [LibraryImport(Libraries.C, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    // ---- signals ----
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGPIPE = 13;
    public const int SIGALRM = 14;
    public const int SIGTERM = 15;
    public static readonly nint SIG_IGN = 1;

    [LibraryImport(Libraries.C, EntryPoint = "signal", SetLastError = true)]
    public static partial nint Signal(int signum, nint handler);

    /// <summary>_exit: ends the process at once, without running anything of the runtime's.</summary>
    [LibraryImport(Libraries.C, EntryPoint = "_exit")]
    public static partial void Exit(int status);

    // ---- poll (the shutdown watchdog's thread) ----
    public const short POLLIN = 0x001;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport(Libraries.C, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    // ---- resource usage ----
    public const int RUSAGE_SELF = 0;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timeval
    {
        public long Sec;
        public long Usec;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public Timeval Utime;
        public Timeval Stime;
        public long Maxrss;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }

    [LibraryImport(Libraries.C, EntryPoint = "getrusage", SetLastError = true)]
    public static partial int GetRusage(int who, Rusage* usage);

    // ---- clock ----
    public const int CLOCK_MONOTONIC = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [LibraryImport(Libraries.C, EntryPoint = "clock_gettime")]
    public static partial int ClockGetTime(int clockId, Timespec* ts);

    // ---- file type (statx: one struct layout on every architecture) ----
    public const int AT_FDCWD = -100;
    public const uint STATX_TYPE = 0x1;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
    public const int StatxSize = 256;       // sizeof(struct statx)
    public const int StatxModeOffset = 28;  // stx_mode

    [LibraryImport(Libraries.C, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirFd, string path, int flags, uint mask, byte* statxBuf);

    /// <summary>The S_IFMT bits of path (symlinks followed, like stat); false when statx fails.</summary>
    public static bool TryGetFileType(string path, out int type)
    {
        byte* buf = stackalloc byte[StatxSize];
        if (Statx(AT_FDCWD, path, 0, STATX_TYPE, buf) != 0)
        {
            type = 0;
            return false;
        }
        type = *(ushort*)(buf + StatxModeOffset) & S_IFMT;
        return true;
    }
}
