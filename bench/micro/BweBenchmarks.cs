using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Mediasoup.Bwe;
using Mediasoup.Rtcp;
using Mediasoup.Rtp;

namespace Mediasoup.Bench;

/// <summary>
/// Send-side bandwidth estimation on the send path (Transports/OutgoingBandwidth): what every
/// packet a transport sends costs (abs-send-time and transport-wide sequence stamped on the
/// consumer's copy, the send registered with the estimator), and one transport-cc feedback
/// round of 100 packets. The simulated link: 10 k packets/s of 1200 B (≈ 96 Mbit/s), 20 ms
/// one way, a little jitter, 1 packet in 97 lost.
/// </summary>
[MemoryDiagnoser]
public unsafe class BweBenchmarks
{
    private const int FeedbackPackets = 100;
    private const long PacketIntervalUs = 100;
    private const long OneWayUs = 20_000;

    private byte* _buf;
    private readonly RtpPacket _packet = new();
    private SendSideBwe _bwe = null!;
    private readonly TransportCcBuilder _builder = new();
    private readonly byte[] _feedback = new byte[1500];
    private long _nowUs = 1_000_000;
    private ushort _seq;
    private byte _fbCount;

    [GlobalSetup]
    public void Setup()
    {
        _buf = (byte*)NativeMemory.AlignedAlloc(Packets.Capacity, 64);
        int length = WriteEgress(_buf);
        if (!_packet.TryParse(_buf, length, Packets.Capacity))
            throw new InvalidOperationException("packet");
        _packet.ExtensionIds = HeaderExtensionIds.Internal;
        if (!_packet.UpdateTransportWideCc01(1) || !_packet.UpdateAbsSendTime(0))
            throw new InvalidOperationException("no transport-wide-cc / abs-send-time slot");
        _bwe = new SendSideBwe(600_000, 30_000, 0);
        // Warm the estimator up with a few seconds of traffic and feedback.
        for (int i = 0; i < 300; i++)
            FeedbackRound();
        if (_bwe.AcknowledgedBitrate <= 0 || _bwe.LastUnknownStatuses != 0)
            throw new InvalidOperationException($"the estimator did not take the feedback (acknowledged {_bwe.AcknowledgedBitrate} bit/s, {_bwe.LastUnknownStatuses} unknown statuses)");
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_buf);

    // A consumer's copy as it leaves: the producer's block with the router's ids (MID slot of
    // 8 bytes, abs-send-time, transport-wide-cc-01, video orientation, toffset), VP8 payload.
    private static int WriteEgress(byte* buf)
    {
        var span = new Span<byte>(buf, Packets.Capacity);
        span.Clear();
        span[0] = 0x90;
        span[1] = 96;
        span[8] = 0x0B; span[9] = 0x0B; span[10] = 0x0B; span[11] = 0x0C;
        HeaderExtensionIds ids = HeaderExtensionIds.Internal;
        ReadOnlySpan<byte> elements =
        [
            (byte)(ids.Mid << 4 | 7), (byte)'0', 0, 0, 0, 0, 0, 0, 0,
            (byte)(ids.AbsSendTime << 4 | 2), 0, 0, 0,
            (byte)(ids.TransportWideCc01 << 4 | 1), 0, 0,
            (byte)(ids.VideoOrientation << 4 | 0), 0,
            (byte)(ids.TimeOffset << 4 | 2), 0, 0, 0x10,
        ];
        int words = (elements.Length + 3) / 4;
        span[12] = 0xBE; span[13] = 0xDE; span[14] = 0; span[15] = (byte)words;
        elements.CopyTo(span.Slice(16));
        int payload = 16 + words * 4;
        span[payload] = 0x10;
        for (int i = payload + 1; i < Packets.Size; i++)
            span[i] = (byte)(i * 7);
        return Packets.Size;
    }

    /// <summary>The two header stamps alone (Transport.StampOutgoing without the estimator).</summary>
    [Benchmark]
    public bool Stamp()
    {
        _nowUs += PacketIntervalUs;
        return _packet.UpdateAbsSendTime(_nowUs) & _packet.UpdateTransportWideCc01(++_seq);
    }

    /// <summary>Per packet sent: both stamps + <see cref="SendSideBwe.OnPacketSent"/> (send history, ALR, send rate).</summary>
    [Benchmark]
    public bool StampAndRegisterSend()
    {
        _nowUs += PacketIntervalUs;
        bool ok = _packet.UpdateAbsSendTime(_nowUs) & _packet.UpdateTransportWideCc01(++_seq);
        _bwe.OnPacketSent(_seq, Packets.Size, _nowUs, -1);
        return ok;
    }

    /// <summary>The receiver's part of <see cref="FeedbackRound"/> alone (not the worker's cost):
    /// build the feedback of 100 packets, serialize, parse. Subtract it from FeedbackRound.</summary>
    [Benchmark]
    public int ReceiverBuildsFeedback()
    {
        ushort first = _seq;
        _seq += FeedbackPackets;
        _nowUs += FeedbackPackets * PacketIntervalUs;
        return BuildAndParse(first, _nowUs - FeedbackPackets * PacketIntervalUs);
    }

    /// <summary>One feedback interval of 100 packets: 100 × OnPacketSent, the receiver's
    /// feedback (built, serialized, parsed), then <see cref="SendSideBwe.OnTransportFeedback"/>
    /// and the estimator's timer (<see cref="SendSideBwe.Process"/>).</summary>
    [Benchmark]
    public long FeedbackRound()
    {
        ushort first = (ushort)(_seq + 1);
        long firstSendUs = _nowUs + PacketIntervalUs;
        for (int i = 0; i < FeedbackPackets; i++)
        {
            _nowUs += PacketIntervalUs;
            _bwe.OnPacketSent(++_seq, Packets.Size, _nowUs, -1);
        }
        int length = Build(first, firstSendUs);
        if (RtcpPacket.TryCreate(_feedback.AsSpan(0, length), out RtcpPacket packet) && TransportCcFeedback.TryRead(packet, out TransportCcFeedback fb))
            _bwe.OnTransportFeedback(fb, _nowUs + OneWayUs + 10_000);
        _bwe.Process(_nowUs);
        return _bwe.AvailableBitrate;
    }

    private int BuildAndParse(ushort first, long firstSendUs)
    {
        int length = Build(first, firstSendUs);
        return RtcpPacket.TryCreate(_feedback.AsSpan(0, length), out RtcpPacket packet) && TransportCcFeedback.TryRead(packet, out TransportCcFeedback fb)
            ? fb.ReceivedCount
            : -1;
    }

    // The receiver's feedback for packets first .. first + 99 sent 100 µs apart.
    private int Build(ushort first, long firstSendUs)
    {
        _builder.Reset(0x5EED, 0x0B0B0B0C, _fbCount++);
        _builder.SetBase(first, firstSendUs + OneWayUs);
        for (int i = 0; i < FeedbackPackets; i++)
        {
            ushort seq = (ushort)(first + i);
            if (seq % 97 == 0)
                continue;
            _builder.AddPacket(seq, firstSendUs + i * PacketIntervalUs + OneWayUs + (seq & 3) * 50);
        }
        return _builder.Write(_feedback);
    }
}
