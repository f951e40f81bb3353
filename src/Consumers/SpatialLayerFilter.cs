using System;
using Mediasoup.Codecs;

namespace Mediasoup.Consumers;

/// <summary>
/// Which spatial layers of one SVC stream a consumer forwards, sans IO: every layer up to
/// <see cref="Current"/> (a spatial layer is decoded on top of the lower ones). Steps down at
/// the start of the next picture; jumps to the target at a key picture; otherwise steps up to
/// a layer at a frame of it that predicts from no earlier picture of that layer.
/// </summary>
internal sealed class SpatialLayerFilter
{
    public SpatialLayerFilter(short target) => Target = target;

    /// <summary>The highest layer forwarded; -1 until a key picture starts the stream.</summary>
    public short Current { get; private set; } = -1;

    public short Target { get; set; }

    public void Reset() => Current = -1;

    /// <summary>True when stepping up needs a key frame the producer has to be asked for.</summary>
    public bool WantsKeyFrame => Current < 0 || Current < Target;

    /// <summary>Whether to forward the packet; <paramref name="temporalTarget"/> is the temporal
    /// layer the consumer heads for (a spatial switching point must serve it).</summary>
    public bool Accept(in LayerInfo layers, short temporalTarget, out bool changed)
    {
        short before = Current;
        short layer = layers.SpatialLayer;
        if (layers.IsKeyFrame && layer == 0 && layers.StartOfFrame)
            Current = Target; // a key picture: every layer of it can be decoded
        else if (Current > Target && layer == 0 && layers.StartOfFrame)
            Current = Target; // a new picture begins: drop the upper layers from here
        else if (Current >= 0 && layer == Current + 1 && layer <= Target && layers.StartOfFrame
                 && layers.IsSwitchPointFor(layer, Math.Max(temporalTarget, layers.TemporalLayer)))
            Current = layer; // one layer up, at a frame of it that needs nothing the receiver lacks
        changed = Current != before;
        return Current >= 0 && layer <= Current;
    }
}
