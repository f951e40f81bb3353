using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Mediasoup.Interop.Libc;
using Mediasoup.Interop.Uring;
using Mediasoup.Loop;

namespace Mediasoup.Net;

/// <summary>
/// Datagram I/O on the loop's io_uring ring. Receive: one multishot recvmsg per socket, taking
/// buffers from one provided-buffer ring per worker; each completion is one datagram, parsed in
/// place and handed to the listener, then its buffer goes back to the ring (the ring tail is
/// published in batches, and always before the loop enters the kernel again). Send: by default as
/// with epoll (one sendmmsg per socket per iteration); with sendRequests each queued datagram
/// becomes one sendmsg request owning its pooled buffer until its completion, all of an
/// iteration's requests reaching the kernel with the loop's single io_uring_enter (submit + wait).
/// Tokens carry a generation, so completions arriving after a socket closed are ignored.
/// </summary>
internal sealed unsafe class UringDatagramIo : IDatagramIo, ICompletionHandler
{
    /// <summary>Buffers in the receive ring (a power of two).</summary>
    public const int RingBuffers = 512;

    private const uint BufferGroup = 1;
    // Room for the sender's sockaddr: sockaddr_in6 is 28 bytes, 32 keeps the payload aligned.
    private const int NameRoom = 32;
    private const int RecvMsgOutSize = 16;
    private const int PayloadOffset = RecvMsgOutSize + NameRoom;
    // What the kernel may fill: the payload gets exactly BufferSize, so datagrams are cut (and
    // dropped) at the same size as with recvmmsg, and listeners keep BufferSize of room.
    private const int BufferLength = PayloadOffset + PacketBufferPool.BufferSize;
    private const int BufferStride = (BufferLength + 63) & ~63;
    private const int RecycleBatch = 32;
    private const int MaxConsecutiveErrors = 8;
    private const ulong SendBit = 1UL << 62;
    private const int SendSlotChunk = 256;

    /// <summary>One in-flight send: what the kernel reads until the completion.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SendSlot
    {
        public Sockets.MsgHdr Hdr;
        public Sockets.IoVec Iov;
        public IpEndpoint Addr;
        public byte* Buffer;
        public ulong Owner;
    }

    private readonly EventLoop _loop;
    private readonly UringBackend _backend;
    private readonly nint _ring;
    private readonly PacketBufferPool _pool;
    private readonly byte* _rxArea;
    private readonly Uring.Buf* _bufRing;
    private readonly Sockets.MsgHdr* _rxMsg;
    private ushort _tail;
    private int _pendingRecycle;

    private readonly List<UdpSocket?> _sockets = new();
    private readonly Stack<int> _freeSockets = new();
    private uint _generation;

    // Send slots live in fixed chunks (never moved: the kernel holds pointers into them).
    private readonly List<nint> _sendChunks = new();
    private int[] _freeSendSlots = new int[SendSlotChunk];
    private int _freeSendCount;

    private readonly bool _sendRequests;
    private ReadinessDatagramIo? _fallback;
    private bool _disposed;

    private UringDatagramIo(EventLoop loop, UringBackend backend, PacketBufferPool pool, bool sendRequests, byte* rxArea, Uring.Buf* bufRing, Sockets.MsgHdr* rxMsg)
    {
        _sendRequests = sendRequests;
        _loop = loop;
        _backend = backend;
        _ring = backend.Ring;
        _pool = pool;
        _rxArea = rxArea;
        _bufRing = bufRing;
        _rxMsg = rxMsg;
        for (int bid = 0; bid < RingBuffers; bid++)
            Recycle(bid);
        Publish();
        loop.SetCompletionHandler(this);
    }

