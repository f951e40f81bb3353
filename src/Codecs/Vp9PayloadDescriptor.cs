using System;
namespace Mediasoup.Codecs;

/// <summary>
/// The leading fields of the VP9 payload descriptor (RFC 9628 section 4.2): enough to tell key
/// frames and layers apart. Reference indices and the scalability structure are not read.
/// </summary>
internal struct Vp9PayloadDescriptor
{
    // First octet: I P L F B E V Z.
    public bool HasPictureId;
    public bool InterPicturePredicted;
    public bool HasLayerIndices;
    public bool FlexibleMode;
    public bool StartOfFrame;
    public bool EndOfFrame;
    public bool HasScalabilityStructure;
    public bool NotReference;

    /// <summary>7 or 15 bits, 0 without a picture id.</summary>
    public byte PictureIdBits;
    public ushort PictureId;
    /// <summary>Layer indices octet: TID(3) U SID(3) D; zeros when L = 0.</summary>
    public byte TemporalLayer;
    public bool SwitchingUpPoint;
    public byte SpatialLayer;
    public bool InterLayerDependency;
    public bool HasTl0PicIdx;
    public byte Tl0PicIdx;

    /// <summary>First packet of a frame that predicts from no earlier picture, in the base spatial layer.</summary>
    public bool IsKeyFrame;

    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp9PayloadDescriptor d)
    {
        d = default;
        if (payload.IsEmpty)
        {
            return false;
        }
        byte b = payload[0];
        d.HasPictureId = (b & 0x80) != 0;
        d.InterPicturePredicted = (b & 0x40) != 0;
        d.HasLayerIndices = (b & 0x20) != 0;
        d.FlexibleMode = (b & 0x10) != 0;
        d.StartOfFrame = (b & 0x08) != 0;
        d.EndOfFrame = (b & 0x04) != 0;
        d.HasScalabilityStructure = (b & 0x02) != 0;
        d.NotReference = (b & 0x01) != 0;
        int offset = 1;

        if (d.HasPictureId && !PictureIdField.TryRead(payload, ref offset, out d.PictureIdBits, out d.PictureId))
        {
            return false;
        }

        if (d.HasLayerIndices)
        {
            if (offset >= payload.Length)
            {
                return false;
            }
            b = payload[offset++];
            d.TemporalLayer = (byte)(b >> 5);
            d.SwitchingUpPoint = (b & 0x10) != 0;
            d.SpatialLayer = (byte)((b >> 1) & 0x07);
            d.InterLayerDependency = (b & 0x01) != 0;

            // TL0PICIDX follows only in non-flexible mode.
            if (!d.FlexibleMode)
            {
                if (offset >= payload.Length)
                {
                    return false;
                }
                d.HasTl0PicIdx = true;
                d.Tl0PicIdx = payload[offset++];
            }
        }

        d.IsKeyFrame = !d.InterPicturePredicted && d.StartOfFrame && d.SpatialLayer == 0;
        return true;
    }
}
