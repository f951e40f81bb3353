using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public class BitrateAllocatorTests
{
    // Three simulcast encodings × three temporal layers, cumulative per encoding.
    private static readonly LayerRung[] Ladder =
    [
        new(0, 0, 60_000), new(0, 1, 100_000), new(0, 2, 150_000),
        new(1, 0, 200_000), new(1, 1, 330_000), new(1, 2, 500_000),
        new(2, 0, 600_000), new(2, 1, 850_000), new(2, 2, 1_200_000),
    ];

    private static int Run(long budget, int current)
    {
        var a = new BitrateAllocator();
        int i = a.Add(1, Ladder, current);
        a.Allocate(budget);
        return a.Chosen(i);
    }

    [Fact]
    public void TakesTheHighestStepThatFits_WhenComingDown()
    {
        Assert.Equal(8, Run(5_000_000, current: 8));
        Assert.Equal(5, Run(520_000, current: 8));
        Assert.Equal(4, Run(400_000, current: 8));
        Assert.Equal(2, Run(160_000, current: 8));
    }

    [Fact]
    public void ClimbsOnlyWithHeadroom()
    {
        // Forwarding (1,1) at 330 k: (1,2) at 500 k needs 625 k with the headroom.
        Assert.Equal(4, Run(600_000, current: 4));
        Assert.Equal(5, Run(630_000, current: 4));
        // Keeping what it forwards needs no headroom: 500 k of budget keep (1,2).
        Assert.Equal(5, Run(500_000, current: 5));
    }

    [Fact]
    public void NoFlapping_AtSteadyBudgetBetweenTwoSteps()
    {
        int current = 8;
        var seen = new HashSet<int>();
        // A budget that wobbles ±5 % around 520 k: after settling, the step never changes.
        for (int round = 0; round < 50; round++)
        {
            long budget = 520_000 + (round % 2 == 0 ? 26_000 : -26_000);
            current = Run(budget, current);
            if (round > 2)
                seen.Add(current);
        }
        Assert.Single(seen);
    }

    [Fact]
    public void LowestStepIsAlwaysGranted()
    {
        Assert.Equal(0, Run(0, current: 8));
        Assert.Equal(0, Run(30_000, current: -1));
    }

    [Fact]
    public void HigherPriorityGetsMore()
    {
        var a = new BitrateAllocator();
        int low = a.Add(1, Ladder, 8);
        int high = a.Add(3, Ladder, 8);
        a.Allocate(900_000);
        Assert.True(a.TryGetChosen(high, out LayerRung h));
        Assert.True(a.TryGetChosen(low, out LayerRung l));
        Assert.True(h.Bitrate > l.Bitrate, $"high {h} low {l}");
        Assert.True(h.Bitrate + l.Bitrate <= 900_000, $"high {h} low {l}");
    }

    [Fact]
    public void ALowerPriority_NeverDrawsLevelWithAHigherOne_TheBudgetHolds()
    {
        // Both forward (1,1) at 330 k; 720 k of budget. (1,2) for the high one costs 625 k with
        // headroom: 295 k more than it has, and after both (1,1) only 60 k are left. Without the
        // rule the low one would stay level on (1,1).
        Assert.Equal((4, 3), Pair(2, 1, 720_000));
        // Equal priorities are not held back by each other.
        Assert.Equal((4, 4), Pair(1, 1, 720_000));
        // With the budget for it the high one climbs and the low one may follow below it.
        Assert.Equal((5, 3), Pair(2, 1, 850_000));
    }

    // Two consumers forwarding (1,1), the first added with priority `second`: the steps granted
    // to the one of priority `first` and to the other.
    private static (int First, int Second) Pair(byte first, byte second, long budget)
    {
        var a = new BitrateAllocator();
        int s = a.Add(second, Ladder, 4);
        int f = a.Add(first, Ladder, 4);
        a.Allocate(budget);
        return (a.Chosen(f), a.Chosen(s));
    }

    [Fact]
    public void EqualPrioritiesShareEvenly()
    {
        var a = new BitrateAllocator();
        int x = a.Add(1, Ladder, 8);
        int y = a.Add(1, Ladder, 8);
        a.Allocate(1_000_000);
        Assert.InRange(Math.Abs(a.Chosen(x) - a.Chosen(y)), 0, 1);
        Assert.Equal(5, Math.Max(a.Chosen(x), a.Chosen(y)));
    }

    [Fact]
    public void EmptyLadderGetsNothing_AndManyConsumersGrowTheScratch()
    {
        var a = new BitrateAllocator();
        int none = a.Add(1, [], -1);
        for (int i = 0; i < 40; i++)
            a.Add((byte)(i % 3), Ladder, 8);
        a.Allocate(10_000_000);
        Assert.Equal(-1, a.Chosen(none));
        Assert.Equal(41, a.Count);
    }

    [Fact]
    public void AllocatesNothingOnceWarm()
    {
        var a = new BitrateAllocator();
        long bytes = AllocationProbe.Measure(i =>
        {
            a.Clear();
            a.Add(1, Ladder, i % 9);
            a.Add(2, Ladder, 8);
            a.Allocate(300_000 + i * 10);
        }, 2000);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void CeilingStopsTheClimb_ButNeverTakesAwayWhatIsForwarded()
    {
        var a = new BitrateAllocator();
        int i = a.Add(1, Ladder, current: 3, ceiling: 330_000);
        a.Allocate(5_000_000);
        Assert.Equal(3, a.Chosen(i)); // (1,1) at 330 k and up are out of reach
        a.Clear();
        i = a.Add(1, Ladder, current: 5, ceiling: 330_000);
        a.Allocate(5_000_000);
        Assert.Equal(5, a.Chosen(i)); // it forwards (1,2) already: kept
    }
}
