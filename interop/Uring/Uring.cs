using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Interop.Uring;

/// <summary>The native/ shim over liburing (see native/msw_native.h).</summary>
internal static unsafe partial class Uring
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Event
    {
        public ulong Token;
        public int Result;
        public uint Flags;
    }

    /// <summary>CQE flags (linux/io_uring.h).</summary>
    public const uint CqeFBuffer = 1u << 0;
    public const uint CqeFMore = 1u << 1;
    public const int CqeBufferShift = 16;

    /// <summary>struct io_uring_recvmsg_out: what a multishot recvmsg writes at the start of
    /// each selected buffer, followed by the name area, the control area and the payload.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RecvMsgOut
    {
        public uint NameLen;
        public uint ControlLen;
        public uint PayloadLen;
        public uint Flags;
    }

    /// <summary>struct io_uring_buf: one slot of a provided-buffer ring. Slot 0's last two
    /// bytes are the ring's tail, so Resv is never written.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Buf
    {
        public ulong Addr;
        public uint Len;
        public ushort Bid;
        public ushort Resv;
    }

    /// <summary>Byte offset of the ring tail inside the ring memory.</summary>
    public const int BufRingTailOffset = 14;

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_create")]
    public static partial nint Create(uint entries, int* err);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_destroy")]
    public static partial void Destroy(nint ring);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_poll_add")]
    public static partial int PollAdd(nint ring, int fd, uint mask, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_poll_remove")]
    public static partial int PollRemove(nint ring, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_buf_ring_register")]
    public static partial int BufRingRegister(nint ring, void* ringMem, uint entries, uint bgid);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_buf_ring_unregister")]
    public static partial int BufRingUnregister(nint ring, uint bgid);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_recvmsg_multishot")]
    public static partial int RecvMsgMultishot(nint ring, int fd, Sockets.MsgHdr* msg, uint bgid, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_sendmsg")]
    public static partial int SendMsg(nint ring, int fd, Sockets.MsgHdr* msg, uint flags, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_cancel")]
    public static partial int Cancel(nint ring, ulong token);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_submit")]
    public static partial int Submit(nint ring);

    [LibraryImport(Libraries.Native, EntryPoint = "msw_uring_wait")]
    public static partial int Wait(nint ring, Event* events, int max, int timeoutMs);
}
