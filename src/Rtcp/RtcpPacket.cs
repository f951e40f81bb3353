using System;

namespace Mediasoup.Rtcp;

/// <summary>
/// One packet of a validated compound. <see cref="Body"/> is what follows the 4-byte header,
/// without padding; typed views (<see cref="SenderReport"/>, <see cref="GenericNack"/>...) read it.
/// </summary>
public readonly ref struct RtcpPacket
{
    /// <summary>The packet as on the wire, header and padding included.</summary>
    public readonly ReadOnlySpan<byte> Raw;

    /// <summary>Bytes after the common header, padding removed.</summary>
    public readonly ReadOnlySpan<byte> Body;

    internal RtcpPacket(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> body)
    {
        Raw = raw;
        Body = body;
    }

    public RtcpPacketType Type => (RtcpPacketType)Raw[1];

    /// <summary>RC, SC, FMT or APP subtype, depending on <see cref="Type"/>.</summary>
    public int Count => Raw[0] & 0x1F;

    public bool HasPadding => (Raw[0] & 0x20) != 0;

    /// <summary>Whole packet length in bytes.</summary>
    public int Length => Raw.Length;

    /// <summary>
    /// Wraps a single packet that the caller already framed (for example one produced by
    /// a builder). Returns false on the same framing errors <see cref="RtcpCompound.Validate(ReadOnlySpan{byte}, out int)"/>
    /// reports, or when <paramref name="data"/> holds more than one packet.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out RtcpPacket packet)
    {
        packet = default;
        if (RtcpCompound.Validate(data, out int count) != RtcpError.None || count != 1)
            return false;
        packet = Slice(data);
        return true;
    }

    // Caller has validated the framing of data (exactly one packet).
    internal static RtcpPacket Slice(ReadOnlySpan<byte> data)
    {
        int bodyEnd = data.Length;
        if ((data[0] & 0x20) != 0)
            bodyEnd -= data[data.Length - 1];
        return new RtcpPacket(data, data.Slice(RtcpHeader.Size, bodyEnd - RtcpHeader.Size));
    }
}
