using Mediasoup.Codecs;
using Mediasoup.RtpParameters;

namespace Mediasoup.Producers;

/// <summary>One encoding's incoming RTP stream as the Producer sees it: identity, codec and
/// counters. Created on the first packet of the encoding.</summary>
internal sealed class ProducerStream
{
    public required int EncodingIdx;
    public required uint Ssrc;
    public required uint MappedSsrc;
    public required byte PayloadType;
    public required RtpCodec Codec;
    public required CodecKind CodecKind;
    public uint RtxSsrc;
    public byte RtxPayloadType;
    public string Rid = "";

    public ulong PacketCount;
    public ulong ByteCount;
    public ulong PacketsRepaired;
    public ulong PacketsDiscarded;
    public byte Score = 10;
}
