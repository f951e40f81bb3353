namespace Mediasoup.Rtp.Streams;

/// <summary>The few facts about an RTP packet that stream accounting needs, so that these
/// classes stay independent of the packet parser.</summary>
public readonly struct RtpPacketInfo
{
    public RtpPacketInfo(ushort seq, uint timestamp, int size, int payloadLength,
        byte spatialLayer = 0, byte temporalLayer = 0)
    {
        Seq = seq;
        Timestamp = timestamp;
        Size = size;
        PayloadLength = payloadLength;
        SpatialLayer = spatialLayer;
        TemporalLayer = temporalLayer;
    }

    public ushort Seq { get; }
    public uint Timestamp { get; }
    /// <summary>Whole packet length in bytes (what bitrates count).</summary>
    public int Size { get; }
    /// <summary>Zero for padding-only packets, which neither count as bytes nor wake a stream.</summary>
    public int PayloadLength { get; }
    public byte SpatialLayer { get; }
    public byte TemporalLayer { get; }
}
