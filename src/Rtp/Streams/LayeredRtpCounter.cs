using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>One <see cref="RtpDataCounter"/> per (spatial, temporal) layer of a receive
/// stream. Layer bitrates are cumulative the way consumers pick layers: a layer includes
/// every lower spatial layer and the lower temporal layers of its own.</summary>
public sealed class LayeredRtpCounter
{
    private readonly RtpDataCounter[] _counters;
    private readonly int _spatial;
    private readonly int _temporal;

    public LayeredRtpCounter(int spatialLayers, int temporalLayers, long windowSizeMs)
    {
        _spatial = Math.Max(spatialLayers, 1);
        _temporal = Math.Max(temporalLayers, 1);
        _counters = new RtpDataCounter[_spatial * _temporal];
        for (int i = 0; i < _counters.Length; i++)
            _counters[i] = new RtpDataCounter(ignorePaddingOnlyPackets: true, windowSizeMs);
    }

    public int SpatialLayers => _spatial;
    public int TemporalLayers => _temporal;

    public long PacketCount
    {
        get
        {
            long n = 0;
            foreach (var c in _counters)
                n += c.PacketCount;
            return n;
        }
    }

    public long Bytes
    {
        get
        {
            long n = 0;
            foreach (var c in _counters)
                n += c.Bytes;
            return n;
        }
    }

    public void Update(in RtpPacketInfo p, long nowMs)
    {
        // Layers above the configured ones are accounted to the highest one.
        int s = Math.Min((int)p.SpatialLayer, _spatial - 1);
        int t = Math.Min((int)p.TemporalLayer, _temporal - 1);
        _counters[s * _temporal + t].Update(p.Size, p.PayloadLength, nowMs);
    }

    public long GetBitrate(long nowMs)
    {
        long rate = 0;
        foreach (var c in _counters)
            rate += c.GetBitrate(nowMs);
        return rate;
    }

    /// <summary>Cumulative bitrate up to (s, t); 0 if that very layer carries nothing.</summary>
    public long GetBitrate(long nowMs, int spatialLayer, int temporalLayer)
    {
        if (!Valid(spatialLayer, temporalLayer) || At(spatialLayer, temporalLayer).GetBitrate(nowMs) <= 0)
            return 0;
        long rate = 0;
        for (int s = 0; s < spatialLayer; s++)
            for (int t = 0; t < _temporal; t++)
                rate += At(s, t).GetBitrate(nowMs);
        for (int t = 0; t <= temporalLayer; t++)
            rate += At(spatialLayer, t).GetBitrate(nowMs);
        return rate;
    }

    public long GetSpatialLayerBitrate(long nowMs, int spatialLayer)
    {
        if (!Valid(spatialLayer, 0))
            return 0;
        long rate = 0;
        for (int t = 0; t < _temporal; t++)
            rate += At(spatialLayer, t).GetBitrate(nowMs);
        return rate;
    }

    public long GetLayerBitrate(long nowMs, int spatialLayer, int temporalLayer) =>
        Valid(spatialLayer, temporalLayer) ? At(spatialLayer, temporalLayer).GetBitrate(nowMs) : 0;

    private bool Valid(int s, int t) => (uint)s < (uint)_spatial && (uint)t < (uint)_temporal;

    private RtpDataCounter At(int s, int t) => _counters[s * _temporal + t];
}
