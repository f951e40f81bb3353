using Mediasoup.Consumers;
using Xunit;

namespace Mediasoup.Tests.Consumers;

public sealed class SimulcastLayerSelectorTests
{
    private static SimulcastLayerSelector ThreeLayers(short preferred = 2)
    {
        var s = new SimulcastLayerSelector(3, preferred, 90000);
        for (int i = 0; i < 3; i++)
            s.SetScore(i, 10);
        return s;
    }

    [Fact]
    public void Target_IsTheHighestActiveLayer_NotAbovePreferred_ElseTheLowestAbove()
    {
        SimulcastLayerSelector s = ThreeLayers();
        Assert.Equal(2, s.Target);
        Assert.True(s.SetScore(2, 0));
        Assert.Equal(1, s.Target);
        Assert.True(s.SetPreferred(0));
        Assert.Equal(0, s.Target);
        Assert.True(s.SetScore(0, 0));
        Assert.Equal(1, s.Target); // nothing at or below 0: the lowest active above
        s.SetScore(1, 0);
        Assert.Equal(-1, s.Target);
        Assert.False(s.SetPreferred(5)); // clamped to 2, still nothing active
    }

    [Fact]
    public void Forwarding_StartsAndSwitches_OnlyAtKeyFramesOfTheTarget()
    {
        SimulcastLayerSelector s = ThreeLayers(preferred: 1);
        Assert.Equal(SimulcastDecision.Drop, s.OnPacket(1, isKeyFrame: false, 1000, 0));
        Assert.Equal(SimulcastDecision.Drop, s.OnPacket(0, isKeyFrame: true, 5000, 0)); // not the target
        Assert.Equal(SimulcastDecision.SwitchAndForward, s.OnPacket(1, isKeyFrame: true, 1000, 0));
        Assert.Equal(1, s.Current);
        Assert.Equal(SimulcastDecision.Forward, s.OnPacket(1, false, 1000, 0));
        Assert.Equal(SimulcastDecision.Drop, s.OnPacket(2, true, 9000, 0));

        // A new target: the old layer keeps flowing until the new one's key frame.
        s.SetPreferred(2);
        Assert.Equal(SimulcastDecision.Forward, s.OnPacket(1, false, 4000, 33_000));
        Assert.Equal(SimulcastDecision.Drop, s.OnPacket(2, false, 90_000, 33_000));
        Assert.Equal(SimulcastDecision.SwitchAndForward, s.OnPacket(2, true, 90_000, 66_000));
        Assert.Equal(2, s.Current);
        Assert.Equal(SimulcastDecision.Drop, s.OnPacket(1, false, 7000, 70_000));

        s.Reset();
        Assert.Equal(SimulcastDecision.Drop, s.OnPacket(2, false, 93_000, 99_000));
        Assert.Equal(SimulcastDecision.SwitchAndForward, s.OnPacket(2, true, 96_000, 100_000));
    }

    [Fact]
    public void TimestampOffset_KeepsTheOutgoingClockContinuous_AcrossSwitches()
    {
        SimulcastLayerSelector s = ThreeLayers(preferred: 0);
        s.OnPacket(0, true, 1_000_000, 0);
        Assert.Equal(0u, s.TimestampOffset); // the first encoding keeps its own timestamps
        s.OnPacket(0, false, 1_003_000, 33_333); // last sent: 1_003_000 at 33.3 ms

        s.SetPreferred(2);
        // Layer 2 has an unrelated base (and wraps soon); 10 ms later its key frame arrives.
        uint layer2Ts = 0xFFFF_FF00;
        Assert.Equal(SimulcastDecision.SwitchAndForward, s.OnPacket(2, true, layer2Ts, 43_333));
        uint outTs = layer2Ts + s.TimestampOffset;
        Assert.Equal(1_003_000u + 900u, outTs); // +10 ms at 90 kHz
        // Later packets of layer 2 (across its wrap) keep their spacing.
        Assert.Equal(SimulcastDecision.Forward, s.OnPacket(2, false, layer2Ts + 3000, 76_666));
        Assert.Equal(1_003_900u + 3000u, layer2Ts + 3000 + s.TimestampOffset);
    }
}
