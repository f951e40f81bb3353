using System;

namespace Mediasoup.Consumers;

/// <summary>The layers a layered consumer heads for: its preferred ones, lowered to what the
/// transport's bitrate allows. Below the preferred spatial layer every temporal layer is fair
/// game (the cap names it); at the preferred spatial layer the lower of both temporal layers
/// holds; a cap above the preferred layers leaves them alone.</summary>
internal static class LayerCap
{
    public static VideoLayers Apply(VideoLayers preferred, VideoLayers cap)
    {
        if (!cap.IsSet || cap.Spatial > preferred.Spatial)
            return preferred;
        return cap.Spatial < preferred.Spatial ? cap
            : new VideoLayers(cap.Spatial, Math.Min(preferred.Temporal, cap.Temporal));
    }
}
