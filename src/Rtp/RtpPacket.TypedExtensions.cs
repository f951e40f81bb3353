using System;
using System.Runtime.CompilerServices;

namespace Mediasoup.Rtp;

// Readers and writers for the extensions the worker understands, by ExtensionIds.
// Each returns false when the id is 0, the element is absent or its length is wrong.
internal sealed unsafe partial class RtpPacket
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* FindValue(byte id, int requiredLength)
    {
        int offset = FindExtension(id, out int length);
        return offset >= 0 && length == requiredLength ? _data + offset : null;
    }

    /// <summary>RFC 8843 MID as raw bytes (compare with cached UTF-8; no string per packet).</summary>
    public bool TryReadMid(out ReadOnlySpan<byte> mid) => TryReadText(ExtensionIds.Mid, out mid);

    /// <summary>RFC 8852 RtpStreamId.</summary>
    public bool TryReadRid(out ReadOnlySpan<byte> rid) => TryReadText(ExtensionIds.Rid, out rid);

    /// <summary>RFC 8852 RepairedRtpStreamId.</summary>
    public bool TryReadRrid(out ReadOnlySpan<byte> rrid) => TryReadText(ExtensionIds.Rrid, out rrid);

    private bool TryReadText(byte id, out ReadOnlySpan<byte> text)
    {
        if (TryGetExtension(id, out Span<byte> value) && value.Length > 0)
        {
            text = value;
            return true;
        }
        text = default;
        return false;
    }

    /// <summary>
    /// Writes <paramref name="mid"/> into the MID element, resizing it within its room (the
    /// ingress rewrite reserves <see cref="HeaderExtensionIds.MidMaxLength"/> bytes).
    /// </summary>
    public bool UpdateMid(ReadOnlySpan<byte> mid)
    {
        byte id = ExtensionIds.Mid;
        int offset = FindExtension(id, out _);
        if (offset < 0 || mid.Length == 0 || mid.Length > HeaderExtensionIds.MidMaxLength || mid.Length > GetExtensionRoom(id))
        {
            return false;
        }
        // Resize first: growing checks that the bytes it takes over are still padding.
        if (!SetExtensionLength(id, mid.Length))
        {
            return false;
        }
        mid.CopyTo(new Span<byte>(_data + offset, mid.Length));
        return true;
    }

    /// <summary>abs-send-time: raw 24-bit 6.18 fixed-point seconds.</summary>
    public bool TryReadAbsSendTime(out uint absSendTime)
    {
        byte* v = FindValue(ExtensionIds.AbsSendTime, 3);
        absSendTime = v != null ? NetBytes.Get24(v) : 0;
        return v != null;
    }

    /// <summary>Stamps abs-send-time from a send time in microseconds.</summary>
    public bool UpdateAbsSendTime(long sentAtUs) => UpdateAbsSendTimeRaw(AbsSendTime.FromMicroseconds(sentAtUs));

    /// <summary>Stamps abs-send-time with a raw 24-bit value.</summary>
    public bool UpdateAbsSendTimeRaw(uint absSendTime)
    {
        byte* v = FindValue(ExtensionIds.AbsSendTime, 3);
        if (v == null)
        {
            return false;
        }
        NetBytes.Set24(v, absSendTime & 0xFFFFFF);
        return true;
    }

    /// <summary>transport-wide-cc-01 sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01).</summary>
    public bool TryReadTransportWideCc01(out ushort wideSeq)
    {
        byte* v = FindValue(ExtensionIds.TransportWideCc01, 2);
        wideSeq = v != null ? NetBytes.Get16(v) : (ushort)0;
        return v != null;
    }

    public bool UpdateTransportWideCc01(ushort wideSeq)
    {
        byte* v = FindValue(ExtensionIds.TransportWideCc01, 2);
        if (v == null)
        {
            return false;
        }
        NetBytes.Set16(v, wideSeq);
        return true;
    }

    /// <summary>RFC 6464: V flag and level in -dBov (0 loudest .. 127 silence).</summary>
    public bool TryReadSsrcAudioLevel(out byte volume, out bool voice)
    {
        byte* v = FindValue(ExtensionIds.SsrcAudioLevel, 1);
        if (v == null)
        {
            volume = 0;
            voice = false;
            return false;
        }
        volume = (byte)(*v & 0x7F);
        voice = (*v & 0x80) != 0;
        return true;
    }

    /// <summary>3GPP TS 26.114 7.4.5 CVO byte: C, F and counter-clockwise rotation in degrees.</summary>
    public bool TryReadVideoOrientation(out bool camera, out bool flip, out ushort rotation)
    {
        byte* v = FindValue(ExtensionIds.VideoOrientation, 1);
        if (v == null)
        {
            camera = false;
            flip = false;
            rotation = 0;
            return false;
        }
        byte b = *v;
        camera = (b & 0x08) != 0;
        flip = (b & 0x04) != 0;
        rotation = (ushort)((b & 0x03) * 90);
        return true;
    }

    /// <summary>RFC 5450 transmission time offset: signed 24-bit, in RTP clock units.</summary>
    public bool TryReadTimeOffset(out int offset)
    {
        byte* v = FindValue(ExtensionIds.TimeOffset, 3);
        offset = v != null ? ((int)(NetBytes.Get24(v) << 8)) >> 8 : 0;
        return v != null;
    }

    /// <summary>playout-delay: two 12-bit values in units of 10 ms.</summary>
    public bool TryReadPlayoutDelay(out ushort minDelay, out ushort maxDelay)
    {
        byte* v = FindValue(ExtensionIds.PlayoutDelay, 3);
        uint raw = v != null ? NetBytes.Get24(v) : 0;
        minDelay = (ushort)(raw >> 12);
        maxDelay = (ushort)(raw & 0xFFF);
        return v != null;
    }

    /// <summary>
    /// abs-capture-time: 64-bit Q32.32 NTP capture timestamp and, in the 16-byte form, a signed
    /// Q32.32 estimated capture clock offset (0 in the 8-byte form).
    /// </summary>
    public bool TryReadAbsCaptureTime(out ulong captureTimestamp, out long captureClockOffset)
    {
        int offset = FindExtension(ExtensionIds.AbsCaptureTime, out int length);
        if (offset < 0 || (length != 8 && length != 16))
        {
            captureTimestamp = 0;
            captureClockOffset = 0;
            return false;
        }
        captureTimestamp = NetBytes.Get64(_data + offset);
        captureClockOffset = length == 16 ? (long)NetBytes.Get64(_data + offset + 8) : 0;
        return true;
    }

    /// <summary>Rewrites the clock offset of a 16-byte abs-capture-time element.</summary>
    public bool UpdateAbsCaptureTimeClockOffset(long captureClockOffset)
    {
        byte* v = FindValue(ExtensionIds.AbsCaptureTime, 16);
        if (v == null)
        {
            return false;
        }
        NetBytes.Set64(v + 8, (ulong)captureClockOffset);
        return true;
    }

    /// <summary>urn:mediasoup:params:rtp-hdrext:packet-id, a 32-bit counter.</summary>
    public bool TryReadMediasoupPacketId(out uint packetId)
    {
        byte* v = FindValue(ExtensionIds.MediasoupPacketId, 4);
        packetId = v != null ? NetBytes.Get32(v) : 0;
        return v != null;
    }

    /// <summary>The raw AV1 dependency descriptor bytes (parsed by the codec layer).</summary>
    public bool TryGetDependencyDescriptor(out Span<byte> value) =>
        TryGetExtension(ExtensionIds.DependencyDescriptor, out value);
}
