using System;
using Mediasoup.Rtp;

namespace Mediasoup.Codecs;

/// <summary>
/// What consumers need to know of one packet's place in a layered stream (read once per
/// packet by the producer, used by every consumer's forwarder and by the layer counters): its spatial and
/// temporal layer, whether it starts or ends a layer frame, whether it is a key frame, and
/// whether a receiver may start (or step up to) its layer there.
/// </summary>
/// <param name="HasLayers">False when the payload says nothing about layers: everything is layer 0.</param>
/// <param name="TemporalSwitchPoint">Frames of this temporal layer from here on depend on nothing
/// the receiver has not had (VP8 Y, VP9 U, a key frame).</param>
/// <param name="SpatialSwitchPoint">This spatial layer frame does not predict from earlier pictures of its layer.</param>
internal readonly record struct PacketLayers(bool HasLayers, byte Spatial, byte Temporal, bool IsKeyFrame, bool StartOfFrame,
    bool EndOfFrame, bool TemporalSwitchPoint, bool SpatialSwitchPoint)
{
    /// <summary>Audio, and a payload nothing is known of: one layer, no key frame.</summary>
    public static readonly PacketLayers None = new(false, 0, 0, false, true, true, true, false);

    /// <summary>Reads the layers of a packet of the given codec; false for a payload the codec's parser refuses.</summary>
    public static bool TryRead(CodecKind kind, RtpPacket packet, out PacketLayers layers)
    {
        ReadOnlySpan<byte> payload = packet.Payload;
        switch (kind)
        {
            case CodecKind.Vp8:
            {
                if (!Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d))
                    break;
                bool start = d.StartOfPartition && d.PartitionIndex == 0;
                layers = new PacketLayers(d.HasTid, 0, d.HasTid ? d.TemporalLayer : (byte)0, d.IsKeyFrame, start, packet.Marker,
                    d.IsKeyFrame || d.LayerSync || (d.HasTid && d.TemporalLayer == 0), d.IsKeyFrame);
                return true;
            }
            case CodecKind.Vp9:
            {
                if (!Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d))
                    break;
                bool switchTemporal = d.IsKeyFrame || d.SwitchingUpPoint || d.TemporalLayer == 0;
                // A layer frame that predicts from no earlier picture: only from lower layers of its own.
                bool switchSpatial = d.StartOfFrame && !d.InterPicturePredicted;
                layers = new PacketLayers(d.HasLayerIndices, d.SpatialLayer, d.TemporalLayer, d.IsKeyFrame, d.StartOfFrame, d.EndOfFrame,
                    switchTemporal, switchSpatial);
                return true;
            }
            default:
            {
                bool key = Codec.IsKeyFrame(kind, payload);
                layers = new PacketLayers(false, 0, 0, key, true, packet.Marker, true, key);
                return true;
            }
        }
        layers = default;
        return false;
    }
}
