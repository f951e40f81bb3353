using System.Runtime.InteropServices;

namespace Mediasoup.Interop.Libc;

/// <summary>BSD socket calls on raw fds: the worker keeps sockets on its own loop,
/// so System.Net.Sockets is not used.</summary>
internal static unsafe partial class Sockets
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int IPPROTO_TCP = 6;
    public const int IPPROTO_UDP = 17;
    public const int IPPROTO_IPV6 = 41;

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_REUSEPORT = 15;
    public const int IPV6_V6ONLY = 26;
    public const int TCP_NODELAY = 1;

    /// <summary>Large enough for sockaddr_in and sockaddr_in6.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 28)]
    public struct SockAddrStorage
    {
        public ushort Family;
    }

    [LibraryImport(Libraries.C, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libraries.C, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* addr, int addrLen);

    [LibraryImport(Libraries.C, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport(Libraries.C, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* addr, int* addrLen, int flags);

    [LibraryImport(Libraries.C, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, void* addr, int* addrLen);

    [LibraryImport(Libraries.C, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, int valueLen);

    [LibraryImport(Libraries.C, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, int* valueLen);

    [LibraryImport(Libraries.C, EntryPoint = "recvfrom", SetLastError = true)]
    public static partial nint RecvFrom(int fd, byte* buf, nint len, int flags, void* addr, int* addrLen);

    [LibraryImport(Libraries.C, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buf, nint len, int flags, void* addr, int addrLen);

    [LibraryImport(Libraries.C, EntryPoint = "inet_pton", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InetPton(int family, string src, void* dst);

    [LibraryImport(Libraries.C, EntryPoint = "inet_ntop", SetLastError = true)]
    public static partial nint InetNtop(int family, void* src, byte* dst, int size);

    // ---- batched datagram I/O (x86-64 / LP64 layouts) ----

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Hdr;
        public uint Len;
    }

    public const int MSG_DONTWAIT = 0x40;
    /// <summary>No SIGPIPE for a peer that reset the connection (EPIPE instead): in library mode
    /// the process and its signal dispositions are the host's.</summary>
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_TRUNC = 0x20;

    // UDP generic segmentation offload (linux/udp.h): a cmsg at SOL_UDP carrying the segment size.
    public const int SOL_UDP = 17;
    public const int UDP_SEGMENT = 103;

    /// <summary>struct cmsghdr on LP64: size_t len, int level, int type, then the data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CMsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_LEN(2) and CMSG_SPACE(2) for a 16-bit value such as UDP_SEGMENT's.</summary>
    public const int CMsgLenUInt16 = 18;
    public const int CMsgSpaceUInt16 = 24;

    [LibraryImport(Libraries.C, EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* msgs, uint vlen, int flags, void* timeout);

    [LibraryImport(Libraries.C, EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int fd, MMsgHdr* msgs, uint vlen, int flags);

    public static int SetIntOption(int fd, int level, int name, int value) =>
        SetSockOpt(fd, level, name, &value, sizeof(int));
}
