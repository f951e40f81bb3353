using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>Application-defined, PT 204 (RFC 3550 §6.7): subtype in the count field, SSRC, 4-byte name, data.</summary>
public readonly ref struct App
{
    public const int FixedSize = RtcpHeader.Size + 8;

    private readonly ReadOnlySpan<byte> _body;

    private App(ReadOnlySpan<byte> body, int subtype)
    {
        _body = body;
        Subtype = subtype;
    }

    public int Subtype { get; }

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>The four ASCII characters of the name.</summary>
    public ReadOnlySpan<byte> Name => _body.Slice(4, 4);

    public ReadOnlySpan<byte> Data => _body.Slice(8);

    public static bool TryRead(RtcpPacket packet, out App app)
    {
        app = default;
        if (packet.Type != RtcpPacketType.APP || packet.Body.Length < 8)
            return false;
        app = new App(packet.Body, packet.Count);
        return true;
    }

    /// <summary>
    /// Writes an APP packet; 0 when it does not fit, the subtype exceeds 31, the name is not
    /// 4 bytes or the data is not a multiple of 4 bytes (RFC 3550 §6.7).
    /// </summary>
    public static int Write(Span<byte> dst, int subtype, uint ssrc, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if ((uint)subtype > RtcpHeader.MaxCount || name.Length != 4 || (data.Length & 3) != 0)
            return 0;
        int size = FixedSize + data.Length;
        if (dst.Length < size || size > RtcpHeader.MaxPacketSize)
            return 0;
        RtcpHeader.Write(dst, subtype, RtcpPacketType.APP, size);
        BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4), ssrc);
        name.CopyTo(dst.Slice(8));
        data.CopyTo(dst.Slice(FixedSize));
        return size;
    }
}
