using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Transports;

namespace Mediasoup.Consumers;

/// <summary>Where and how one producer packet goes out for a consumer.</summary>
internal struct ForwardedPacket
{
    /// <summary>Index of the consumer's send stream (0 but for pipe consumers).</summary>
    public int Stream;
    public ushort SequenceNumber;
    public uint Timestamp;
    /// <summary>Changes inside the payload and the marker bit (layer drops, source switches).</summary>
    public PayloadRewrite Payload;
}

/// <summary>What a forwarder asks of its consumer.</summary>
internal interface IForwarderHost
{
    /// <summary>Ask the producer for a key frame of consumable encoding <paramref name="encoding"/> (-1: all).</summary>
    void RequestKeyFrame(int encoding);

    /// <summary>The forwarded layers changed (<see cref="IRtpForwarder.CurrentLayers"/>).</summary>
    void OnLayersChanged();

    /// <summary>The sender's clock mapping of an encoding from its last sender report: the NTP
    /// time (µs) at which its RTP clock read <paramref name="rtpTimestamp"/>. False before any SR.</summary>
    bool TryGetSenderClock(int encoding, out long ntpUs, out uint rtpTimestamp);

    /// <summary>What the producer receives of consumable encoding <paramref name="encoding"/> up
    /// to (spatial, temporal), cumulative (bit/s); 0 when that layer does not flow.</summary>
    long LayerBitrate(int encoding, int spatial, int temporal);
}

/// <summary>
/// One consumer type's forwarding decisions (simple, simulcast, SVC, pipe), sans IO: per
/// producer packet, whether it goes out and with which sequence number, timestamp and payload
/// changes; which layers flow; when a key frame is needed. The Consumer owns the request
/// handling, stats, retransmissions and the transport; it never switches on its type.
/// </summary>
internal interface IRtpForwarder
{
    /// <summary>A packet of consumable encoding <paramref name="encoding"/>, while the consumer is active.</summary>
    bool OnPacket(RtpPacket packet, in LayerInfo layers, int encoding, long nowUs, out ForwardedPacket output);

    /// <summary>Start, resume, producer resume: the next packets re-synchronise (key frame for video).</summary>
    void Restart();

    void SetPreferredLayers(VideoLayers preferred);

    /// <summary>The highest layers the transport's bitrate allows (<see cref="VideoLayers.None"/>:
    /// no limit). The target is the preferred layers lowered to this.</summary>
    void SetBitrateCap(VideoLayers cap) { }

    /// <summary>Bandwidth allocation: the layer steps this consumer could forward, cheapest
    /// first, up to its preferred layers, with what each costs now (layers that do not flow
    /// are left out). Returns how many it wrote; 0 for consumers that do not adapt.</summary>
    int FillLadder(System.Span<Bwe.LayerRung> rungs) => 0;

    /// <summary>A producer stream's score (0: inactive).</summary>
    void OnProducerScore(int encoding, byte score);

    /// <summary>The layers being forwarded; <see cref="VideoLayers.None"/> when none (or not layered).</summary>
    VideoLayers CurrentLayers { get; }

    /// <summary>The layers the forwarder is heading for.</summary>
    VideoLayers TargetLayers { get; }

    /// <summary>The consumable encoding whose stream is forwarded (for stats and scores); -1 when none.</summary>
    int ForwardedEncoding { get; }

    /// <summary>The encoding a key frame request should name (-1: all).</summary>
    int KeyFrameEncoding { get; }

    /// <summary>After a packet went out: a held packet that follows it now (simulcast: the rest
    /// of a key frame that arrived before its first packet). The consumer passes each one to
    /// <see cref="OnPacket"/> like any other; false when there is none.</summary>
    bool TryTakeHeld(out RtpPacket packet, out LayerInfo layers, out int encoding)
    {
        packet = null!;
        layers = default;
        encoding = -1;
        return false;
    }
}
