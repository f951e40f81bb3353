namespace Mediasoup.Rtcp;

/// <summary>Why a compound RTCP packet was rejected as a whole.</summary>
public enum RtcpError : byte
{
    None = 0,
    /// <summary>Fewer than 4 bytes where a packet header should start (includes empty input).</summary>
    Truncated,
    /// <summary>A packet whose version is not 2.</summary>
    BadVersion,
    /// <summary>A packet type outside 192–223 (RFC 5761 §4): the framing cannot be trusted.</summary>
    BadPacketType,
    /// <summary>A length field pointing past the end of the datagram.</summary>
    LengthOverflow,
    /// <summary>A padded packet whose pad count is zero or larger than its body.</summary>
    BadPadding,
}
