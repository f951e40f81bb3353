using System.Diagnostics;
using System.Reflection;
using Mediasoup.Loop;
using Xunit;
using Xunit.Sdk;

namespace Mediasoup.Tests.Loop;

/// <summary>The io_uring theory row. Skipped, with the reason, where the kernel or a policy
/// does not allow io_uring (the factory would silently fall back to epoll there).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IoUringDataAttribute : DataAttribute
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        UringBackend? b = UringBackend.TryCreate(out string? reason);
        b?.Dispose();
        return b == null ? $"io_uring unavailable here: {reason ?? "unknown reason"}" : null;
    });

    public IoUringDataAttribute()
    {
        if (Unavailable.Value != null)
            Skip = Unavailable.Value;
    }

    public static string? SkipReason => Unavailable.Value;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [LoopBackendKind.IoUring];
    }
}

public sealed class EventLoopTests
{
    private sealed class Recorder(Action<IoEvents>? onReady = null) : IIoHandler
    {
        public readonly List<IoEvents> Calls = new();

        public void OnIoReady(IoEvents events)
        {
            Calls.Add(events);
            onReady?.Invoke(events);
        }
    }

    private static EventLoop Create(LoopBackendKind kind)
    {
        EventLoop loop = EventLoop.Create(kind, out string? fallback);
        // io_uring rows are skipped where it does not work, so no fallback is expected.
        Assert.Null(fallback);
        Assert.Equal(kind == LoopBackendKind.IoUring ? "io_uring" : "epoll", loop.BackendName);
        return loop;
    }

