using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;
using Mediasoup.Net;
using UringDecl = Mediasoup.Interop.Uring.Uring;

namespace Mediasoup.InteropCheck;

/// <summary>
/// Round trips through the kernel with the interop structs the loop and the sockets use: what
/// goes in must come back out. A wrong layout shows here as a lost token, a wrong length or a
/// wrong source address (the arm64 epoll_event bug hung the worker on its first request).
/// Shared by the xunit tests (x64) and the InteropCheck executable (arm64 under emulation).
/// </summary>
internal static unsafe class InteropProbes
{
    /// <summary>(name, run): run returns null on success, else what went wrong.</summary>
    public static IEnumerable<(string Name, Func<string?> Run)> All() =>
    [
        ("epoll: a 64-bit token and the readable mask survive epoll_ctl/epoll_wait", EpollToken),
        ("sendmmsg/recvmmsg: batch of 3 datagrams, lengths, payloads, source address", DatagramBatch),
        ("sendmsg with a UDP_SEGMENT control message: one buffer leaves as 2 datagrams", GsoSegments),
        ("io_uring shim: a ring is created or refused with an errno, never crashes", UringCreate),
    ];

    private static string? EpollToken()
    {
        int efd = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (efd < 0)
            return $"eventfd: errno {Marshal.GetLastPInvokeError()}";
        using var backend = new EpollBackend();
        try
        {
            const ulong token = 0xA1B2_C3D4_E5F6_0718;
            backend.Add(efd, IoEvents.Readable, token);
            ulong one = 1;
            Libc.Write(efd, (byte*)&one, 8);
            Span<ReadyEvent> ready = stackalloc ReadyEvent[4];
            int n = backend.Wait(ready, 1000);
            if (n != 1)
                return $"epoll_wait returned {n} events, expected 1";
            if (ready[0].Token != token)
                return $"token came back as 0x{ready[0].Token:X16}, expected 0x{token:X16}";
            if ((ready[0].Events & IoEvents.Readable) == 0)
                return $"events {ready[0].Events}, expected Readable";
            return null;
        }
        finally
        {
            Libc.Close(efd);
        }
    }

