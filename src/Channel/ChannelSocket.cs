using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Channel;

public interface IChannelSocketListener
{
    /// <summary>One complete frame payload (without its length prefix).</summary>
    void OnChannelFrame(byte[] buffer, int offset, int length);

    /// <summary>The host closed its end (EOF or reset on the read fd).</summary>
    void OnChannelClosed();
}

/// <summary>
/// The byte side of the channel: reads frames from one fd, writes frames to another,
/// both non-blocking on the worker's loop. Works with pipes and socketpairs alike
/// (plain read/write). Writes are buffered when the fd would block, never dropped.
/// </summary>
public sealed unsafe class ChannelSocket : IChannelTransport
{
    private readonly EventLoop _loop;
    private readonly int _readFd;
    private readonly int _writeFd;
    private readonly FrameReader _reader = new();
    private readonly OutputQueue _pending = new();
    private readonly ReadSide _readSide;
    private readonly WriteSide _writeSide;
    private IoWatch? _readWatch;
    private IoWatch? _writeWatch;
    private IChannelSocketListener? _listener;
    private bool _closed;
    private bool _writeBroken;

    public ChannelSocket(EventLoop loop, int readFd, int writeFd)
    {
        _loop = loop;
        _readFd = readFd;
        _writeFd = writeFd;
        _readSide = new ReadSide(this);
        _writeSide = new WriteSide(this);
    }

    public long OversizedFramesDropped => _reader.OversizedFrames;

    /// <summary>Bytes waiting for the host to read.</summary>
    public int PendingOutput => _pending.Length;

    public bool IsClosed => _closed;

    public void Start(IChannelSocketListener listener)
    {
        _listener = listener;
        if (!Libc.SetNonBlocking(_readFd))
            throw new ChannelException($"cannot make fd {_readFd} non-blocking: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        if (!Libc.SetNonBlocking(_writeFd))
            throw new ChannelException($"cannot make fd {_writeFd} non-blocking: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        _readWatch = _loop.Watch(_readFd, IoEvents.Readable, _readSide);
        _writeWatch = _loop.Watch(_writeFd, IoEvents.Writable, _writeSide);
        // Data may already be waiting (edge-triggered watches report only changes).
        _readWatch.Reschedule();
    }

    /// <summary>Writes one complete frame (prefix included). Buffered if the fd is full.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        if (_closed || _writeBroken)
            return;
        if (!_pending.IsEmpty)
        {
            _pending.Append(frame);
            return;
        }
        int written = WriteSome(frame);
        if (written < frame.Length)
            _pending.Append(frame[written..]);
    }

    /// <summary>Stops reading. Pending output stays and can still be flushed.</summary>
    public void StopReading()
    {
        if (_readWatch != null)
        {
            _loop.Unwatch(_readWatch);
            _readWatch = null;
        }
    }

    /// <summary>True when everything queued reached the host (or the host is gone).</summary>
    public bool IsFlushed => _pending.IsEmpty || _writeBroken;

    /// <summary>Tries to write pending output right now; returns IsFlushed.</summary>
    public bool TryFlush()
    {
        FlushPending();
        return IsFlushed;
    }

    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        StopReading();
        if (_writeWatch != null)
        {
            _loop.Unwatch(_writeWatch);
            _writeWatch = null;
        }
        _pending.Clear();
    }

    private int WriteSome(ReadOnlySpan<byte> data)
    {
        int total = 0;
        fixed (byte* p = data)
        {
            while (total < data.Length)
            {
                nint n = Libc.Write(_writeFd, p + total, data.Length - total);
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
                // EPIPE / ECONNRESET / EBADF: the host is gone; nothing more can be delivered.
                _writeBroken = true;
                return data.Length;
            }
        }
        return total;
    }

    private void FlushPending()
    {
        if (_pending.IsEmpty || _writeBroken)
            return;
        int written = WriteSome(_pending.Pending);
        _pending.Consume(Math.Min(written, _pending.Length));
        if (_writeBroken)
            _pending.Clear();
    }

    private void OnReadable()
    {
        // Bounded per wake-up so one chatty host cannot starve media sockets.
        for (int round = 0; round < 64; round++)
        {
            if (_closed || _readWatch == null)
                return;
            Span<byte> target = _reader.GetWritable();
            nint n;
            fixed (byte* p = target)
                n = Libc.Read(_readFd, p, target.Length);
            if (n > 0)
            {
                _reader.Commit((int)n);
                DeliverFrames();
                continue;
            }
            if (n == 0)
            {
                HostClosed();
                return;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
                continue;
            if (errno == Libc.EAGAIN)
                return;
            HostClosed();
            return;
        }
        _readWatch?.Reschedule();
    }

    private void DeliverFrames()
    {
        while (!_closed && _readWatch != null && _reader.TryRead(out int offset, out int length))
            _listener!.OnChannelFrame(_reader.Buffer, offset, length);
    }

    private void HostClosed()
    {
        StopReading();
        _listener?.OnChannelClosed();
    }

    private sealed class ReadSide(ChannelSocket owner) : IIoHandler
    {
        public void OnIoReady(IoEvents events) => owner.OnReadable();
    }

    private sealed class WriteSide(ChannelSocket owner) : IIoHandler
    {
        // A failed write tells whether the host is gone; hang-up bits alone do not
        // (a host may half-close the direction it never writes).
        public void OnIoReady(IoEvents events) => owner.FlushPending();
    }
}

public sealed class ChannelException(string message) : Exception(message);
