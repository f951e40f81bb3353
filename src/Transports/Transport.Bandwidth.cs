using System;
using System.Collections.Generic;
using Mediasoup.Consumers;
using Mediasoup.Rtp;

namespace Mediasoup.Transports;

/// <summary>The transport's side of send-side bandwidth estimation: created with the first
/// consumer whose receiver gives transport-cc or REMB feedback, fed from the send paths and
/// the RTCP the receiver sends (see <see cref="OutgoingBandwidth"/>).</summary>
internal abstract partial class Transport : IOutgoingBandwidthHost
{
    private OutgoingBandwidth? _outgoing;

    Worker.WorkerContext IOutgoingBandwidthHost.Ctx => Ctx;

    Dictionary<string, Consumer>.ValueCollection IOutgoingBandwidthHost.SendingConsumers => _consumers.Values;

    /// <summary>What the estimator allows now; null without send-side estimation.</summary>
    protected ulong? AvailableOutgoingBitrate => _outgoing != null ? (ulong)_outgoing.AvailableBitrate : null;

    /// <summary>Each kind's send path calls this on the consumer's copy, before protection:
    /// abs-send-time, and with transport-cc our own transport-wide sequence number.</summary>
    protected void StampOutgoing(RtpPacket packet)
    {
        long nowUs = Ctx.Loop.NowUs;
        packet.UpdateAbsSendTime(nowUs);
        _outgoing?.OnSend(packet, nowUs);
    }

    private void MayCreateOutgoingBandwidth(Consumer consumer)
    {
        if (_outgoing != null || consumer.Kind != Mediasoup.RtpParameters.MediaKind.Video)
            return;
        RtpParameters.RtpParameters p = consumer.RtpParameters;
        OutgoingBweType type;
        if (p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.TransportWideCcDraft01) != 0
            && p.Codecs.Exists(c => c.HasFeedback("transport-cc")))
            type = OutgoingBweType.TransportCc;
        else if (p.ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri.AbsSendTime) != 0
                 && p.Codecs.Exists(c => c.HasFeedback("goog-remb")))
            type = OutgoingBweType.Remb;
        else
            return;
        long start = InitialAvailableOutgoingBitrate is ulong initial && initial > 0 ? (long)initial : OutgoingBandwidth.DefaultStartBps;
        _outgoing = new OutgoingBandwidth(this, type, start, MinOutgoingBitrate, MaxOutgoingBitrate);
    }

    public void OnConsumerNeedsBitrate(Consumer consumer) => _outgoing?.RequestAllocation();

    private void OnOutgoingBitrateBounds() => _outgoing?.SetBounds(MinOutgoingBitrate, MaxOutgoingBitrate);

    private void ReceiveOutgoingFeedback(Rtcp.RtcpPacket packet, long nowUs)
    {
        if (_outgoing == null)
            return;
        if (packet.Type == Rtcp.RtcpPacketType.RTPFB && packet.Count == Rtcp.RtpFeedbackFmt.TransportCc)
        {
            if (Rtcp.TransportCcFeedback.TryRead(packet, out Rtcp.TransportCcFeedback feedback))
                _outgoing.OnTransportFeedback(feedback, nowUs);
        }
        else if (packet.Type == Rtcp.RtcpPacketType.PSFB && packet.Count == Rtcp.PsFeedbackFmt.Afb)
        {
            if (Rtcp.Remb.TryRead(packet, out Rtcp.Remb remb))
                _outgoing.OnRemb((long)Math.Min(remb.Bitrate, long.MaxValue), nowUs);
        }
    }

    private void ReceiveOutgoingReport(in Rtcp.ReportBlock block, uint arrivalCompactNtp, long nowUs)
    {
        if (_outgoing == null)
            return;
        float rttMs = block.LastSr != 0 ? Rtp.Streams.RtcpTiming.RttMs(arrivalCompactNtp, block.LastSr, block.DelaySinceLastSr) : 0f;
        _outgoing.OnReceiverReport(block.FractionLost, (long)(rttMs * 1000), nowUs);
    }

    private void CloseOutgoingBandwidth()
    {
        _outgoing?.Dispose();
        _outgoing = null;
    }

    void IOutgoingBandwidthHost.SendProbation(RtpPacket packet, in RtpRewrite rewrite)
    {
        if (!IsConnected)
            return;
        SendRtpPacket(packet, rewrite);
        // Each probe leaves as a datagram of its own: batched into one GSO send, a cluster
        // crosses a local shaper as one unit and its arrival spacing says nothing of the link.
        FlushSends();
    }

    /// <summary>Hands what the kind's socket queued this loop iteration to the kernel now.</summary>
    protected virtual void FlushSends() { }

    void IOutgoingBandwidthHost.EmitBweTrace(OutgoingBweType type, in Bwe.BweTrace trace)
    {
        if (!_traceEventTypes.Contains(FBS.Transport.TraceEventType.BWE))
            return;
        var info = new FBS.Transport.BweTraceInfoT
        {
            BweType = (FBS.Transport.BweType)(byte)type,
            DesiredBitrate = (ulong)Math.Max(0, trace.DesiredBitrate),
            EffectiveDesiredBitrate = (ulong)Math.Max(0, trace.EffectiveDesiredBitrate),
            MinBitrate = (ulong)Math.Max(0, trace.MinBitrate),
            MaxBitrate = (ulong)Math.Max(0, trace.MaxBitrate),
            StartBitrate = (ulong)Math.Max(0, trace.StartBitrate),
            MaxPaddingBitrate = (ulong)Math.Max(0, trace.MaxPaddingBitrate),
            AvailableBitrate = (ulong)Math.Max(0, trace.AvailableBitrate),
        };
        EmitTransportTrace(FBS.Transport.TraceEventType.BWE, FBS.Transport.TraceInfoUnion.FromBweTraceInfo(info));
    }

    void IOutgoingBandwidthHost.EmitProbationTrace(RtpPacket packet)
    {
        if (_traceEventTypes.Contains(FBS.Transport.TraceEventType.PROBATION))
            EmitTransportTrace(FBS.Transport.TraceEventType.PROBATION, null);
    }

    private void EmitTransportTrace(FBS.Transport.TraceEventType type, FBS.Transport.TraceInfoUnion? info)
    {
        var n = new FBS.Transport.TraceNotificationT
        {
            Type = type,
            Timestamp = (ulong)Ctx.Loop.NowMs,
            Direction = FBS.Common.TraceDirection.DIRECTION_OUT,
            Info = info,
        };
        var b = Ctx.Channel.BeginNotification();
        int off = FBS.Transport.TraceNotification.Pack(b, n).Value;
        Ctx.Channel.SendNotification(Id, FBS.Notification.Event.TRANSPORT_TRACE, FBS.Notification.Body.Transport_TraceNotification, off);
    }
}