    private static int BoundUdp(out IpEndpoint local)
    {
        local = default;
        int fd = Sockets.Socket(Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        IpEndpoint.TryParse("127.0.0.1", 0, out IpEndpoint any);
        if (Sockets.Bind(fd, &any, IpEndpoint.V4Length) != 0)
        {
            Libc.Close(fd);
            return -1;
        }
        IpEndpoint bound;
        int len = sizeof(IpEndpoint);
        Sockets.GetSockName(fd, &bound, &len);
        local = bound;
        return fd;
    }

    /// <summary>Receives up to max datagrams (waiting up to 2 s for the first).</summary>
    private static int Receive(int fd, Sockets.MMsgHdr* msgs, Sockets.IoVec* iov, IpEndpoint* from, byte* buf, int size, int max)
    {
        for (int i = 0; i < max; i++)
        {
            iov[i] = new Sockets.IoVec { Base = buf + i * size, Length = (nuint)size };
            msgs[i] = default;
            msgs[i].Hdr.Name = &from[i];
            msgs[i].Hdr.NameLen = (uint)sizeof(IpEndpoint);
            msgs[i].Hdr.Iov = &iov[i];
            msgs[i].Hdr.IovLen = 1;
        }
        int got = 0;
        long deadline = Environment.TickCount64 + 2000;
        while (got < max && Environment.TickCount64 < deadline)
        {
            int n = Sockets.RecvMMsg(fd, msgs + got, (uint)(max - got), Sockets.MSG_DONTWAIT, null);
            if (n > 0)
                got += n;
            else
                System.Threading.Thread.Sleep(5);
        }
        return got;
    }

    private static string? DatagramBatch()
    {
        int rx = BoundUdp(out IpEndpoint rxAddr), tx = BoundUdp(out IpEndpoint txAddr);
        try
        {
            if (rx < 0 || tx < 0)
                return "could not bind UDP sockets on 127.0.0.1";
            const int count = 3;
            byte* payload = stackalloc byte[count * 64];
            var msgs = stackalloc Sockets.MMsgHdr[count];
            var iov = stackalloc Sockets.IoVec[count];
            for (int i = 0; i < count; i++)
            {
                int len = 10 + i * 7;
                for (int b = 0; b < len; b++)
                    payload[i * 64 + b] = (byte)(i * 31 + b);
                iov[i] = new Sockets.IoVec { Base = payload + i * 64, Length = (nuint)len };
                msgs[i] = default;
                msgs[i].Hdr.Name = &rxAddr;
                msgs[i].Hdr.NameLen = IpEndpoint.V4Length;
                msgs[i].Hdr.Iov = &iov[i];
                msgs[i].Hdr.IovLen = 1;
            }
            int sent = Sockets.SendMMsg(tx, msgs, count, 0);
            if (sent != count)
                return $"sendmmsg sent {sent} of {count} (errno {Marshal.GetLastPInvokeError()})";
            for (int i = 0; i < count; i++)
            {
                if (msgs[i].Len != (uint)(10 + i * 7))
                    return $"sendmmsg reported {msgs[i].Len} bytes for message {i}, expected {10 + i * 7}";
            }

            byte* buf = stackalloc byte[count * 128];
            var rmsgs = stackalloc Sockets.MMsgHdr[count];
            var riov = stackalloc Sockets.IoVec[count];
            var from = stackalloc IpEndpoint[count];
            int got = Receive(rx, rmsgs, riov, from, buf, 128, count);
            if (got != count)
                return $"recvmmsg got {got} of {count} datagrams";
            for (int i = 0; i < count; i++)
            {
                int len = 10 + i * 7;
                if (rmsgs[i].Len != (uint)len)
                    return $"datagram {i}: length {rmsgs[i].Len}, expected {len}";
                if (!new ReadOnlySpan<byte>(buf + i * 128, len).SequenceEqual(new ReadOnlySpan<byte>(payload + i * 64, len)))
                    return $"datagram {i}: payload differs";
                if (!from[i].Equals(txAddr) || rmsgs[i].Hdr.NameLen != IpEndpoint.V4Length)
                    return $"datagram {i}: source {from[i].AddressText}:{from[i].Port} (name length {rmsgs[i].Hdr.NameLen}), expected 127.0.0.1:{txAddr.Port}";
            }
            return null;
        }
        finally
        {
            if (rx >= 0) Libc.Close(rx);
            if (tx >= 0) Libc.Close(tx);
        }
    }

    private static string? GsoSegments()
    {
        int rx = BoundUdp(out IpEndpoint rxAddr), tx = BoundUdp(out _);
        try
        {
            if (rx < 0 || tx < 0)
                return "could not bind UDP sockets on 127.0.0.1";
            const int segment = 100;
            byte* payload = stackalloc byte[2 * segment];
            for (int b = 0; b < 2 * segment; b++)
                payload[b] = (byte)b;
            byte* control = stackalloc byte[Sockets.CMsgSpaceUInt16];
            new Span<byte>(control, Sockets.CMsgSpaceUInt16).Clear();
            var cmsg = (Sockets.CMsgHdr*)control;
            cmsg->Len = (nuint)Sockets.CMsgLenUInt16;
            cmsg->Level = Sockets.SOL_UDP;
            cmsg->Type = Sockets.UDP_SEGMENT;
            *(ushort*)(control + sizeof(Sockets.CMsgHdr)) = segment;
            var iov = new Sockets.IoVec { Base = payload, Length = 2 * segment };
            Sockets.MMsgHdr msg = default;
            msg.Hdr.Name = &rxAddr;
            msg.Hdr.NameLen = IpEndpoint.V4Length;
            msg.Hdr.Iov = &iov;
            msg.Hdr.IovLen = 1;
            msg.Hdr.Control = control;
            msg.Hdr.ControlLen = Sockets.CMsgSpaceUInt16;
            int sent = Sockets.SendMMsg(tx, &msg, 1, 0);
            if (sent != 1)
                return $"sendmmsg with UDP_SEGMENT failed (errno {Marshal.GetLastPInvokeError()})";
            byte* buf = stackalloc byte[2 * 256];
            var rmsgs = stackalloc Sockets.MMsgHdr[2];
            var riov = stackalloc Sockets.IoVec[2];
            var from = stackalloc IpEndpoint[2];
            int got = Receive(rx, rmsgs, riov, from, buf, 256, 2);
            if (got != 2 || rmsgs[0].Len != segment || rmsgs[1].Len != segment)
                return $"received {got} datagrams ({(got > 0 ? rmsgs[0].Len : 0)}, {(got > 1 ? rmsgs[1].Len : 0)} bytes), expected 2 of {segment}";
            if (buf[0] != 0 || buf[256] != segment)
                return "segments arrived with the wrong payloads";
            return null;
        }
        finally
        {
            if (rx >= 0) Libc.Close(rx);
            if (tx >= 0) Libc.Close(tx);
        }
    }

    private static string? UringCreate()
    {
        int err = 0;
        nint ring = UringDecl.Create(64, &err);
        if (ring != 0)
        {
            UringDecl.Destroy(ring);
            return null;
        }
        return err < 0 ? null : $"msw_uring_create failed without an errno ({err})";
    }
}
