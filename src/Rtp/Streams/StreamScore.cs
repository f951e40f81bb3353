using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Stream quality score 0..10: a weighted average of the last 24 samples where the
/// i-th oldest sample weighs i, so recent samples dominate. Also tracks since when the
/// stream has been active (score left 0).</summary>
public sealed class StreamScore
{
    public const int HistoryLength = 24;

    private readonly byte[] _samples = new byte[HistoryLength];
    private int _first;
    private int _count;

    public StreamScore(byte initialScore, long nowMs)
    {
        Score = initialScore;
        ActiveSinceMs = nowMs;
    }

    public byte Score { get; private set; }
    /// <summary>The score before the last change.</summary>
    public byte PreviousScore { get; private set; }
    public long ActiveSinceMs { get; private set; }
    public int SampleCount => _count;

    /// <summary>Adds a sample; true when the computed score changed.</summary>
    public bool AddSample(byte sample, long nowMs)
    {
        sample = Math.Min(sample, (byte)10);
        if (_count == HistoryLength)
        {
            _samples[_first] = sample;
            _first = (_first + 1) % HistoryLength;
        }
        else
        {
            _samples[(_first + _count) % HistoryLength] = sample;
            _count++;
        }

        long weightSum = 0, total = 0;
        for (int i = 0; i < _count; i++)
        {
            int w = i + 1;
            weightSum += w;
            total += (long)w * _samples[(_first + i) % HistoryLength];
        }
        var score = (byte)SeqMath.RoundHalfAway((double)total / weightSum);
        return Set(score, nowMs);
    }

    /// <summary>Drops the history and forces a score; true when it changed.</summary>
    public bool Reset(byte score, long nowMs)
    {
        _first = _count = 0;
        return Set(score, nowMs);
    }

    private bool Set(byte score, long nowMs)
    {
        if (score == Score)
            return false;
        PreviousScore = Score;
        Score = score;
        if (PreviousScore == 0)
            ActiveSinceMs = nowMs;
        return true;
    }

    /// <summary>Score sample of a receive stream for one SR interval, from the packets
    /// expected, received, repaired and retransmitted in it.</summary>
    public static byte RecvSample(uint expected, uint received, uint repaired, uint retransmitted, bool hasRtx)
    {
        if (expected == 0)
            return 10;
        if (received == 0)
            return 0;
        uint lost = expected < received ? 0 : expected - received;
        lost = Math.Min(lost, received);
        if (repaired > lost)
        {
            // With RTX the extra repairs were for packets counted elsewhere; without RTX a
            // repaired packet arrived on the media SSRC, so it was lost before.
            if (hasRtx)
                repaired = lost;
            else
                lost = repaired;
        }
        return DeliveredScore(received, lost, repaired, retransmitted);
    }

    /// <summary>Score sample of a send stream for one RR interval.</summary>
    public static byte SendSample(uint sent, uint lost, uint repaired, uint retransmitted)
    {
        if (sent == 0)
            return 10;
        lost = Math.Min(lost, sent);
        repaired = Math.Min(repaired, lost);
        return DeliveredScore(sent, lost, repaired, retransmitted);
    }

    // Repairs forgive losses, less so when they are a big share of the traffic or needed
    // many retransmissions; the delivered ratio then maps to 0..10 with a 4th power.
    private static byte DeliveredScore(uint total, uint lost, uint repaired, uint retransmitted)
    {
        float repairedRatio = repaired / (float)total;
        double repairedWeight = Math.Pow(1f / (repairedRatio + 1f), 4);
        if (retransmitted > 0)
            repairedWeight *= repaired / (float)retransmitted;
        double newLost = lost - repaired * repairedWeight;
        lost = newLost <= 0 ? 0 : (uint)newLost;
        if (lost > total)
            lost = total;
        float deliveredRatio = (total - lost) / (float)total;
        return (byte)SeqMath.RoundHalfAway(Math.Pow(deliveredRatio, 4) * 10);
    }
}
