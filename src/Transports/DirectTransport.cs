using Mediasoup.Channel;
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

    public override void HandleNotification(ChannelNotification notification)
    {
        switch (notification.Event)
        {
            case FBS.Notification.Event.TRANSPORT_SEND_RTCP:
                // RTCP injected by the host is processed with the media plane.
                break;
            default:
                base.HandleNotification(notification);
                break;
        }
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

    protected override void CloseSockets()
    {
    }
}
