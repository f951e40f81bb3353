using System;
using System.Runtime.InteropServices;
using System.Threading;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Worker;

/// <summary>
/// Ends a worker process whose loop no longer makes progress. SIGINT/SIGTERM and the host
/// closing the channel normally reach the loop, which closes the worker gracefully; if the
/// loop is stuck (a wrong interop layout once made it spin on garbage events), they never
/// would. This watches the same two conditions from its own thread, blocked in poll() and
/// touching nothing of the worker: once either happens it waits a grace period for the
/// graceful close (which disposes it), then calls _exit.
/// Executable mode only (a host embedding the worker owns its process), one idle thread that
/// is never on the media path.
/// </summary>
internal sealed unsafe class ShutdownWatchdog : IDisposable
{
    /// <summary>Exit status after an unanswered channel EOF; a signal exits with 128 + its number.</summary>
    public const int ExitChannelClosed = 1;

    private const byte StopByte = 0;
    private const byte ChannelReason = 0xFF;

    private readonly int _channelFd;
    private readonly int _graceMs;
    private readonly Action<int> _expire;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private int _disposed;

    /// <param name="channelFd">The fd the worker writes to the host: POLLHUP/POLLERR on it
    /// means the host's end is gone.</param>
    /// <param name="graceMs">How long a graceful close may take before the process is ended.</param>
    /// <param name="expire">What ending means (the exit status as argument); _exit unless a test says otherwise.</param>
    public ShutdownWatchdog(int channelFd, int graceMs, Action<int>? expire = null)
    {
        _channelFd = channelFd;
        _graceMs = graceMs;
        _expire = expire ?? Libc.Exit;
        int* fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) != 0)
            throw new InvalidOperationException($"pipe2() failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        _wakeRead = fds[0];
        _wakeWrite = fds[1];
        var thread = new Thread(Run) { IsBackground = true, Name = "shutdown watchdog" };
        thread.Start();
    }

    /// <summary>A termination signal arrived (called from the runtime's signal thread, not the
    /// loop): start the grace period.</summary>
    public void SignalReceived(int signum)
    {
        if (Volatile.Read(ref _disposed) == 0)
            Wake((byte)signum);
    }

    private void Wake(byte reason) => Libc.Write(_wakeWrite, &reason, 1);

    private void Run()
    {
        var fds = stackalloc Libc.PollFd[2];
        int reason = 0;
        // Phase 1: wait for a reason to stop (or for Dispose).
        while (reason == 0)
        {
            fds[0] = new Libc.PollFd { Fd = _wakeRead, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = _channelFd, Events = 0 };
            int n = Libc.Poll(fds, 2, -1);
            if (n < 0)
                continue; // EINTR
            if ((fds[0].REvents & Libc.POLLIN) != 0)
            {
                int r = ReadWake();
                if (r == StopByte)
                    return;
                reason = r;
            }
            else if ((fds[1].REvents & (Libc.POLLHUP | Libc.POLLERR)) != 0)
            {
                reason = ChannelReason;
            }
        }

        // Phase 2: the graceful close has this long to dispose us.
        long deadline = Environment.TickCount64 + _graceMs;
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
                break;
            fds[0] = new Libc.PollFd { Fd = _wakeRead, Events = Libc.POLLIN };
            if (Libc.Poll(fds, 1, (int)left) > 0 && (fds[0].REvents & Libc.POLLIN) != 0 && ReadWake() == StopByte)
                return;
        }
        _expire(reason == ChannelReason ? ExitChannelClosed : 128 + reason);
    }

    /// <summary>Reads what is queued on the wake pipe: StopByte when Dispose asked to stop
    /// (it wins over anything else), else the first reason.</summary>
    private int ReadWake()
    {
        byte* buf = stackalloc byte[16];
        nint n = Libc.Read(_wakeRead, buf, 16);
        int first = 0;
        for (int i = 0; i < n; i++)
        {
            if (buf[i] == StopByte)
                return StopByte;
            if (first == 0)
                first = buf[i];
        }
        return first;
    }

    /// <summary>The worker closed gracefully: the watchdog thread ends. The pipe stays open (two
    /// fds for the life of the process) so that a signal racing with this never writes into
    /// a closed, possibly reused, fd.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            Wake(StopByte);
    }
}
