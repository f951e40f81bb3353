using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Worker;

/// <summary>
/// Brings SIGINT/SIGTERM onto the worker's loop: the runtime's signal thread writes the
/// signal number into a pipe the loop watches (the only cross-thread step in the worker).
/// Also sets SIGPIPE, SIGHUP, SIGALRM, SIGUSR1 and SIGUSR2 to ignored, as the reference does.
/// Executable mode only: a host embedding the worker owns its process's signals.
/// </summary>
internal sealed unsafe class SignalWatcher : IIoHandler, IDisposable
{
    private readonly EventLoop _loop;
    private readonly Action<int> _onSignal;
    private readonly int _readFd;
    private readonly int _writeFd;
    private readonly IoWatch _watch;
    private readonly PosixSignalRegistration[] _registrations;
    private bool _disposed;

    /// <param name="watchdog">Told of each SIGINT/SIGTERM from the signal thread, so the
    /// process still ends if the loop never reads the pipe.</param>
    public SignalWatcher(EventLoop loop, Action<int> onSignal, ShutdownWatchdog? watchdog = null)
    {
        _loop = loop;
        _onSignal = onSignal;
        int* fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_NONBLOCK | Libc.O_CLOEXEC) != 0)
            throw new LoopException($"pipe2() failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        _readFd = fds[0];
        _writeFd = fds[1];

        foreach (int sig in new[] { Libc.SIGPIPE, Libc.SIGHUP, Libc.SIGALRM, Libc.SIGUSR1, Libc.SIGUSR2 })
            Libc.Signal(sig, Libc.SIG_IGN);

        int writeFd = _writeFd;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => Forward(ctx, writeFd, Libc.SIGINT, watchdog)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Forward(ctx, writeFd, Libc.SIGTERM, watchdog)),
        ];
        _watch = loop.Watch(_readFd, IoEvents.Readable, this);
    }

    private static void Forward(PosixSignalContext ctx, int writeFd, int signum, ShutdownWatchdog? watchdog)
    {
        ctx.Cancel = true; // the loop decides what happens, not the runtime
        byte b = (byte)signum;
        Libc.Write(writeFd, &b, 1);
        watchdog?.SignalReceived(signum);
    }

    public void OnIoReady(IoEvents events)
    {
        byte* buf = stackalloc byte[16];
        while (!_disposed)
        {
            nint n = Libc.Read(_readFd, buf, 16);
            if (n <= 0)
                return;
            for (int i = 0; i < n && !_disposed; i++)
                _onSignal(buf[i]);
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (PosixSignalRegistration r in _registrations)
            r.Dispose();
        _loop.Unwatch(_watch);
        Libc.Close(_readFd);
        Libc.Close(_writeFd);
    }
}
