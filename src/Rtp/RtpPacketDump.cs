using System.Text;

namespace Mediasoup.Rtp;

/// <summary>Packet descriptions for trace events (only built when tracing is on).</summary>
internal static class RtpPacketDump
{
    public static FBS.RtpPacket.DumpT ToFbs(RtpPacket packet, bool isKeyFrame)
    {
        var dump = new FBS.RtpPacket.DumpT
        {
            PayloadType = packet.PayloadType,
            SequenceNumber = packet.SequenceNumber,
            Timestamp = packet.Timestamp,
            Marker = packet.Marker,
            Ssrc = packet.Ssrc,
            IsKeyFrame = isKeyFrame,
            Size = (ulong)packet.Length,
            PayloadSize = (ulong)packet.PayloadLength,
        };
        if (packet.TryReadMid(out System.ReadOnlySpan<byte> mid))
            dump.Mid = Encoding.UTF8.GetString(mid);
        if (packet.TryReadRid(out System.ReadOnlySpan<byte> rid))
            dump.Rid = Encoding.UTF8.GetString(rid);
        if (packet.TryReadRrid(out System.ReadOnlySpan<byte> rrid))
            dump.Rrid = Encoding.UTF8.GetString(rrid);
        if (packet.TryReadTransportWideCc01(out ushort wideSeq))
            dump.WideSequenceNumber = wideSeq;
        return dump;
    }
}
