using System;

namespace Mediasoup.Rtp.Streams;

public enum TimestampSwitchResult : byte
{
    /// <summary>Offset applied, forward the packet.</summary>
    Switched,
    /// <summary>The new source is too far behind what was sent: drop this key frame and
    /// request another one (the caller remembers it asked).</summary>
    NeedKeyFrame,
}

/// <summary>RTP timestamp offset of a consumer that switches between sources (simulcast
/// streams). Output = input - Offset. On a switch the offset aligns the new source by
/// capture time; if the result would not move forward from the newest timestamp sent, an
/// extra offset makes it one 30 fps frame later, within 75 ms.</summary>
public struct TimestampRewriter
{
    /// <summary>Max extra delay accepted on a switch (audio/video sync tolerance).</summary>
    public const long MaxExtraOffsetMs = 75;
    /// <summary>One frame at 30 fps.</summary>
    public const long FrameOffsetMs = 33;

    public uint Offset;

    public readonly uint Rewrite(uint timestamp) => unchecked(timestamp - Offset);

    /// <summary>Offset that maps a source onto the reference one by their capture clocks:
    /// (referenceCaptureUs, referenceTs) and (captureUs, ts) are capture instants in our clock
    /// with the RTP timestamp each refers to.</summary>
    public static uint CaptureAlignedOffset(long referenceCaptureUs, uint referenceTs, long captureUs, uint ts, uint clockRate)
    {
        long diffTs = (captureUs - referenceCaptureUs) * clockRate / 1_000_000;
        uint aligned = unchecked((uint)(ts - diffTs));
        return unchecked(aligned - referenceTs);
    }

    /// <summary>Switches to a new source whose first (key frame) packet has packetTimestamp,
    /// given the capture-aligned base offset and the newest timestamp already sent.
    /// keyFrameAlreadyRequested: a previous call returned NeedKeyFrame; then an offset that is
    /// still too large is given up on and the minimum step of 1 is used.</summary>
    public TimestampSwitchResult Switch(uint packetTimestamp, uint baseOffset, uint maxSentTimestamp,
        uint clockRate, bool keyFrameAlreadyRequested)
    {
        uint offset = baseOffset;
        uint candidate = unchecked(packetTimestamp - offset);
        // Wrap-aware "not after what was sent" (the reference compares plain integers).
        if (!SeqMath.IsHigher(candidate, maxSentTimestamp))
        {
            long maxExtra = MaxExtraOffsetMs * clockRate / 1000;
            uint extra = unchecked((uint)(maxSentTimestamp - candidate + FrameOffsetMs * clockRate / 1000));
            if (extra > maxExtra)
            {
                if (!keyFrameAlreadyRequested)
                    return TimestampSwitchResult.NeedKeyFrame;
                extra = 1;
            }
            if (extra > 0)
                offset = unchecked(offset - extra);
        }
        Offset = offset;
        return TimestampSwitchResult.Switched;
    }
}