    /// <summary>Runs iterations until the condition holds; fails after 2 s.</summary>
    private static void RunUntil(EventLoop loop, Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.ElapsedMilliseconds < 2000, "condition not reached within 2 s");
            loop.RunOnce(50);
        }
    }

    [Fact]
    public void EpollRequest_GivesEpoll()
    {
        using EventLoop loop = EventLoop.Create(LoopBackendKind.Epoll, out string? fallback);
        Assert.Equal("epoll", loop.BackendName);
        Assert.Null(fallback);
    }

    [Fact]
    public void IoUringRequest_GivesIoUring_OrFallsBackWithReason()
    {
        using EventLoop loop = EventLoop.Create(LoopBackendKind.IoUring, out string? fallback);
        if (IoUringDataAttribute.SkipReason == null)
        {
            Assert.Equal("io_uring", loop.BackendName);
            Assert.Null(fallback);
        }
        else
        {
            Assert.Equal("epoll", loop.BackendName);
            Assert.False(string.IsNullOrEmpty(fallback));
        }
    }

    [Theory]
    [InlineData("epoll", LoopBackendKind.Epoll)]
    [InlineData(" EPOLL ", LoopBackendKind.Epoll)]
    [InlineData("io_uring", LoopBackendKind.IoUring)]
    [InlineData("uring", LoopBackendKind.IoUring)]
    [InlineData("auto", LoopBackendKind.Auto)]
    public void KindFromEnvironment_Maps(string? value, LoopBackendKind expected)
    {
        Assert.Equal(expected, EventLoop.KindFromEnvironment(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kqueue")]
    public void KindFromEnvironment_UnsetOrUnknown_GivesDefault(string? value)
    {
        Assert.Equal(EventLoop.DefaultKind, EventLoop.KindFromEnvironment(value));
    }

    // ---------------------------------------------------------------- timers on a real loop

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Timers_FireInDeadlineOrder_AndNotEarly(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        var fired = new List<string>();
        long start = loop.NowMs;
        long firedAt = 0;
        loop.CreateTimer(() => fired.Add("30")).Start(30);
        loop.CreateTimer(() => { fired.Add("10"); firedAt = loop.NowMs; }).Start(10);
        loop.CreateTimer(() => fired.Add("20")).Start(20);

        RunUntil(loop, () => fired.Count == 3);

        Assert.Equal(["10", "20", "30"], fired);
        Assert.True(firedAt - start >= 10, $"fired after {firedAt - start} ms");
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void RunOnce_WithoutMaxWait_SleepsUntilTheNextTimer(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        bool fired = false;
        loop.UpdateTime(); // timers count from the loop's cached time, as in libuv
        loop.CreateTimer(() => fired = true).Start(15);
        var sw = Stopwatch.StartNew();
        while (!fired && sw.ElapsedMilliseconds < 2000)
            loop.RunOnce(-1);
        Assert.True(fired);
        Assert.True(sw.ElapsedMilliseconds >= 10, $"woke after {sw.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void RepeatingTimer_Repeats_UntilStopped(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        int count = 0;
        LoopTimer? t = null;
        t = loop.CreateTimer(() =>
        {
            if (++count == 3)
                t!.Stop();
        });
        t.Start(1, 2);
        RunUntil(loop, () => !t.IsActive);
        Assert.Equal(3, count);
        loop.RunOnce(10);
        Assert.Equal(3, count);
        Assert.Equal(0, loop.ActiveTimerCount);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void StoppedTimer_CanBeRestarted(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        int count = 0;
        LoopTimer t = loop.CreateTimer(() => count++);
        t.Start(5);
        t.Stop();
        loop.RunOnce(20);
        Assert.Equal(0, count);
        t.Restart();
        RunUntil(loop, () => count == 1);
        t.Restart();
        RunUntil(loop, () => count == 2);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void ZeroTimeoutTimer_StartedFromCallback_RunsOnNextIteration(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        var order = new List<string>();
        LoopTimer second = loop.CreateTimer(() => order.Add("second"));
        LoopTimer first = loop.CreateTimer(() =>
        {
            order.Add("first");
            second.Start(0);
        });
        first.Start(0);

        loop.RunOnce(0);
        Assert.Equal(["first"], order);
        // The pending zero timer makes the next wait non-blocking.
        // (A wait that ignored it would block for the whole 10 s.)
        var sw = Stopwatch.StartNew();
        loop.RunOnce(10_000);
        Assert.Equal(["first", "second"], order);
        Assert.True(sw.ElapsedMilliseconds < 5000, $"waited {sw.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void SelfRestartingZeroTimer_FiresOncePerIteration(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        int count = 0;
        LoopTimer? t = null;
        t = loop.CreateTimer(() =>
        {
            if (++count < 100) // bounded: a regression fails instead of hanging
                t!.Start(0);
        });
        t.Start(0);
        for (int i = 1; i <= 3; i++)
        {
            loop.RunOnce(1000);
            Assert.Equal(i, count);
        }
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Defer_RunsAfterCurrentIteration_AndDoesNotBlock(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        int count = 0;
        loop.Defer(() =>
        {
            count++;
            loop.Defer(() => count += 10); // queued during the run: next iteration
        });
        var sw = Stopwatch.StartNew();
        loop.RunOnce(10_000);
        Assert.Equal(1, count);
        loop.RunOnce(10_000);
        Assert.Equal(11, count);
        Assert.True(sw.ElapsedMilliseconds < 5000, $"took {sw.ElapsedMilliseconds} ms"); // a blocking wait takes 10 s

    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void ThrowingCallbacks_AreReported_AndTheLoopGoesOn(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        var reported = new List<string>();
        loop.SetUnhandledExceptionHandler(ex => reported.Add(ex.Message));
        bool laterTimerFired = false, laterDeferredRan = false;
        loop.CreateTimer(() => throw new InvalidOperationException("timer")).Start(0);
        loop.CreateTimer(() => laterTimerFired = true).Start(0);
        loop.Defer(() => throw new InvalidOperationException("deferred"));
        loop.Defer(() => laterDeferredRan = true);

        loop.RunOnce(100);

        Assert.Equal(["timer", "deferred"], reported);
        Assert.True(laterTimerFired);
        Assert.True(laterDeferredRan);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void ThrowingCallback_WithoutHandler_Propagates(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        loop.Defer(() => throw new InvalidOperationException("deferred"));
        Assert.Throws<InvalidOperationException>(() => loop.RunOnce(100));
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Run_ReturnsAfterStop_AndCanRunAgain(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        int fired = 0;
        loop.CreateTimer(() => { fired++; loop.Stop(); }).Start(1);
        loop.Run();
        Assert.Equal(1, fired);
        Assert.False(loop.IsStopping);

        loop.CreateTimer(() => { fired++; loop.Stop(); }).Start(1);
        loop.Run();
        Assert.Equal(2, fired);
    }

    // ---------------------------------------------------------------- fd readiness

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void PipeReadEnd_ReportsReadable_OnlyAfterDataArrives(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        var rec = new Recorder();
        IoWatch w = loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);
        Assert.True(w.IsActive);
        Assert.Equal(1, loop.ActiveWatchCount);

        loop.RunOnce(20);
        Assert.Empty(rec.Calls);

        pipe.Write([1, 2, 3]);
        RunUntil(loop, () => rec.Calls.Count > 0);
        Assert.Single(rec.Calls);
        Assert.True(rec.Calls[0].HasFlag(IoEvents.Readable), rec.Calls[0].ToString());
        Assert.False(rec.Calls[0].HasFlag(IoEvents.HangUp), rec.Calls[0].ToString());

        var buf = new byte[16];
        Assert.Equal(3, pipe.Read(buf));
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Readiness_IsEdgeTriggered_NewDataGivesNewEvent(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        var rec = new Recorder();
        loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);

        pipe.Write([1]);
        RunUntil(loop, () => rec.Calls.Count == 1);
        // Not drained: an edge-triggered backend stays quiet until something changes.
        loop.RunOnce(20);
        Assert.Single(rec.Calls);

        pipe.Write([2]);
        RunUntil(loop, () => rec.Calls.Count == 2);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void PipeWriteEnd_ReportsWritable(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        var rec = new Recorder();
        loop.Watch(pipe.WriteFd, IoEvents.Writable, rec);
        RunUntil(loop, () => rec.Calls.Count > 0);
        Assert.True(rec.Calls[0].HasFlag(IoEvents.Writable), rec.Calls[0].ToString());
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void ClosingWriter_ReportsHangUpOnReader(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        var rec = new Recorder();
        loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);
        pipe.CloseWrite();
        RunUntil(loop, () => rec.Calls.Count > 0);
        Assert.True(rec.Calls[^1].HasFlag(IoEvents.HangUp), rec.Calls[^1].ToString());
        Assert.Equal(0, pipe.Read(new byte[4])); // EOF
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Unwatch_InsideOwnCallback_StopsFurtherCalls(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        IoWatch? w = null;
        var rec = new Recorder(_ => loop.Unwatch(w!));
        w = loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);

        pipe.Write([1]);
        RunUntil(loop, () => rec.Calls.Count == 1);
        Assert.False(w.IsActive);
        Assert.Equal(0, loop.ActiveWatchCount);

        pipe.Write([2]);
        loop.RunOnce(30);
        Assert.Single(rec.Calls);
        loop.Unwatch(w); // second Unwatch is harmless
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void UnwatchOfAnotherReadyWatch_InSameBatch_SuppressesItsCallback(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var a = new TestPipe();
        using var b = new TestPipe();
        using var c = new TestPipe();
        IoWatch? wa = null, wb = null;
        var recC = new Recorder();
        IoWatch? wc = null;
        // Whichever of a/b runs first removes the other and puts c into the freed slot:
        // the stale event of the removed watch must not reach c's handler.
        var recA = new Recorder(_ => { if (wb!.IsActive) { loop.Unwatch(wb); wc = loop.Watch(c.ReadFd, IoEvents.Readable, recC); } });
        var recB = new Recorder(_ => { if (wa!.IsActive) { loop.Unwatch(wa); wc = loop.Watch(c.ReadFd, IoEvents.Readable, recC); } });
        wa = loop.Watch(a.ReadFd, IoEvents.Readable, recA);
        wb = loop.Watch(b.ReadFd, IoEvents.Readable, recB);

        a.Write([1]);
        b.Write([1]);
        RunUntil(loop, () => recA.Calls.Count + recB.Calls.Count > 0);
        loop.RunOnce(20);

        Assert.Equal(1, recA.Calls.Count + recB.Calls.Count);
        Assert.Empty(recC.Calls);
        Assert.NotNull(wc);
        Assert.Equal(2, loop.ActiveWatchCount);

        c.Write([1]);
        RunUntil(loop, () => recC.Calls.Count == 1);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Reschedule_CallsHandlerAgainWithoutNewData(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        var got = new List<byte>();
        IoWatch? w = null;
        // Reads one byte per call, as a handler with a per-wake-up budget would.
        var rec = new Recorder(_ =>
        {
            var one = new byte[1];
            if (pipe.Read(one) == 1)
            {
                got.Add(one[0]);
                w!.Reschedule();
            }
        });
        w = loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);
        pipe.Write([10, 20, 30, 40, 50]);

        var sw = Stopwatch.StartNew();
        RunUntil(loop, () => got.Count == 5);
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50 }, got);
        // Rescheduled iterations must not sleep.
        Assert.True(sw.ElapsedMilliseconds < 500, $"took {sw.ElapsedMilliseconds} ms");
        // The fifth call rescheduled once more; that sixth call finds nothing and does not
        // reschedule, so after it the loop goes quiet.
        int calls = rec.Calls.Count;
        loop.RunOnce(0);
        Assert.Equal(calls + 1, rec.Calls.Count);
        loop.RunOnce(20);
        Assert.Equal(calls + 1, rec.Calls.Count);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Reschedule_AfterUnwatch_IsIgnored(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        using var pipe = new TestPipe();
        var rec = new Recorder();
        IoWatch w = loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);
        w.Reschedule();
        loop.Unwatch(w);
        loop.RunOnce(10);
        Assert.Empty(rec.Calls);

        // Rescheduling twice in one iteration gives one call.
        IoWatch w2 = loop.Watch(pipe.ReadFd, IoEvents.Readable, rec);
        w2.Reschedule();
        w2.Reschedule();
        loop.RunOnce(10);
        Assert.Single(rec.Calls);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void ManyWatches_AllReported(LoopBackendKind kind)
    {
        using EventLoop loop = Create(kind);
        var pipes = Enumerable.Range(0, 40).Select(_ => new TestPipe()).ToList();
        try
        {
            var seen = new HashSet<int>();
            for (int i = 0; i < pipes.Count; i++)
            {
                int idx = i;
                loop.Watch(pipes[i].ReadFd, IoEvents.Readable, new Recorder(_ => seen.Add(idx)));
            }
            foreach (TestPipe p in pipes)
                p.Write([1]);
            RunUntil(loop, () => seen.Count == pipes.Count);
        }
        finally
        {
            foreach (TestPipe p in pipes)
                p.Dispose();
        }
    }
}
