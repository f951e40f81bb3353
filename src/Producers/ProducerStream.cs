using Mediasoup.Codecs;
using Mediasoup.Rtp.Streams;
using Mediasoup.RtpParameters;

namespace Mediasoup.Producers;

/// <summary>One encoding's incoming RTP stream as the Producer sees it: identity, codec,
/// receive statistics and score, and its NACK generator. Created on the stream's first packet.</summary>
internal sealed class ProducerStream
{
    public required int EncodingIdx;
    public required uint Ssrc;
    public required uint MappedSsrc;
    public required byte PayloadType;
    public required RtpCodec Codec;
    public required CodecKind CodecKind;
    public required RecvStreamStats Stats;
    public NackGenerator? Nack;
    public uint RtxSsrc;
    public byte RtxPayloadType;
    public string Rid = "";
    public bool UsePli;
    public bool UseFir;
    /// <summary>The stream's dependency descriptor state (template structure), when it carries one.</summary>
    public DependencyDescriptorContext? DependencyDescriptor;

    public byte Score => Stats.Score;

    public FBS.RtpStream.DumpT ToDump(string cname) => new()
    {
        Params = new FBS.RtpStream.ParamsT
        {
            EncodingIdx = (uint)EncodingIdx,
            Ssrc = Ssrc,
            PayloadType = PayloadType,
            MimeType = Codec.MimeType.ToString(),
            ClockRate = Codec.ClockRate,
            Rid = Rid,
            Cname = cname,
            RtxSsrc = RtxSsrc != 0 ? RtxSsrc : null,
            RtxPayloadType = RtxSsrc != 0 ? RtxPayloadType : null,
            UseNack = Nack != null,
            UsePli = UsePli,
            UseFir = UseFir,
            SpatialLayers = (byte)Stats.SpatialLayers,
            TemporalLayers = (byte)Stats.TemporalLayers,
        },
        Score = Score,
    };

    public FBS.RtpStream.StatsT ToStats(MediaKind kind, long nowMs, ulong timestampMs)
    {
        var baseStats = new FBS.RtpStream.BaseStatsT
        {
            Timestamp = timestampMs,
            Ssrc = Ssrc,
            Kind = kind == MediaKind.Audio ? FBS.RtpParameters.MediaKind.AUDIO : FBS.RtpParameters.MediaKind.VIDEO,
            MimeType = Codec.MimeType.ToString(),
            PacketsLost = Stats.PacketsLost,
            FractionLost = Stats.FractionLost,
            Jitter = (uint)Stats.Jitter,
            PacketsDiscarded = (ulong)Stats.PacketsDiscarded,
            PacketsRetransmitted = (ulong)Stats.PacketsRetransmitted,
            PacketsRepaired = (ulong)Stats.PacketsRepaired,
            NackCount = (ulong)Stats.NackCount,
            NackPacketCount = (ulong)Stats.NackPacketCount,
            PliCount = (ulong)Stats.PliCount,
            FirCount = (ulong)Stats.FirCount,
            Rid = Rid,
            RtxSsrc = RtxSsrc != 0 ? RtxSsrc : null,
            RtxPacketsDiscarded = (ulong)Stats.RtxPacketsDiscarded,
            RoundTripTime = Stats.RoundTripTimeMs,
            Score = Score,
        };
        var recv = new FBS.RtpStream.RecvStatsT
        {
            Base = new FBS.RtpStream.StatsT { Data = FBS.RtpStream.StatsDataUnion.FromBaseStats(baseStats) },
            PacketCount = (ulong)Stats.PacketCount,
            ByteCount = (ulong)Stats.ByteCount,
            Bitrate = (ulong)Stats.GetBitrate(nowMs),
            BitrateByLayer = new System.Collections.Generic.List<FBS.RtpStream.BitrateByLayerT>(),
        };
        if (Stats.HasLayers)
        {
            for (int s = 0; s < Stats.SpatialLayers; s++)
            {
                for (int t = 0; t < Stats.TemporalLayers; t++)
                    recv.BitrateByLayer.Add(new FBS.RtpStream.BitrateByLayerT { Layer = $"{s}.{t}", Bitrate = (ulong)Stats.GetBitrate(nowMs, s, t) });
            }
        }
        return new FBS.RtpStream.StatsT { Data = FBS.RtpStream.StatsDataUnion.FromRecvStats(recv) };
    }
}
