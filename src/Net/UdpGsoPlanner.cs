using System;

namespace Mediasoup.Net;

/// <summary>
/// Groups a socket's send queue into runs that one UDP generic segmentation offload message can
/// carry (UDP_SEGMENT, Linux 4.18): consecutive datagrams to the same remote whose sizes all
/// equal the first one's, except a last one that may be shorter. The kernel then does route
/// lookup, IP output and queueing once per run instead of once per datagram; receivers still
/// get ordinary, separate datagrams. Video fan-out produces such runs naturally: each consumer
/// socket gets every packet of a received batch, and packetizers split frames into equal sizes.
/// </summary>
internal static class UdpGsoPlanner
{
    /// <summary>Segments per message (the kernel's UDP_MAX_SEGMENTS is 64 on older kernels).</summary>
    public const int MaxSegments = 64;

    /// <summary>Payload bytes per message: under the 65507-byte UDP/IPv4 limit.</summary>
    public const int MaxBytes = 65000;

    /// <summary>How many datagrams from <paramref name="start"/> form one run (at least 1).</summary>
    public static int RunLength(ReadOnlySpan<int> lengths, ReadOnlySpan<IpEndpoint> remotes, int start)
    {
        int segment = lengths[start];
        int total = segment;
        int end = start + 1;
        if (segment <= 0)
            return 1;
        while (end < lengths.Length && end - start < MaxSegments)
        {
            int length = lengths[end];
            if (length > segment || length <= 0 || total + length > MaxBytes || !remotes[end].Equals(remotes[start]))
                break;
            total += length;
            end++;
            if (length < segment)
                break; // a shorter datagram can only be the last segment
        }
        return end - start;
    }
}
