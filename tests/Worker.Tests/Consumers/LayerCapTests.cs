using Mediasoup.Consumers;
using Xunit;

namespace Mediasoup.Tests.Consumers;

public class LayerCapTests
{
    [Fact]
    public void CapLowersThePreferredLayers_AndAnOpenTemporalCapKeepsThePreferredOne()
    {
        var preferred = new VideoLayers(2, 1);
        Assert.Equal(preferred, LayerCap.Apply(preferred, VideoLayers.None));
        Assert.Equal(new VideoLayers(1, 2), LayerCap.Apply(preferred, new VideoLayers(1, 2)));   // below: the cap names it
        Assert.Equal(new VideoLayers(2, 0), LayerCap.Apply(preferred, new VideoLayers(2, 0)));
        Assert.Equal(new VideoLayers(2, 1), LayerCap.Apply(preferred, new VideoLayers(2, 2)));   // the preferred one is the ceiling
        Assert.Equal(new VideoLayers(2, 1), LayerCap.Apply(preferred, new VideoLayers(2, short.MaxValue)));
        Assert.Equal(new VideoLayers(0, short.MaxValue), LayerCap.Apply(preferred, new VideoLayers(0, short.MaxValue))); // forwarders clamp it
    }
}
