using Mediasoup.Codecs;

namespace Mediasoup.Consumers;

/// <summary>
/// Which temporal layers of one stream a consumer forwards, sans IO: everything up to
/// <see cref="Current"/>; steps down at the next frame start, steps up only where the
/// packet's layer can be decoded from what the receiver already has (a switching point or a
/// key frame), one layer at a time as such frames come, never above <see cref="Target"/>.
/// </summary>
internal sealed class TemporalLayerFilter
{
    public TemporalLayerFilter(short target) => Target = target;

    /// <summary>The highest layer forwarded; -1 until the stream starts.</summary>
    public short Current { get; private set; } = -1;

    /// <summary>The highest layer wanted (the preferred layer capped by what exists).</summary>
    public short Target { get; set; }

    /// <summary>The stream (re)starts at a key frame: every wanted layer can follow it.</summary>
    public void StartAtKeyFrame() => Current = Target;

    /// <summary>Forget the current layer (pause, source switch).</summary>
    public void Reset() => Current = -1;

    /// <summary>Whether to forward the packet; <paramref name="changed"/> when Current moved.</summary>
    public bool Accept(in LayerInfo layers, out bool changed)
    {
        changed = false;
        short before = Current;
        if (!layers.HasLayers)
        {
            // No temporal information: one layer, always forwarded.
            if (Current != 0)
            {
                Current = 0;
                changed = before != 0;
            }
            return true;
        }
        if (layers.IsKeyFrame && layers.StartOfFrame)
            Current = Target;
        else if (Current > Target && layers.StartOfFrame)
            Current = Target;
        else if (Current >= 0 && layers.TemporalLayer > Current && layers.TemporalLayer <= Target && layers.StartOfFrame
                 && layers.IsSwitchPointFor(layers.SpatialLayer, layers.TemporalLayer))
            Current = layers.TemporalLayer;
        else if (Current < 0 && layers.TemporalLayer == 0 && layers.StartOfFrame)
            Current = 0; // the base layer depends on nothing above it
        changed = Current != before;
        return Current >= 0 && layers.TemporalLayer <= Current;
    }
}
