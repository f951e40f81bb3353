using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Mediasoup.Channel;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

public interface ITcpConnectionListener
{
    /// <summary>One RFC 4571 frame; the span may be rewritten in place, valid during the call.</summary>
    void OnTcpFrame(TcpConnection connection, Span<byte> frame);

    /// <summary>The peer closed, reset, or sent garbage; the connection is already disposed.</summary>
    void OnTcpConnectionClosed(TcpConnection connection);
}

/// <summary>
/// An accepted TCP connection carrying RFC 4571 frames (2-byte big-endian length, then the
/// packet), as ICE-TCP uses. Non-blocking on the worker's loop; writes that would block are
/// queued, up to a limit after which the connection is closed rather than growing forever
/// (media frames stop being queued long before, see <see cref="MaxPendingMedia"/>).
/// </summary>
public sealed unsafe class TcpConnection : IIoHandler, IDisposable
{
    private const int MaxFrame = 65535;
    private const int MaxPendingOutput = 4 * 1024 * 1024;

    private readonly NetIo _io;
    private readonly int _fd;
    private readonly IoWatch _watch;
    // Pinned: frames are parsed in place and packet views keep raw pointers into them.
    private readonly byte[] _rx = GC.AllocateArray<byte>(2 + MaxFrame + 2048, pinned: true);
    private readonly OutputQueue _pending = new();
    private int _rxLength;
    private ITcpConnectionListener? _listener;
    private bool _closed;

    public TcpConnection(NetIo io, int fd, in IpEndpoint local, in IpEndpoint remote, ITcpConnectionListener? listener)
    {
        _io = io;
        _fd = fd;
        Local = local;
        Remote = remote;
        _listener = listener;
        Id = io.NextSocketId();
        _watch = io.Loop.Watch(fd, IoEvents.Readable | IoEvents.Writable, this);
        _watch.Reschedule(); // data may have arrived with the connection
    }

    public int Id { get; }
    public IpEndpoint Local { get; }
    public IpEndpoint Remote { get; }
    public bool IsClosed => _closed;
    public ulong FramesReceived { get; private set; }

    public void SetListener(ITcpConnectionListener? listener) => _listener = listener;

    /// <summary>Media frames are dropped, not queued, once this much output waits: a peer
    /// whose link is slower than what it is sent loses packets (which bandwidth estimation
    /// sees and answers) instead of its connection.</summary>
    public const int MaxPendingMedia = 64 * 1024;

    /// <summary>The kernel's send buffer of this connection (bytes, as the kernel reports it).</summary>
    public int SendBufferSize
    {
        get
        {
            int value = 0;
            int len = sizeof(int);
            Sockets.GetSockOpt(_fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, &value, &len);
            return value;
        }
    }

    /// <summary>Media frames dropped because too much output was waiting.</summary>
    public ulong MediaFramesDropped { get; private set; }

    /// <summary>Sends one framed packet. <paramref name="droppable"/> (RTP media) frames are
    /// dropped whole when <see cref="MaxPendingMedia"/> bytes wait already.</summary>
    public bool Send(ReadOnlySpan<byte> packet, bool droppable = false)
    {
        if (_closed || packet.Length > MaxFrame)
            return false;
        if (droppable && _pending.Length + 2 + packet.Length > MaxPendingMedia)
        {
            MediaFramesDropped++;
            return false;
        }
        Span<byte> header = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)packet.Length);
        return Write(header) && Write(packet);
    }

    private bool Write(ReadOnlySpan<byte> data)
    {
        if (!_pending.IsEmpty)
        {
            if (_pending.Length + data.Length > MaxPendingOutput)
            {
                Fail();
                return false;
            }
            _pending.Append(data);
            return true;
        }
        int written = WriteSome(data);
        if (written < 0)
            return false;
        if (written < data.Length)
            _pending.Append(data[written..]);
        return true;
    }

    private int WriteSome(ReadOnlySpan<byte> data)
    {
        int total = 0;
        fixed (byte* p = data)
        {
            while (total < data.Length)
            {
                nint n = Sockets.SendTo(_fd, p + total, data.Length - total, Sockets.MSG_NOSIGNAL, null, 0);
                if (n > 0)
                {
                    total += (int)n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == Libc.EINTR)
                    continue;
                if (n < 0 && errno == Libc.EAGAIN)
                    break;
                Fail();
                return -1;
            }
        }
        return total;
    }

    public void OnIoReady(IoEvents events)
    {
        if (_closed)
            return;
        if (!_pending.IsEmpty && (events & IoEvents.Writable) != 0)
        {
            int n = WriteSome(_pending.Pending);
            if (n < 0)
                return;
            _pending.Consume(n);
        }
        for (int round = 0; round < 16 && !_closed; round++)
        {
            nint n;
            fixed (byte* p = &_rx[_rxLength])
                n = Libc.Read(_fd, p, _rx.Length - _rxLength);
            if (n == 0)
            {
                Fail();
                return;
            }
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                    continue;
                if (errno != Libc.EAGAIN)
                    Fail();
                return;
            }
            _rxLength += (int)n;
            DeliverFrames();
        }
        if (!_closed)
            _watch.Reschedule();
    }

    private void DeliverFrames()
    {
        int start = 0;
        while (!_closed && _rxLength - start >= 2)
        {
            int len = BinaryPrimitives.ReadUInt16BigEndian(_rx.AsSpan(start));
            if (_rxLength - start - 2 < len)
                break;
            FramesReceived++;
            _listener?.OnTcpFrame(this, _rx.AsSpan(start + 2, len));
            start += 2 + len;
        }
        if (start > 0 && !_closed)
        {
            Buffer.BlockCopy(_rx, start, _rx, 0, _rxLength - start);
            _rxLength -= start;
        }
    }

    private void Fail()
    {
        if (_closed)
            return;
        Dispose();
        _listener?.OnTcpConnectionClosed(this);
    }

    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        _io.Loop.Unwatch(_watch);
        Libc.Close(_fd);
        _pending.Clear();
    }
}
