namespace Mediasoup.Transports;

/// <summary>What a consumer changes in a forwarded packet: its own SSRC, sequence number,
/// timestamp and payload type, and its MID (UTF-8, empty when it has none).</summary>
internal readonly ref struct RtpRewrite
{
    public RtpRewrite(string consumerId, uint ssrc, ushort sequenceNumber, uint timestamp, byte payloadType,
        System.ReadOnlySpan<byte> mid, uint rtxSsrc = 0, byte rtxPayloadType = 0, ushort rtxSequenceNumber = 0,
        PayloadRewrite payload = default)
    {
        Payload = payload;
        RtxSsrc = rtxSsrc;
        RtxPayloadType = rtxPayloadType;
        RtxSequenceNumber = rtxSequenceNumber;
        ConsumerId = consumerId;
        Ssrc = ssrc;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        PayloadType = payloadType;
        Mid = mid;
    }

    /// <summary>For transports that deliver through the channel (DirectTransport).</summary>
    public string ConsumerId { get; }
    public uint Ssrc { get; }
    public ushort SequenceNumber { get; }
    public uint Timestamp { get; }
    public byte PayloadType { get; }
    public System.ReadOnlySpan<byte> Mid { get; }
    public PayloadRewrite Payload { get; }

    /// <summary>Non-zero for a retransmission sent as RTX (RFC 4588).</summary>
    public uint RtxSsrc { get; }
    public byte RtxPayloadType { get; }
    public ushort RtxSequenceNumber { get; }

    public void ApplyTo(Rtp.RtpPacket packet)
    {
        packet.Ssrc = Ssrc;
        packet.SequenceNumber = SequenceNumber;
        packet.Timestamp = Timestamp;
        packet.PayloadType = PayloadType;
        if (!Payload.IsEmpty)
            Payload.ApplyTo(packet);
        if (!Mid.IsEmpty)
            packet.UpdateMid(Mid);
        if (RtxSsrc != 0)
            packet.RtxEncode(RtxPayloadType, RtxSsrc, RtxSequenceNumber);
    }
}
