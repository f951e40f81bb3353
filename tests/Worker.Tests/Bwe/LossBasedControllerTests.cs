using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public class LossBasedControllerTests
{
    private const long S = 1_000_000;

    [Fact]
    public void AfterHeavyLoss_AProbeWithoutLoss_RaisesTheBoundAtOnce()
    {
        var c = new LossBasedController();
        c.OnLoss(0.30, 1_000_000, 1_000_000, 100_000, 0);
        Assert.Equal(850_000, c.BoundBps);
        c.OnLoss(0.30, 850_000, 1_000_000, 100_000, S);
        Assert.Equal(722_500, c.BoundBps);
        // A probe while loss is still high moves nothing.
        c.OnProbeResult(800_000, 900_000);
        Assert.Equal(722_500, c.BoundBps);
        // Loss gone: 8 %/s from the trough...
        c.OnLoss(0.0, 722_500, 900_000, 100_000, 2 * S);
        Assert.InRange(c.BoundBps, 722_500, 800_000);
        // ...but a probe that measured 850 k raises it to that at once.
        c.OnProbeResult(850_000, 900_000);
        Assert.Equal(850_000, c.BoundBps);
        // A lower reading does not lower it; one at the delay-based estimate lifts it off.
        c.OnProbeResult(600_000, 900_000);
        Assert.Equal(850_000, c.BoundBps);
        c.OnProbeResult(950_000, 900_000);
        Assert.Equal(long.MaxValue, c.BoundBps);
        // With no bound, a probe does nothing.
        c.OnProbeResult(100_000, 900_000);
        Assert.Equal(long.MaxValue, c.BoundBps);
    }
}
