using System;
using Mediasoup.Rtcp;

namespace Mediasoup.Bwe;

/// <summary>
/// Turns one transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)
/// into per-packet results against the <see cref="SendHistory"/>: send time and size from the
/// history, arrival time from the reference time plus the receive deltas. Each packet counts
/// once: a packet already reported received is skipped when reported again (duplicate or
/// overlapping feedback), one reported lost twice counts as one loss, and one reported lost
/// and later received yields a received result. Statuses of sequences the history does not
/// hold (never sent, too old, or garbage far ahead) are skipped, and such a feedback does not
/// move the reference clock.
/// </summary>
internal sealed class FeedbackAdapter
{
    private const long ReferenceWrap = 1L << 24;

    private readonly SendHistory _history;
    private readonly PacketResult[] _results;
    private int _count;
    private bool _hasReference;
    private long _referenceTicks;

    public FeedbackAdapter(SendHistory history)
    {
        _history = history;
        // Every result is a distinct sequence held by the history.
        _results = new PacketResult[history.Capacity];
    }

    /// <summary>Results of the last <see cref="Process"/>, in sequence order.</summary>
    public ReadOnlySpan<PacketResult> Results => _results.AsSpan(0, _count);

    /// <summary>Packets of the last feedback newly reported lost.</summary>
    public int NewlyLost { get; private set; }

    /// <summary>Packets of the last feedback newly reported received.</summary>
    public int NewlyReceived { get; private set; }

    /// <summary>Statuses of the last feedback that matched no packet of the history.</summary>
    public int Unknown { get; private set; }

    /// <summary>Largest send time among the packets the last feedback reported received (-1: none).</summary>
    public long LatestReceivedSendUs { get; private set; }

    public int Process(in TransportCcFeedback feedback)
    {
        _count = 0;
        NewlyLost = 0;
        NewlyReceived = 0;
        Unknown = 0;
        LatestReceivedSendUs = -1;

        long highest = _history.HighestSequence;
        if (highest < 0)
        {
            Unknown = feedback.PacketStatusCount;
            return 0;
        }
        long baseSeq = _history.Unwrap(feedback.BaseSequence);
        // A feedback reaching beyond what was sent is garbage (or from another sender): ignore it whole.
        if (baseSeq + feedback.PacketStatusCount - 1 > highest || baseSeq + feedback.PacketStatusCount <= highest - _history.Capacity)
        {
            Unknown = feedback.PacketStatusCount;
            return 0;
        }

        long referenceTicks = UnwrapReference(feedback.ReferenceTime);
        long timeUs = referenceTicks * TransportCcFeedback.ReferenceTickUs;
        long seq = baseSeq;
        foreach (TransportCcPacketStatus status in feedback)
        {
            if (status.Received)
                timeUs += status.DeltaUs;
            long s = seq++;
            if (!_history.Contains(s))
            {
                Unknown++;
                continue;
            }
            ref SentPacket sent = ref _history.Get(s);
            if (status.Received)
            {
                if (sent.State == SentPacketState.Received)
                    continue;
                sent.State = SentPacketState.Received;
                NewlyReceived++;
                if (sent.SendUs > LatestReceivedSendUs)
                    LatestReceivedSendUs = sent.SendUs;
                _results[_count++] = new PacketResult(s, sent.SendUs, timeUs, sent.Size, sent.ProbeClusterId, true);
            }
            else
            {
                if (sent.State != SentPacketState.Sent)
                    continue;
                sent.State = SentPacketState.ReportedLost;
                NewlyLost++;
                _results[_count++] = new PacketResult(s, sent.SendUs, 0, sent.Size, sent.ProbeClusterId, false);
            }
        }
        if (NewlyReceived > 0)
        {
            _hasReference = true;
            _referenceTicks = referenceTicks;
        }
        return _count;
    }

    // The 24-bit reference time (64 ms units) wraps every ~12 days: take the value nearest to the last one.
    private long UnwrapReference(int reference24)
    {
        if (!_hasReference)
            return reference24 & (ReferenceWrap - 1);
        long delta = (reference24 - _referenceTicks) & (ReferenceWrap - 1);
        if (delta >= ReferenceWrap / 2)
            delta -= ReferenceWrap;
        return _referenceTicks + delta;
    }
}
