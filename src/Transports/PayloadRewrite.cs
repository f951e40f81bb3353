using System;
using Mediasoup.Codecs;

namespace Mediasoup.Transports;

/// <summary>
/// What a consumer changes beyond the RTP header's identifiers: the VP8 picture id and
/// TL0PICIDX (kept continuous across layer drops and source switches) and the marker bit
/// (set on the last packet of the highest forwarded spatial layer). Applied to the copy in
/// the send slot, never to the shared router packet.
/// </summary>
internal readonly struct PayloadRewrite
{
    private readonly byte _flags;
    public readonly ushort PictureId;
    public readonly byte Tl0PicIdx;
    // Where the fields sit in this packet's payload, as the forwarder parsed it: the copy has
    // the same payload, so it is written without a second parse.
    private readonly Vp8PayloadDescriptor _vp8;

    private const byte Vp8Ids = 1, SetMarker = 2, ClearMarker = 4;

    private PayloadRewrite(byte flags, ushort pictureId, byte tl0, in Vp8PayloadDescriptor vp8)
    {
        _flags = flags;
        PictureId = pictureId;
        Tl0PicIdx = tl0;
        _vp8 = vp8;
    }

    public bool IsEmpty => _flags == 0;

    /// <summary>New picture id and TL0PICIDX for the packet whose descriptor is <paramref name="parsed"/>.</summary>
    public static PayloadRewrite Vp8(ushort pictureId, byte tl0PicIdx, in Vp8PayloadDescriptor parsed) =>
        new(Vp8Ids, pictureId, tl0PicIdx, parsed);

    public PayloadRewrite WithMarker(bool marker) =>
        new((byte)((_flags & Vp8Ids) | (marker ? SetMarker : ClearMarker)), PictureId, Tl0PicIdx, _vp8);

    public void ApplyTo(Rtp.RtpPacket packet)
    {
        if ((_flags & SetMarker) != 0)
            packet.Marker = true;
        else if ((_flags & ClearMarker) != 0)
            packet.Marker = false;
        if ((_flags & Vp8Ids) != 0)
            _vp8.Rewrite(packet.Payload, PictureId, Tl0PicIdx); // refuses a payload shorter than the descriptor
    }
}
