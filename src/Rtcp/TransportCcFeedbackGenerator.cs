using System;

namespace Mediasoup.Rtcp;

/// <summary>
/// The receive side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
/// extensions-01): records the transport-wide sequence number and arrival time of every media
/// packet of a transport and turns them into feedback packets for the sender's estimator, sent
/// every <see cref="IntervalMs"/> and whenever one fills up. Sans IO: the owner feeds packets,
/// calls <see cref="OnInterval"/> from its timer and sends what the callback is given.
/// </summary>
public sealed class TransportCcFeedbackGenerator
{
    /// <summary>How often feedback goes out while packets arrive (what libwebrtc senders expect).</summary>
    public const int IntervalMs = 100;

    private readonly TransportCcBuilder _builder;
    private readonly uint _senderSsrc;
    private readonly byte[] _packet;
    private uint _mediaSsrc;
    private byte _feedbackCount;
    private bool _started;

    public TransportCcFeedbackGenerator(uint senderSsrc, int maxPacketSize = CompoundBuilder.DefaultMaxSize)
    {
        _senderSsrc = senderSsrc;
        _builder = new TransportCcBuilder(maxPacketSize);
        _packet = new byte[_builder.MaxPacketSize];
        _builder.Reset(_senderSsrc, 0, 0);
    }

    /// <summary>Feedback packets handed to the sender so far.</summary>
    public ulong FeedbackSent { get; private set; }

    /// <summary>Records one arriving packet; a full feedback is sent through <paramref name="send"/> at once.</summary>
    public void OnPacket(uint mediaSsrc, ushort wideSequence, long arrivalUs, Action<ReadOnlyMemory<byte>> send)
    {
        _mediaSsrc = mediaSsrc;
        if (!_started)
        {
            _started = true;
            _builder.Reset(_senderSsrc, mediaSsrc, _feedbackCount);
        }
        switch (_builder.AddPacket(wideSequence, arrivalUs))
        {
            case TransportCcAddResult.Full:
                Flush(send);
                _builder.AddPacket(wideSequence, arrivalUs);
                break;
            case TransportCcAddResult.Rejected:
                // A gap or a time jump the format cannot express: drop what was pending, restart here.
                _builder.Reset(_senderSsrc, mediaSsrc, _feedbackCount);
                _builder.AddPacket(wideSequence, arrivalUs);
                break;
        }
    }

    /// <summary>The periodic tick: sends the pending feedback if it reports any packet.</summary>
    public void OnInterval(Action<ReadOnlyMemory<byte>> send) => Flush(send);

    private void Flush(Action<ReadOnlyMemory<byte>> send)
    {
        if (!_builder.HasReceived)
            return;
        var compound = new CompoundBuilder(_packet);
        if (compound.AddTransportCc(_builder))
        {
            FeedbackSent++;
            send(_packet.AsMemory(0, compound.Length));
        }
        _feedbackCount++;
        ushort next = (ushort)(_builder.LatestSequence + 1);
        long latestUs = _builder.LatestTimeUs;
        _builder.Reset(_senderSsrc, _mediaSsrc, _feedbackCount);
        // The next feedback continues where this one ended, so nothing is reported twice.
        _builder.SetBase(next, latestUs);
    }
}
