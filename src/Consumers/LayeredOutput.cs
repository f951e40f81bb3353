using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Mediasoup.Rtp.Streams;
using Mediasoup.Transports;

namespace Mediasoup.Consumers;

/// <summary>
/// The outgoing numbering of a layered consumer's one stream: sequence numbers that close the
/// gaps of dropped packets, VP8 picture ids that close the gaps of dropped frames, and the
/// layers last reported to the host.
/// </summary>
internal sealed class LayeredOutput
{
    private readonly SeqManager _seq;
    private readonly PictureIdContinuity? _pictureIds;
    private short _reportedSpatial = -1, _reportedTemporal = -1;

    public LayeredOutput(CodecKind codec, ushort initialSeq)
    {
        _seq = new SeqManager(initialSeq);
        _pictureIds = codec == CodecKind.Vp8 ? new PictureIdContinuity() : null;
    }

    public ushort MaxOutput => _seq.MaxOutput;

    /// <summary>The packet <paramref name="seq"/> starts a new source: continue after the last
    /// number sent, leaving <paramref name="gap"/> numbers free.</summary>
    public void Restart(ushort seq, int gap = 0)
    {
        _seq.Sync((ushort)(seq - 1 - gap));
        _pictureIds?.Restart();
    }

    /// <summary>A packet not sent on purpose; <paramref name="wholeFrame"/> when its frame is dropped too.</summary>
    public void Drop(RtpPacket packet, bool wholeFrame)
    {
        _seq.Drop(packet.SequenceNumber);
        if (wholeFrame && _pictureIds != null && Vp8PayloadDescriptor.TryParse(packet.Payload, out Vp8PayloadDescriptor d) && d.HasPictureId)
            _pictureIds.Drop(d.PictureId, d.PictureIdBits);
    }

    /// <summary>Numbers a packet that goes out; false when it is too old to place.</summary>
    public bool Place(RtpPacket packet, out ushort seq, out PayloadRewrite rewrite)
    {
        rewrite = default;
        if (!_seq.Input(packet.SequenceNumber, out seq))
            return false;
        if (_pictureIds != null && Vp8PayloadDescriptor.TryParse(packet.Payload, out Vp8PayloadDescriptor d) && d.HasPictureId)
        {
            if (!_pictureIds.Map(d.PictureId, d.PictureIdBits, d.Tl0PicIdx, out ushort pid, out byte tl0))
                return false;
            rewrite = PayloadRewrite.Vp8(pid, tl0, d);
        }
        return true;
    }

    public VideoLayers Reported => _reportedSpatial >= 0 ? new VideoLayers(_reportedSpatial, _reportedTemporal) : VideoLayers.None;

    /// <summary>Records the layers flowing now; true when they differ from the last report.</summary>
    public bool Report(short spatial, short temporal)
    {
        if (spatial < 0)
            temporal = -1;
        else if (temporal < 0)
            temporal = 0;
        if (spatial == _reportedSpatial && temporal == _reportedTemporal)
            return false;
        _reportedSpatial = spatial;
        _reportedTemporal = temporal;
        return true;
    }
}
