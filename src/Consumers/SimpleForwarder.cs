using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;

namespace Mediasoup.Consumers;

/// <summary>
/// A simple consumer: one producer stream, one layer. Video starts (and resumes) at a key
/// frame; sequence numbers continue across pauses and close the gaps of packets dropped on
/// purpose (padding-only packets, Opus DTX when the consumer ignores it).
/// </summary>
internal sealed class SimpleForwarder : IRtpForwarder
{
    private readonly IForwarderHost _host;
    private readonly bool _waitForKeyFrame;
    private readonly bool _ignoreDtx;
    private readonly SeqManager _seq;
    private bool _syncRequired = true;
    private bool _keyFrameRequested;
    private SyncPoint _sync;

    public SimpleForwarder(IForwarderHost host, CodecKind codec, bool video, bool ignoreDtx, ushort initialSeq)
    {
        _host = host;
        _waitForKeyFrame = video && Codec.CanBeKeyFrame(codec);
        _ignoreDtx = ignoreDtx && codec is CodecKind.Opus or CodecKind.MultiOpus;
        _seq = new SeqManager(initialSeq);
    }

    public VideoLayers CurrentLayers => VideoLayers.None;
    public VideoLayers TargetLayers => VideoLayers.None;
    public int ForwardedEncoding => 0;
    public int KeyFrameEncoding => -1;

    public void Restart() => _syncRequired = true;

    public void SetPreferredLayers(VideoLayers preferred) { }

    public void OnProducerScore(int encoding, byte score) { }

    public bool OnPacket(RtpPacket packet, in LayerInfo layers, int encoding, long nowUs, out ForwardedPacket output)
    {
        output = default;
        ushort seq = packet.SequenceNumber;
        if (_syncRequired)
        {
            if (_waitForKeyFrame && !layers.IsKeyFrame)
            {
                if (!_keyFrameRequested)
                {
                    _keyFrameRequested = true;
                    _host.RequestKeyFrame(-1);
                }
                return false;
            }
            _keyFrameRequested = false;
            _syncRequired = false;
            _sync.Set(seq);
            _seq.Sync((ushort)(seq - 1));
        }
        else if (_sync.IsBefore(seq))
        {
            return false; // from before the re-sync: its number was given away
        }
        if (packet.PayloadLength == 0 || (_ignoreDtx && OpusPayloadDescriptor.IsDtxPacket(packet.Payload)))
        {
            _seq.Drop(seq);
            return false;
        }
        if (!_seq.Input(seq, out ushort outSeq))
            return false;
        output.SequenceNumber = outSeq;
        output.Timestamp = packet.Timestamp;
        return true;
    }
}
