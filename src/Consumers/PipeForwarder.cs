using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;

namespace Mediasoup.Consumers;

/// <summary>
/// A pipe consumer: every encoding of the producer goes to the other router as it is, each on
/// its own stream with its own continuous sequence numbers; no layer choice, no key-frame wait
/// (the consumers on the other side do that).
/// </summary>
internal sealed class PipeForwarder : IRtpForwarder
{
    private readonly SeqManager[] _seq;
    private readonly bool[] _syncRequired;
    private readonly SyncPoint[] _sync;

    public PipeForwarder(ushort[] initialSeqs)
    {
        _seq = new SeqManager[initialSeqs.Length];
        _syncRequired = new bool[initialSeqs.Length];
        _sync = new SyncPoint[initialSeqs.Length];
        for (int i = 0; i < initialSeqs.Length; i++)
        {
            _seq[i] = new SeqManager(initialSeqs[i]);
            _syncRequired[i] = true;
        }
    }

    public VideoLayers CurrentLayers => VideoLayers.None;
    public VideoLayers TargetLayers => VideoLayers.None;
    public int ForwardedEncoding => -1;
    public int KeyFrameEncoding => -1;

    public void Restart() => System.Array.Fill(_syncRequired, true);

    public void SetPreferredLayers(VideoLayers preferred) { }

    public void OnProducerScore(int encoding, byte score) { }

    public bool OnPacket(RtpPacket packet, in LayerInfo layers, int encoding, long nowUs, out ForwardedPacket output)
    {
        output = default;
        if ((uint)encoding >= (uint)_seq.Length)
            return false;
        ushort seq = packet.SequenceNumber;
        if (_syncRequired[encoding])
        {
            _syncRequired[encoding] = false;
            _sync[encoding].Set(seq);
            _seq[encoding].Sync((ushort)(seq - 1));
        }
        else if (_sync[encoding].IsBefore(seq))
        {
            return false;
        }
        if (!_seq[encoding].Input(seq, out ushort outSeq))
            return false;
        output.Stream = encoding;
        output.SequenceNumber = outSeq;
        output.Timestamp = packet.Timestamp;
        return true;
    }
}
