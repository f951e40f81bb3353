namespace Mediasoup.Bwe;

/// <summary>A sent packet joined with what transport-cc feedback said about it.</summary>
/// <param name="ArrivalUs">Arrival time on the receiver's clock (µs, only differences mean anything); undefined when lost.</param>
internal readonly record struct PacketResult(long Sequence, long SendUs, long ArrivalUs, int Size, int ProbeClusterId, bool Received);
