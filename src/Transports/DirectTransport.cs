using System;
using Google.FlatBuffers;
using Mediasoup.Channel;
using Mediasoup.Rtp;
using Mediasoup.Worker;

namespace Mediasoup.Transports;

/// <summary>A transport without sockets: RTP, RTCP and data messages travel over the channel.
/// Always connected.</summary>
internal sealed class DirectTransport : Transport
{
    public DirectTransport(WorkerContext ctx, ITransportListener listener, string id, FBS.DirectTransport.DirectTransportOptions options)
        : base(ctx, listener, id, options.Base)
    {
        Register();
    }

    // Largest RTP packet accepted from the channel, and RTCP (as the reference).
    private const int MaxRtpSize = 65536;
    private const int MaxRtcpSize = 1600;
    private readonly byte[] _scratch = new byte[MaxRtpSize + 64];

    public override bool IsConnected => true;

    public override void HandleNotification(ChannelNotification notification)
    {
        switch (notification.Event)
        {
            case FBS.Notification.Event.TRANSPORT_SEND_RTCP:
            {
                var body = notification.Body<FBS.Transport.SendRtcpNotification>(FBS.Notification.Body.Transport_SendRtcpNotification);
                ArraySegment<byte>? data = body.GetDataBytes();
                if (data is ArraySegment<byte> d && d.Count <= MaxRtcpSize)
                {
                    CountReceived(d.Count);
                    ReceiveRtcp(d);
                }
                break;
            }
            default:
                base.HandleNotification(notification);
                break;
        }
    }

    /// <summary>RTP a producer of this transport got through PRODUCER_SEND.</summary>
    public unsafe void ReceiveRtpFromChannel(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxRtpSize)
        {
            RtpPacketsDiscarded++;
            return;
        }
        CountReceived(data.Length);
        // Parsed in place: the pinned scratch gives the packet room to grow.
        fixed (byte* p = _scratch)
        {
            data.CopyTo(_scratch);
            ReceiveRtp(new Span<byte>(p, _scratch.Length), data.Length);
        }
    }

    public override unsafe void SendRtpPacket(RtpPacket packet, in RtpRewrite rewrite)
    {
        fixed (byte* p = _scratch)
        {
            RtpPacket tx = Ctx.Media.TxPacket;
            if (!packet.CopyTo(p, _scratch.Length, tx))
            {
                RtpPacketsNotSent++;
                return;
            }
            rewrite.ApplyTo(tx);
            FlatBufferBuilder b = Ctx.Channel.BeginNotification();
            VectorOffset vector = CreateBytes(b, tx.Length);
            int body = FBS.Consumer.RtpNotification.CreateRtpNotification(b, vector).Value;
            Ctx.Channel.SendNotification(rewrite.ConsumerId, FBS.Notification.Event.CONSUMER_RTP, FBS.Notification.Body.Consumer_RtpNotification, body);
            CountSent(tx.Length);
            CountRtpSent(tx.Length, rewrite.RtxSsrc != 0);
        }
    }

    public override void SendRtcp(ReadOnlySpan<byte> compound)
    {
        if (compound.Length > MaxRtcpSize)
            return;
        compound.CopyTo(_scratch);
        FlatBufferBuilder b = Ctx.Channel.BeginNotification();
        VectorOffset vector = CreateBytes(b, compound.Length);
        int body = FBS.DirectTransport.RtcpNotification.CreateRtcpNotification(b, vector).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.DIRECTTRANSPORT_RTCP, FBS.Notification.Body.DirectTransport_RtcpNotification, body);
        CountSent(compound.Length);
    }

    /// <summary>A [ubyte] vector from the first length bytes of the scratch buffer.</summary>
    private VectorOffset CreateBytes(FlatBufferBuilder b, int length)
    {
        b.StartVector(1, length, 1);
        b.Add(new ArraySegment<byte>(_scratch, 0, length));
        return b.EndVector();
    }

    protected override void Dump(ChannelRequest request)
    {
        var dump = new FBS.DirectTransport.DumpResponseT { Base = BaseDump() };
        request.Accept(FBS.Response.Body.DirectTransport_DumpResponse, FBS.DirectTransport.DumpResponse.Pack(request.Builder, dump).Value);
    }

    protected override void GetStats(ChannelRequest request)
    {
        var stats = new FBS.DirectTransport.GetStatsResponseT { Base = BaseStats() };
        request.Accept(FBS.Response.Body.DirectTransport_GetStatsResponse, FBS.DirectTransport.GetStatsResponse.Pack(request.Builder, stats).Value);
    }

    protected override void SendSctpData(ReadOnlySpan<byte> packet)
    {
        // A direct transport has no SCTP (enabling it is refused at creation).
    }

    protected override void CloseSockets()
    {
    }
}