    /// <summary>Null when the ring refuses the buffer ring (then readiness I/O is used).
    /// sendRequests: datagrams leave as sendmsg requests on the ring; else with one sendmmsg
    /// per socket per iteration, which measured 2-3 % less CPU per forwarded packet here (1→10
    /// plain fan-out at 40-200 k packets/s: each request costs the kernel a msghdr copy and
    /// a completion, sendmmsg sends a socket's whole queue in one call).</summary>
    public static UringDatagramIo? TryCreate(EventLoop loop, UringBackend backend, PacketBufferPool pool, bool sendRequests)
    {
        var ringBytes = (nuint)(RingBuffers * sizeof(Uring.Buf));
        var bufRing = (Uring.Buf*)NativeMemory.AlignedAlloc(ringBytes, 4096);
        NativeMemory.Clear(bufRing, ringBytes);
        if (Uring.BufRingRegister(backend.Ring, bufRing, RingBuffers, BufferGroup) < 0)
        {
            NativeMemory.AlignedFree(bufRing);
            return null;
        }
        var rxArea = (byte*)NativeMemory.AlignedAlloc((nuint)RingBuffers * BufferStride, 4096);
        var rxMsg = (Sockets.MsgHdr*)NativeMemory.AllocZeroed((nuint)sizeof(Sockets.MsgHdr));
        // A multishot recvmsg only reads these two lengths: how much room to leave in each
        // buffer for the name and control data ahead of the payload.
        rxMsg->NameLen = NameRoom;
        rxMsg->ControlLen = 0;
        return new UringDatagramIo(loop, backend, pool, sendRequests, rxArea, bufRing, rxMsg);
    }

    public string Name => _sendRequests ? "io_uring" : "io_uring/sendmmsg";

    /// <summary>Times a socket's multishot receive ended because the buffer ring was empty.</summary>
    public ulong BufferRingEmpty { get; private set; }

    /// <summary>Multishot receives armed again after the kernel ended them.</summary>
    public ulong ReceiveRearms { get; private set; }

    /// <summary>Receive completions with an unexpected error.</summary>
    public ulong ReceiveErrors { get; private set; }

    /// <summary>Send requests whose completion has not arrived (their buffers are held).</summary>
    public int SendsInFlight { get; private set; }

    public void Open(UdpSocket socket)
    {
        int slot;
        if (_freeSockets.Count > 0)
        {
            slot = _freeSockets.Pop();
            _sockets[slot] = socket;
        }
        else
        {
            slot = _sockets.Count;
            _sockets.Add(socket);
        }
        // 30 bits of generation: bit 63 marks completions, bit 62 sends; never 0 (= none).
        _generation = (_generation + 1) & 0x3FFFFFFF;
        if (_generation == 0)
            _generation = 1;
        socket.UringToken = EventLoop.CompletionTokenBit | ((ulong)_generation << 32) | (uint)slot;
        Arm(socket);
    }

    public void Close(UdpSocket socket)
    {
        if (socket.Watch != null)
            _fallback?.Close(socket);
        if (socket.UringToken != 0)
        {
            Uring.Cancel(_ring, socket.UringToken);
            Forget(socket);
        }
        // The fd closes next: its queued sends and the cancel must reach the kernel while the
        // fd number still means this socket (and the port is free once the receive is gone).
        Uring.Submit(_ring);
    }

    private void Forget(UdpSocket socket)
    {
        int slot = (int)(uint)socket.UringToken;
        _sockets[slot] = null;
        _freeSockets.Push(slot);
        socket.UringToken = 0;
    }

    private UdpSocket? Lookup(ulong token)
    {
        int slot = (int)(uint)token;
        if ((uint)slot >= (uint)_sockets.Count)
            return null;
        UdpSocket? s = _sockets[slot];
        return s != null && s.UringToken == token ? s : null;
    }

    private void Arm(UdpSocket socket)
    {
        if (Uring.RecvMsgMultishot(_ring, socket.Fd, _rxMsg, BufferGroup, socket.UringToken) < 0)
        {
            // No submission entry even after flushing the queue: receive by readiness instead.
            ReceiveErrors++;
            FallBack(socket);
        }
    }

