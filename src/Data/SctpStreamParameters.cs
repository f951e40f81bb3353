using Mediasoup.Channel;

namespace Mediasoup.Data;

/// <summary>Pre-negotiated SCTP stream of a data channel (RFC 8831 §6.6, no DCEP).</summary>
internal sealed record SctpStreamParameters(ushort StreamId, bool Ordered, ushort? MaxPacketLifeTime, ushort? MaxRetransmits)
{
    public static SctpStreamParameters FromFbs(FBS.SctpParameters.SctpStreamParameters p)
    {
        if (p.StreamId > 65534)
            throw new MediasoupTypeError("streamId must not be greater than 65534");
        bool? ordered = p.Ordered;
        ushort? lifetime = p.MaxPacketLifeTime;
        ushort? retransmits = p.MaxRetransmits;
        if (lifetime.HasValue && retransmits.HasValue)
            throw new MediasoupTypeError("cannot provide both maxPacketLifeTime and maxRetransmits");
        bool partial = lifetime.HasValue || retransmits.HasValue;
        if (ordered == true && partial)
            throw new MediasoupTypeError("cannot be ordered with maxPacketLifeTime or maxRetransmits");
        // Without an explicit value a partially reliable channel is unordered, else ordered.
        return new SctpStreamParameters(p.StreamId, ordered ?? !partial, lifetime, retransmits);
    }

    public FBS.SctpParameters.SctpStreamParametersT ToFbs() => new()
    {
        StreamId = StreamId,
        Ordered = Ordered,
        MaxPacketLifeTime = MaxPacketLifeTime,
        MaxRetransmits = MaxRetransmits,
    };
}
