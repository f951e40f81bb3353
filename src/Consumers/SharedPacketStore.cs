using Mediasoup.Net;
using Mediasoup.Rtp;

namespace Mediasoup.Consumers;

/// <summary>
/// Reference-counted copies of forwarded packets for retransmission: the packet every consumer
/// of a producer forwards is the same (router form), so one pooled copy serves them all. Layout
/// of a pooled buffer: [int refCount][packet bytes].
/// </summary>
internal static unsafe class SharedPacketStore
{
    private const int HeaderLength = 8;

    /// <summary>Room for the packet after the header.</summary>
    public const int Capacity = PacketBufferPool.BufferSize - HeaderLength;

    public static byte* PacketOf(byte* buffer) => buffer + HeaderLength;

    /// <summary>A new copy with one reference; null when the packet does not fit.</summary>
    public static byte* Create(RtpPacket packet, PacketBufferPool pool)
    {
        if (packet.Length > Capacity)
            return null;
        byte* buffer = pool.Rent();
        *(int*)buffer = 1;
        packet.Data.CopyTo(new System.Span<byte>(buffer + HeaderLength, packet.Length));
        return buffer;
    }

    public static void AddRef(byte* buffer) => (*(int*)buffer)++;

    public static void Release(byte* buffer, PacketBufferPool pool)
    {
        if (--(*(int*)buffer) == 0)
            pool.Return(buffer);
    }
}