    /// <summary>This socket receives with readiness + recvmmsg from now on.</summary>
    private void FallBack(UdpSocket socket)
    {
        Forget(socket);
        _fallback ??= new ReadinessDatagramIo(_loop);
        _fallback.Open(socket);
    }

    public void OnCompletion(ulong token, int result, uint flags)
    {
        if ((token & SendBit) != 0)
            OnSendCompletion((int)(uint)token, result);
        else
            OnReceiveCompletion(token, result, flags);
    }

    private void OnReceiveCompletion(ulong token, int result, uint flags)
    {
        UdpSocket? socket = Lookup(token);
        int bid = (flags & Uring.CqeFBuffer) != 0 ? (int)(flags >> Uring.CqeBufferShift) : -1;
        if (bid >= RingBuffers)
            bid = -1; // not one of ours; never expected
        try
        {
            if (socket == null)
                return; // closed meanwhile: a late completion, the buffer just goes back
            if (result >= 0)
            {
                socket.UringErrors = 0;
                if (bid >= 0)
                    Deliver(socket, _rxArea + bid * BufferStride, result);
            }
            else if (result == -Libc.ENOBUFS)
            {
                BufferRingEmpty++;
            }
            else if (result != -Libc.ECANCELED)
            {
                ReceiveErrors++;
                socket.UringErrors++;
            }
        }
        finally
        {
            // Also when a listener threw: the buffer must not leak from the ring.
            if (bid >= 0)
                Recycle(bid);
            if ((flags & Uring.CqeFMore) == 0 && socket != null && socket.UringToken == token && !socket.IsClosed)
                Rearm(socket);
        }
    }

    private void Rearm(UdpSocket socket)
    {
        if (socket.UringErrors >= MaxConsecutiveErrors)
        {
            FallBack(socket);
            return;
        }
        ReceiveRearms++;
        // A receive that ended for want of buffers needs the recycled ones visible first.
        Publish();
        Arm(socket);
    }

    private static void Deliver(UdpSocket socket, byte* buf, int written)
    {
        // The kernel always writes the header and the name room; less would be malformed.
        if (written < PayloadOffset)
            return;
        var hdr = (Uring.RecvMsgOut*)buf;
        uint inBuffer = (uint)(written - PayloadOffset);
        int length = (int)Math.Min(hdr->PayloadLen, inBuffer);
        bool truncated = (hdr->Flags & Sockets.MSG_TRUNC) != 0 || hdr->PayloadLen > inBuffer;
        IpEndpoint remote = IpEndpoint.FromSockAddr(new ReadOnlySpan<byte>(buf + RecvMsgOutSize, (int)Math.Min(hdr->NameLen, NameRoom)));
        socket.Deliver(new Span<byte>(buf + PayloadOffset, PacketBufferPool.BufferSize), length, remote, truncated);
    }

    /// <summary>Puts buffer bid back into the ring; visible to the kernel at the next publish.</summary>
    private void Recycle(int bid)
    {
        Uring.Buf* e = _bufRing + ((_tail + _pendingRecycle) & (RingBuffers - 1));
        e->Addr = (ulong)(_rxArea + bid * BufferStride);
        e->Len = BufferLength;
        e->Bid = (ushort)bid;
        if (++_pendingRecycle >= RecycleBatch)
            Publish();
    }

    private void Publish()
    {
        if (_pendingRecycle == 0)
            return;
        _tail = (ushort)(_tail + _pendingRecycle);
        _pendingRecycle = 0;
        // Release store: the kernel must see the entries before the tail that covers them.
        Volatile.Write(ref *(ushort*)((byte*)_bufRing + Uring.BufRingTailOffset), _tail);
    }

