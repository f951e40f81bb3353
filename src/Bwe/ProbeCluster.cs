namespace Mediasoup.Bwe;

/// <summary>
/// A burst of padding sent at <see cref="TargetBps"/> to measure whether the link carries that
/// rate: at least <see cref="MinPackets"/> packets and <see cref="MinBytes"/> bytes, each packet
/// reported to <see cref="SendSideBwe.OnPacketSent"/> with <see cref="Id"/>.
/// </summary>
internal readonly record struct ProbeCluster(int Id, long TargetBps, int MinPackets, int MinBytes);
