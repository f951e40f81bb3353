using Mediasoup.Loop;
using Xunit;

namespace Mediasoup.Tests.Loop;

/// <summary>The timer heap driven by a fake clock: fully deterministic.</summary>
public sealed class TimerHeapTests
{
    private long _now = 1000;
    private readonly TimerHeap _heap;
    private readonly List<string> _fired = new();

    public TimerHeapTests() => _heap = new TimerHeap(() => _now);

    private LoopTimer Timer(string name, Action? also = null) => _heap.Create(() =>
    {
        _fired.Add(name);
        also?.Invoke();
    });

    private void AdvanceTo(long now)
    {
        _now = now;
        _heap.RunDue(_now);
    }

    [Fact]
    public void Timers_FireInDeadlineOrder_NotStartOrder()
    {
        Timer("c").Start(30);
        Timer("a").Start(10);
        Timer("b").Start(20);
        Assert.Equal(3, _heap.Count);
        Assert.Equal(1010, _heap.NextDueMs);

        AdvanceTo(1009);
        Assert.Empty(_fired);
        AdvanceTo(1100);
        Assert.Equal(["a", "b", "c"], _fired);
        Assert.Equal(0, _heap.Count);
        Assert.Equal(long.MaxValue, _heap.NextDueMs);
    }

    [Fact]
    public void EqualDeadlines_FireInStartOrder()
    {
        for (int i = 0; i < 20; i++)
            Timer(i.ToString()).Start(5);
        AdvanceTo(1005);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString()), _fired);
    }

    [Fact]
    public void Timer_FiresOnlyWhenDue()
    {
        LoopTimer t = Timer("t");
        t.Start(50);
        Assert.True(t.IsActive);
        AdvanceTo(1049);
        Assert.Empty(_fired);
        AdvanceTo(1050);
        Assert.Equal(["t"], _fired);
        Assert.False(t.IsActive);
        AdvanceTo(2000);
        Assert.Single(_fired);
    }

    [Fact]
    public void RepeatingTimer_FiresEveryPeriod_FromTheTimeItFired()
    {
        LoopTimer t = Timer("r");
        t.Start(10, 25);
        AdvanceTo(1010);
        Assert.Single(_fired);
        Assert.True(t.IsActive);
        Assert.Equal(1035, _heap.NextDueMs);
        AdvanceTo(1034);
        Assert.Single(_fired);
        AdvanceTo(1035);
        Assert.Equal(2, _fired.Count);
        // Late wake-up: one firing, next period counted from now (libuv semantics).
        AdvanceTo(1200);
        Assert.Equal(3, _fired.Count);
        Assert.Equal(1225, _heap.NextDueMs);
    }

    [Fact]
    public void Stop_PreventsFiring_AndCanBeCalledTwice()
    {
        LoopTimer t = Timer("t");
        t.Start(10);
        t.Stop();
        t.Stop();
        Assert.False(t.IsActive);
        AdvanceTo(5000);
        Assert.Empty(_fired);
    }

    [Fact]
    public void StopFromOwnCallback_EndsRepetition()
    {
        LoopTimer? t = null;
        t = Timer("r", () => t!.Stop());
        t.Start(1, 1);
        AdvanceTo(1001);
        AdvanceTo(1002);
        AdvanceTo(1003);
        Assert.Equal(["r"], _fired);
        Assert.Equal(0, _heap.Count);
    }

    [Fact]
    public void StopFromAnotherCallback_PreventsItInTheSameRun()
    {
        LoopTimer victim = Timer("victim");
        LoopTimer killer = Timer("killer", () => victim.Stop());
        killer.Start(5);
        victim.Start(6);
        AdvanceTo(1010);
        Assert.Equal(["killer"], _fired);
    }

    [Fact]
    public void StartAgain_Reschedules_NotDuplicates()
    {
        LoopTimer t = Timer("t");
        t.Start(10);
        t.Start(40);
        Assert.Equal(1, _heap.Count);
        AdvanceTo(1010);
        Assert.Empty(_fired);
        AdvanceTo(1040);
        Assert.Equal(["t"], _fired);
    }

    [Fact]
    public void Restart_UsesLastTimeoutAndRepeat_FromNow()
    {
        LoopTimer t = Timer("t");
        t.Start(100, 7);
        _now = 1050;
        t.Restart();
        Assert.Equal(100, t.TimeoutMs);
        Assert.Equal(7, t.RepeatMs);
        Assert.Equal(1150, _heap.NextDueMs);
        AdvanceTo(1149);
        Assert.Empty(_fired);
        AdvanceTo(1150);
        Assert.Single(_fired);
        Assert.Equal(1157, _heap.NextDueMs);
    }

    [Fact]
    public void ZeroTimeoutTimerStartedFromCallback_WaitsForNextRun()
    {
        LoopTimer second = Timer("second");
        LoopTimer first = Timer("first", () => second.Start(0));
        first.Start(0);
        AdvanceTo(1000);
        Assert.Equal(["first"], _fired);
        Assert.True(second.IsActive);
        AdvanceTo(1000);
        Assert.Equal(["first", "second"], _fired);
    }

    [Fact]
    public void SelfRestartWithZeroTimeout_CannotStarveTheRun()
    {
        int count = 0;
        LoopTimer? t = null;
        t = _heap.Create(() =>
        {
            // Bounded so that a regression fails the assertion instead of hanging the run.
            if (++count < 100)
                t!.Start(0);
        });
        t.Start(0);
        _heap.RunDue(_now);
        Assert.Equal(1, count);
        _heap.RunDue(_now);
        Assert.Equal(2, count);
    }

    [Fact]
    public void ExistingDueTimers_StillFire_WhenACallbackStartsAZeroTimer()
    {
        // "late" was already due when the run began; the fresh zero timer must not block it.
        LoopTimer fresh = Timer("fresh");
        LoopTimer early = Timer("early", () => fresh.Start(0));
        LoopTimer late = Timer("late");
        early.Start(1);
        late.Start(5);
        AdvanceTo(1005);
        Assert.Equal(["early", "late"], _fired);
        AdvanceTo(1005);
        Assert.Equal(["early", "late", "fresh"], _fired);
    }

    [Fact]
    public void NegativeTimeout_Throws()
    {
        LoopTimer t = Timer("t");
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Start(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Start(1, -1));
    }

    [Fact]
    public void RandomSchedule_WithRandomStops_MatchesSortedReference()
    {
        // Exercises sift-up/down and removal from the middle of the heap.
        var rng = new Random(99);
        var timers = new List<(LoopTimer Timer, long Due, int Order, bool Stopped)>();
        var firedOrder = new List<int>();
        for (int i = 0; i < 500; i++)
        {
            int id = i;
            LoopTimer t = _heap.Create(() => firedOrder.Add(id));
            long timeout = rng.Next(0, 200);
            t.Start(timeout);
            timers.Add((t, _now + timeout, i, false));
        }
        for (int i = 0; i < timers.Count; i++)
        {
            if (rng.Next(4) == 0)
            {
                timers[i].Timer.Stop();
                timers[i] = timers[i] with { Stopped = true };
            }
        }
        var expected = timers.Where(t => !t.Stopped).OrderBy(t => t.Due).ThenBy(t => t.Order).Select(t => t.Order).ToList();
        Assert.Equal(expected.Count, _heap.Count);

        for (long now = _now; now <= _now + 200; now += 13)
            _heap.RunDue(now);
        _heap.RunDue(_now + 200);

        Assert.Equal(expected, firedOrder);
    }
}
