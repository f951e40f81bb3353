using System;

namespace Mediasoup.Sctp;

/// <summary>
/// Events of an <see cref="SctpAssociation"/>, always delivered on the thread that called into
/// it (from ProcessSctpData, Connect, SendSctpMessage, ResetStreams or OnTimer), never from
/// inside usrsctp. Spans are valid only during the call. A listener may call back into the
/// association (send, reset, even Dispose).
/// </summary>
public interface ISctpAssociationListener
{
    /// <summary>One SCTP packet to put on the wire (DTLS application data, or a UDP/TCP datagram).</summary>
    void OnSctpAssociationSendData(ReadOnlySpan<byte> packet);

    void OnSctpAssociationStateChanged(SctpAssociationState state);

    /// <summary>Just before the state becomes Connected: min(ours, peer's) streams each way.</summary>
    void OnSctpAssociationNegotiatedCapabilities(ushort outboundStreams, ushort inboundStreams);

    /// <summary>A whole message (partial deliveries already reassembled).</summary>
    void OnSctpAssociationMessageReceived(ushort streamId, uint ppid, ReadOnlySpan<byte> message);

    /// <summary>The peer reset these of its outgoing (our incoming) streams.</summary>
    void OnSctpAssociationInboundStreamsReset(ReadOnlySpan<ushort> streamIds);

    /// <summary>The peer acknowledged (or refused) our outgoing stream reset.</summary>
    void OnSctpAssociationOutboundStreamsReset(ReadOnlySpan<ushort> streamIds, bool succeeded) { }

    /// <summary>Bytes queued in usrsctp and not yet acknowledged changed.</summary>
    void OnSctpAssociationBufferedAmount(long bufferedAmount) { }

    /// <summary>The buffered amount went from above <see cref="SctpAssociation.BufferedAmountLowThreshold"/> to at or below it.</summary>
    void OnSctpAssociationBufferedAmountLow(long bufferedAmount);

    /// <summary>A send was refused because the send buffer is full (DATACONSUMER_SCTP_SENDBUFFER_FULL).</summary>
    void OnSctpAssociationSendBufferFull();
}
