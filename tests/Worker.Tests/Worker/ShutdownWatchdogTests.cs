using System.Threading;
using Mediasoup.Interop.Libc;
using Mediasoup.Worker;
using Xunit;

namespace Mediasoup.Tests.WorkerShutdown;

/// <summary>The watchdog ends a process whose loop is stuck: here no loop runs at all, which
/// is the stuck case; the expire action records the exit status instead of calling _exit.</summary>
public unsafe class ShutdownWatchdogTests
{
    private const int GraceMs = 150;

    private static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, Libc.Pipe2(fds, Libc.O_CLOEXEC));
        return (fds[0], fds[1]);
    }

    private sealed class Recorder
    {
        private int _status = -1;
        public readonly ManualResetEventSlim Fired = new();
        public int Status => Volatile.Read(ref _status);

        public void Expire(int status)
        {
            Volatile.Write(ref _status, status);
            Fired.Set();
        }
    }

    [Fact]
    public void Sigterm_ends_a_stuck_worker_with_128_plus_the_signal()
    {
        var (r, w) = Pipe();
        var rec = new Recorder();
        var watchdog = new ShutdownWatchdog(w, GraceMs, rec.Expire);
        watchdog.SignalReceived(Libc.SIGTERM);
        Assert.True(rec.Fired.Wait(30_000), "the watchdog never fired");
        Assert.Equal(128 + Libc.SIGTERM, rec.Status);
        Libc.Close(r);
        Libc.Close(w);
    }

    [Fact]
    public void Host_closing_the_channel_ends_a_stuck_worker()
    {
        var (r, w) = Pipe();
        var rec = new Recorder();
        _ = new ShutdownWatchdog(w, GraceMs, rec.Expire);
        Assert.False(rec.Fired.Wait(GraceMs * 2), "fired while the host's end was open");
        Libc.Close(r); // the host's end goes away: POLLERR on the worker's write end
        Assert.True(rec.Fired.Wait(30_000), "the watchdog never fired");
        Assert.Equal(ShutdownWatchdog.ExitChannelClosed, rec.Status);
        Libc.Close(w);
    }

    [Fact]
    public void A_graceful_close_within_the_grace_period_disarms_it()
    {
        var (r, w) = Pipe();
        var rec = new Recorder();
        var watchdog = new ShutdownWatchdog(w, 2000, rec.Expire);
        watchdog.SignalReceived(Libc.SIGINT);
        watchdog.Dispose(); // what WorkerRunner does once the loop has stopped
        Assert.False(rec.Fired.Wait(3000), $"fired with status {rec.Status} after a graceful close");
        Libc.Close(r);
        Libc.Close(w);
    }
}
