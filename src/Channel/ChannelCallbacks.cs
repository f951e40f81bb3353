using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Interop.Wake;
using Mediasoup.Logging;
using Mediasoup.Loop;

namespace Mediasoup.Channel;

/// <summary>
/// The channel of library mode (mediasoup_worker_run with a readFn): the host hands messages
/// over through callbacks instead of fds. Host → worker: the host queues bare FlatBuffers
/// messages and wakes us with uv_async_send(handle) from any thread; we then call readFn until
/// it returns null, and give each message back through the free function readFn returned.
/// The first readFn call happens on the loop's first iteration, unprompted: that is where the
/// host learns the handle. Worker → host: writeFn with the whole size-prefixed frame,
/// synchronously, so nothing is ever pending. After <see cref="Dispose"/> no callback is
/// called again and the handle only answers uv_async_send with an error.
/// </summary>
public sealed unsafe class ChannelCallbacks : IChannelTransport
{
    /// <summary>Messages taken per wake-up before the loop serves sockets again (then we wake ourselves).</summary>
    private const int MessagesPerWake = 64;

    private readonly EventLoop _loop;
    private readonly delegate* unmanaged<byte**, uint*, nuint*, void*, void*, nint> _readFn;
    private readonly void* _readCtx;
    private readonly delegate* unmanaged<byte*, uint, void*, void> _writeFn;
    private readonly void* _writeCtx;
    private readonly SafeWakeHandle _wake;
    private readonly int _wakeFd;
    private readonly WakeSide _wakeSide;
    private byte[] _message = new byte[4096];
    private IoWatch? _watch;
    private IChannelSocketListener? _listener;
    private bool _closed;

    /// <param name="readFn">ChannelReadFn: (uint8_t** msg, uint32_t* len, size_t* msgCtx, const void* handle, void* ctx) → ChannelReadFreeFn or null.</param>
    /// <param name="writeFn">ChannelWriteFn: (const uint8_t* msg, uint32_t len, void* ctx).</param>
    public ChannelCallbacks(EventLoop loop, nint readFn, nint readCtx, nint writeFn, nint writeCtx)
    {
        if (readFn == 0 || writeFn == 0)
            throw new ChannelException("library channel needs both readFn and writeFn");
        _loop = loop;
        _readFn = (delegate* unmanaged<byte**, uint*, nuint*, void*, void*, nint>)readFn;
        _readCtx = (void*)readCtx;
        _writeFn = (delegate* unmanaged<byte*, uint, void*, void>)writeFn;
        _writeCtx = (void*)writeCtx;
        int fd;
        _wake = Wake.Open(&fd);
        if (_wake.IsInvalid)
            throw new ChannelException($"cannot create the channel wake-up handle: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        _wakeFd = fd;
        _wakeSide = new WakeSide(this);
    }

    /// <summary>The value the host passes to uv_async_send.</summary>
    public nint Handle => _wake.DangerousGetHandle();

    public void Start(IChannelSocketListener listener)
    {
        _listener = listener;
        _watch = _loop.Watch(_wakeFd, IoEvents.Readable, _wakeSide);
        // The first readFn call, unprompted, on the first iteration (after WORKER_RUNNING).
        _watch.Reschedule();
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        if (_closed)
            return;
        fixed (byte* p = frame)
            _writeFn(p, (uint)frame.Length, _writeCtx);
    }

    public void StopReading()
    {
        if (_watch != null)
        {
            _loop.Unwatch(_watch);
            _watch = null;
        }
    }

    public bool TryFlush() => true;

    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        StopReading();
        _wake.Dispose();
    }

    private void OnWake()
    {
        ulong counter;
        while (Libc.Read(_wakeFd, (byte*)&counter, sizeof(ulong)) < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
        {
        }
        for (int i = 0; i < MessagesPerWake; i++)
        {
            if (_closed || _watch == null)
                return;
            byte* msg = null;
            uint len = 0;
            nuint msgCtx = 0;
            nint free = _readFn(&msg, &len, &msgCtx, (void*)Handle, _readCtx);
            if (free == 0)
                return;
            try
            {
                Deliver(msg, len);
            }
            finally
            {
                ((delegate* unmanaged<byte*, uint, nuint, void>)free)(msg, len, msgCtx);
            }
        }
        // More may be queued: come back on the next iteration.
        _watch?.Reschedule();
    }

    private void Deliver(byte* msg, uint len)
    {
        if (msg == null || len > FrameReader.MessageMaxLen)
        {
            Stderr.WriteLine($"discarding a channel message of {len} bytes from the host");
            return;
        }
        int length = (int)len;
        if (_message.Length < length)
            _message = new byte[Math.Max(length, _message.Length * 2)];
        new ReadOnlySpan<byte>(msg, length).CopyTo(_message);
        _listener!.OnChannelFrame(_message, 0, length);
    }

    private sealed class WakeSide(ChannelCallbacks owner) : IIoHandler
    {
        public void OnIoReady(IoEvents events) => owner.OnWake();
    }
}