    public void Send(UdpSocket socket)
    {
        if (!_sendRequests)
        {
            ReadinessDatagramIo.SendMMsg(socket);
            return;
        }
        int count = socket.TxCount;
        for (int i = 0; i < count; i++)
        {
            int index = RentSendSlot();
            SendSlot* slot = SendSlotAt(index);
            // The buffer leaves the socket's queue with the request; the queue rents a new one.
            slot->Buffer = socket.TxBuffers[i];
            socket.TxBuffers[i] = null;
            slot->Addr = socket.TxAddrs[i];
            slot->Iov.Base = slot->Buffer;
            slot->Iov.Length = socket.TxIov[i].Length;
            slot->Hdr = default;
            slot->Hdr.Name = &slot->Addr;
            slot->Hdr.NameLen = socket.TxHeaders[i].Hdr.NameLen;
            slot->Hdr.Iov = &slot->Iov;
            slot->Hdr.IovLen = 1;
            slot->Owner = socket.UringToken;
            ulong token = EventLoop.CompletionTokenBit | SendBit | (uint)index;
            // MSG_DONTWAIT: a full socket buffer fails the datagram (as sendmmsg does) instead
            // of parking it in the kernel.
            if (Uring.SendMsg(_ring, socket.Fd, &slot->Hdr, Sockets.MSG_DONTWAIT, token) < 0)
            {
                socket.CountSendError();
                ReleaseSendSlot(index, slot);
                continue;
            }
            SendsInFlight++;
        }
        socket.TxCount = 0;
    }

    private void OnSendCompletion(int index, int result)
    {
        if ((uint)index >= (uint)(_sendChunks.Count * SendSlotChunk))
            return;
        SendSlot* slot = SendSlotAt(index);
        if (slot->Buffer == null)
            return; // not in flight: nothing to release
        // Sockets that fell back to readiness receive keep sending here but have no token.
        UdpSocket? socket = slot->Owner != 0 ? Lookup(slot->Owner) : null;
        if (socket != null)
        {
            if (result >= 0)
                socket.CountSent(result);
            else
                socket.CountSendError();
        }
        SendsInFlight--;
        ReleaseSendSlot(index, slot);
    }

    private SendSlot* SendSlotAt(int index) =>
        (SendSlot*)_sendChunks[index / SendSlotChunk] + index % SendSlotChunk;

    private int RentSendSlot()
    {
        if (_freeSendCount == 0)
        {
            int first = _sendChunks.Count * SendSlotChunk;
            _sendChunks.Add((nint)NativeMemory.AllocZeroed((nuint)(SendSlotChunk * sizeof(SendSlot))));
            if (_freeSendSlots.Length < first + SendSlotChunk)
                Array.Resize(ref _freeSendSlots, first + SendSlotChunk);
            for (int i = SendSlotChunk - 1; i >= 0; i--)
                _freeSendSlots[_freeSendCount++] = first + i;
        }
        return _freeSendSlots[--_freeSendCount];
    }

    private void ReleaseSendSlot(int index, SendSlot* slot)
    {
        _pool.Return(slot->Buffer);
        slot->Buffer = null;
        _freeSendSlots[_freeSendCount++] = index;
    }

    public void EndIteration() => Publish();

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _loop.SetCompletionHandler(null);
        // With the ring gone (loop disposed first) the kernel has dropped everything already.
        if (!_backend.IsDisposed)
        {
            foreach (UdpSocket? s in _sockets)
            {
                if (s != null)
                    Uring.Cancel(_ring, s.UringToken);
            }
            // After this the kernel writes no more into the receive buffers.
            Uring.BufRingUnregister(_ring, BufferGroup);
            Uring.Submit(_ring);
        }
        _fallback?.Dispose();
        // Buffers of sends still in flight belong to the pool, which is disposed next.
        foreach (nint chunk in _sendChunks)
            NativeMemory.Free((void*)chunk);
        _sendChunks.Clear();
        NativeMemory.AlignedFree(_bufRing);
        NativeMemory.AlignedFree(_rxArea);
        NativeMemory.Free(_rxMsg);
    }
}
