using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public class ClimbGuardTests
{
    private const long S = 1_000_000;
    private const long Interval = S;

    [Fact]
    public void ClimbNeedsTheHeadroomToLast_ThroughConsecutiveAllocations()
    {
        var g = new ClimbGuard();
        Assert.False(g.ConfirmClimb(0, Interval));
        Assert.False(g.ConfirmClimb(S / 2, Interval));  // 0.5 s: not yet
        Assert.True(g.ConfirmClimb(S, Interval));       // 1 s of asking: granted
        // A spike: asked once, then the allocation kept the step: starts over.
        Assert.False(g.ConfirmClimb(10 * S, Interval));
        g.CancelClimb();
        Assert.False(g.ConfirmClimb(10 * S + S / 2, Interval));
        // A gap in the asking (no allocation for 3 s) starts over too.
        Assert.False(g.ConfirmClimb(20 * S, Interval));
        Assert.False(g.ConfirmClimb(23 * S, Interval));
        Assert.True(g.ConfirmClimb(24 * S, Interval));
    }

    [Fact]
    public void LostStepStaysOutOfReach_UntilTheBackoffEnds_OrTheEstimateClearsIt()
    {
        var g = new ClimbGuard();
        Assert.Equal(long.MaxValue, g.Ceiling(400_000, 0));
        g.OnLost(500_000, 1 * S);
        Assert.Equal(450_000, g.Ceiling(800_000, 2 * S));        // 1.6 × its cost: still out
        Assert.Equal(long.MaxValue, g.Ceiling(1_250_000, 2 * S)); // 2.5 ×: cleared
        Assert.Equal(450_000, g.Ceiling(800_000, 10 * S));
        Assert.Equal(long.MaxValue, g.Ceiling(800_000, 11 * S)); // 10 s later
        Assert.True(g.BackoffsOver(11 * S));
    }

    [Fact]
    public void TwoStepsLostInARow_BothHold()
    {
        var g = new ClimbGuard();
        g.OnLost(500_000, 1 * S);   // spatial 2's base
        g.OnLost(150_000, 2 * S);   // then spatial 1's
        // 400 k clears the lower one (2.5 × 150 k = 375 k) but not the higher one.
        Assert.Equal(450_000, g.Ceiling(400_000, 3 * S));
        Assert.Equal(135_000, g.Ceiling(300_000, 3 * S));
    }

    [Fact]
    public void RegainedStepLostAgainSoon_DoublesTheBackoff_UpToTheMaximum()
    {
        var g = new ClimbGuard();
        long t = 0;
        g.OnLost(500_000, t);                       // 10 s
        t += 11 * S;
        Assert.Equal(long.MaxValue, g.Ceiling(600_000, t));
        g.OnGranted(t);
        t += 2 * S;
        g.OnLost(500_000, t);                       // lost 2 s after regaining it: 20 s
        Assert.Equal(450_000, g.Ceiling(600_000, t + 19 * S));
        Assert.Equal(long.MaxValue, g.Ceiling(600_000, t + 21 * S));
        for (int i = 0; i < 5; i++)
        {
            t += 200 * S;
            g.OnGranted(t);
            g.OnLost(500_000, t + S);
        }
        Assert.Equal(450_000, g.Ceiling(600_000, t + S + 119 * S)); // capped at 120 s
        Assert.Equal(long.MaxValue, g.Ceiling(600_000, t + S + 121 * S));
        Assert.False(g.IsIdle(t + S + 121 * S));
        Assert.True(g.IsIdle(t + S + 241 * S));
    }

    [Fact]
    public void ARefusedClimb_HoldsItsStepBack_ForTwoSeconds()
    {
        var g = new ClimbGuard();
        // Asked for a 500 k step on an estimate of 900 k; the estimate fell while it was tried.
        Assert.False(g.ConfirmClimb(10 * S, Interval, 500_000, 900_000));
        Assert.True(g.ClimbPending);
        Assert.Equal(900_000, g.PendingFromAvailable);
        Assert.False(g.HoldsCurrent(10 * S));
        g.RefuseClimb(10 * S + S / 2);
        Assert.False(g.ClimbPending);
        Assert.True(g.HoldsCurrent(11 * S));   // the step it is on is kept a moment...
        Assert.False(g.HoldsCurrent(12 * S));  // ...1.5 s
        Assert.Equal(0, g.PendingFromAvailable);
        Assert.Equal(450_000, g.Ceiling(900_000, 11 * S));                       // held back...
        Assert.Equal(450_000, g.Ceiling(900_000, 12 * S));
        Assert.Equal(long.MaxValue, g.Ceiling(900_000, 10 * S + S / 2 + 2 * S)); // ...for 2 s
        // Refusing when nothing is pending does nothing.
        var idle = new ClimbGuard();
        idle.RefuseClimb(S);
        Assert.Equal(long.MaxValue, idle.Ceiling(900_000, 2 * S));
    }

    [Fact]
    public void TheSameStepRefusedAgain_WaitsTwiceAsLong_UpTo16s_AndAGrantForgetsIt()
    {
        var g = new ClimbGuard();
        long t = 0;
        long expected = 2 * S;
        foreach (long wait in new[] { 2 * S, 4 * S, 8 * S, 16 * S, 16 * S })
        {
            Assert.False(g.ConfirmClimb(t, Interval, 520_000, 1_000_000));
            g.RefuseClimb(t + S / 2);
            long refusedAt = t + S / 2;
            Assert.Equal(468_000, g.Ceiling(1_000_000, refusedAt + wait - 1));
            Assert.Equal(long.MaxValue, g.Ceiling(1_000_000, refusedAt + wait));
            t = refusedAt + wait;
        }
        // Another step refused starts again at 2 s.
        Assert.False(g.ConfirmClimb(t, Interval, 390_000, 1_000_000));
        g.RefuseClimb(t + S / 2);
        Assert.Equal(long.MaxValue, g.Ceiling(1_000_000, t + S / 2 + 2 * S));
        // A granted climb forgets the refusals: the first step refused again waits 2 s.
        t += 10 * S;
        g.OnGranted(t);
        Assert.False(g.ConfirmClimb(t + S, Interval, 520_000, 1_000_000));
        g.RefuseClimb(t + 2 * S);
        Assert.Equal(long.MaxValue, g.Ceiling(1_000_000, t + 4 * S));
        // So does a long quiet spell (twice the longest wait).
        t += 100 * S;
        Assert.False(g.ConfirmClimb(t, Interval, 520_000, 1_000_000));
        g.RefuseClimb(t);
        Assert.False(g.ConfirmClimb(t + 2 * S, Interval, 520_000, 1_000_000));
        g.RefuseClimb(t + 2 * S);
        Assert.Equal(468_000, g.Ceiling(1_000_000, t + 5 * S));
        Assert.Equal(long.MaxValue, g.Ceiling(1_000_000, t + 6 * S));
        t += 40 * S;
        Assert.False(g.ConfirmClimb(t, Interval, 520_000, 1_000_000));
        g.RefuseClimb(t);
        Assert.Equal(long.MaxValue, g.Ceiling(1_000_000, t + 2 * S));
    }

    [Fact]
    public void AHigherStepThanTheOneTried_StartsItsOwnTrial_ALowerOneIsConfirmed()
    {
        var g = new ClimbGuard();
        Assert.False(g.ConfirmClimb(0, Interval, 390_000, 1_000_000));
        // Asked for a higher step (a backoff ended meanwhile): not taken on the smaller step's trial.
        Assert.False(g.ConfirmClimb(S, Interval, 720_000, 1_000_000));
        Assert.Equal(1_000_000, g.PendingFromAvailable);
        Assert.False(g.ConfirmClimb(S + S / 2, Interval, 720_000, 1_000_000));
        Assert.True(g.ConfirmClimb(2 * S, Interval, 720_000, 1_000_000));
        // A lower step than the one tried is covered by the trial.
        Assert.False(g.ConfirmClimb(10 * S, Interval, 720_000, 1_000_000));
        Assert.True(g.ConfirmClimb(11 * S, Interval, 390_000, 900_000));
        // Rates that wander a little are the same step.
        Assert.False(g.ConfirmClimb(20 * S, Interval, 390_000, 1_000_000));
        Assert.True(g.ConfirmClimb(21 * S, Interval, 420_000, 1_000_000));
    }
}
