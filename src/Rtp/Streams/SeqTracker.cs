using System;

namespace Mediasoup.Rtp.Streams;

public enum SeqUpdateResult : byte
{
    /// <summary>Valid packet (in order, with a gap, duplicate or acceptably misordered).</summary>
    Accepted,
    /// <summary>Valid packet after a large jump confirmed by a second sequential packet:
    /// the source restarted and all sequence state was re-based on it.</summary>
    Restarted,
    /// <summary>Too old or too far ahead: dropped and counted in PacketsDiscarded.</summary>
    Discarded,
    /// <summary>Still in RFC 3550 probation (only with minSequential &gt; 1).</summary>
    Probation,
}

/// <summary>Values for one RTCP reception report block (RFC 3550 6.4.1).</summary>
public readonly struct ReceptionReport
{
    public ReceptionReport(byte fractionLost, int totalLost, uint extendedHighestSeq, uint jitter)
    {
        FractionLost = fractionLost;
        TotalLost = totalLost;
        ExtendedHighestSeq = extendedHighestSeq;
        Jitter = jitter;
    }

    public byte FractionLost { get; }
    /// <summary>Cumulative lost; the RTCP writer clamps it to 24 signed bits.</summary>
    public int TotalLost { get; }
    public uint ExtendedHighestSeq { get; }
    public uint Jitter { get; }
}

/// <summary>Per-SSRC receive-side sequence state: RFC 3550 A.1 validation (extended highest
/// sequence, cycles, bad-seq resync, optional probation), A.3 loss accounting for reception
/// reports and A.8 interarrival jitter in RTP timestamp units. Defaults follow the
/// reference worker: no probation, max dropout 3000, max misorder 1500.</summary>
public sealed class SeqTracker
{
    public const int DefaultMaxDropout = 3000;
    public const int DefaultMaxMisorder = 1500;
    private const uint SeqMod = 1u << 16;

    private readonly int _maxDropout;
    private readonly int _maxMisorder;
    private readonly int _minSequential;

    private bool _seen;      // any packet seen (probation may still be running)
    private bool _started;   // base sequence established
    private int _probation;
    private ushort _maxSeq;
    private uint _cycles;
    private uint _baseSeq;
    private uint _badSeq;
    private long _received;
    private uint _expectedPrior;
    private long _receivedPrior;
    private long _lostCarried; // loss accounted before the last restart
    private int _reportedLost;
    private int _transit;
    private bool _haveTransit;

    public SeqTracker(int maxDropout = DefaultMaxDropout, int maxMisorder = DefaultMaxMisorder, int minSequential = 0)
    {
        _maxDropout = Math.Clamp(maxDropout, 1, 0x8000);
        _maxMisorder = Math.Clamp(maxMisorder, 1, 0x8000);
        _minSequential = Math.Clamp(minSequential, 0, 1000);
        _badSeq = SeqMod + 1;
    }

    public bool Started => _started;
    public ushort MaxSeq => _maxSeq;
    /// <summary>Shifted count of wraps (a multiple of 65536), as in RFC 3550 A.1.</summary>
    public uint Cycles => _cycles;
    public uint BaseSeq => _baseSeq;
    public uint ExtendedHighestSeq => _cycles + _maxSeq;
    public uint Expected => _started ? _cycles + _maxSeq - _baseSeq + 1 : 0;
    /// <summary>Valid packets counted since the base (reset on restart).</summary>
    public long Received => _received;
    public long PacketsDiscarded { get; private set; }
    /// <summary>Cumulative lost as of the last <see cref="BuildReport"/> (stats value).</summary>
    public int PacketsLost { get; private set; }
    /// <summary>Fraction lost (1/256 units) as of the last <see cref="BuildReport"/>.</summary>
    public byte FractionLost { get; private set; }
    /// <summary>Interarrival jitter in RTP timestamp units (kept as float per RFC 3550).</summary>
    public float Jitter { get; private set; }
    public uint MaxPacketTs { get; private set; }
    public long MaxPacketAtUs { get; private set; }
    /// <summary>Whether the last <see cref="Update"/> moved MaxPacketTs.</summary>
    public bool MaxPacketTsUpdated { get; private set; }

    public static bool IsValid(SeqUpdateResult r) => r <= SeqUpdateResult.Restarted;

    /// <summary>Validates one packet. countReceived=false for packets that move the sequence
    /// state without counting as received media (RTX-recovered originals).</summary>
    public SeqUpdateResult Update(ushort seq, uint timestamp, long nowUs, bool countReceived = true)
    {
        MaxPacketTsUpdated = false;

        if (!_seen)
        {
            _seen = true;
            if (_minSequential <= 1)
            {
                InitSeq(seq);
                SetMaxTs(timestamp, nowUs);
                if (countReceived)
                    _received++;
                return SeqUpdateResult.Accepted;
            }
            _probation = _minSequential;
            _maxSeq = (ushort)(seq - 1);
        }

        if (_probation > 0)
        {
            if (seq == (ushort)(_maxSeq + 1))
            {
                _probation--;
                _maxSeq = seq;
                if (_probation == 0)
                {
                    InitSeq(seq);
                    SetMaxTs(timestamp, nowUs);
                    if (countReceived)
                        _received++;
                    return SeqUpdateResult.Accepted;
                }
            }
            else
            {
                _probation = _minSequential - 1;
                _maxSeq = seq;
            }
            return SeqUpdateResult.Probation;
        }

        var result = SeqUpdateResult.Accepted;
        ushort udelta = (ushort)(seq - _maxSeq);

        if (udelta < _maxDropout)
        {
            // In order with a permissible gap; a lower value means it wrapped.
            if (seq < _maxSeq)
                _cycles += SeqMod;
            _maxSeq = seq;
            // In-order seq but older timestamp: the sender's clock moved back (long pause).
            if (SeqMath.IsLower(timestamp, MaxPacketTs))
                SetMaxTs(timestamp, nowUs);
        }
        else if (udelta <= SeqMod - (uint)_maxMisorder)
        {
            if (seq == _badSeq)
            {
                // Two sequential packets after a big jump: the sender restarted.
                _lostCarried = CurrentLost();
                InitSeq(seq);
                _received = 0;
                _expectedPrior = 0;
                _receivedPrior = 0;
                SetMaxTs(timestamp, nowUs);
                result = SeqUpdateResult.Restarted;
            }
            else
            {
                _badSeq = (uint)((seq + 1) & (SeqMod - 1));
                PacketsDiscarded++;
                return SeqUpdateResult.Discarded;
            }
        }
        // else: duplicate or reordered within the misorder window.

        if (countReceived)
            _received++;
        if (SeqMath.IsHigher(timestamp, MaxPacketTs))
            SetMaxTs(timestamp, nowUs);
        return result;
    }

    /// <summary>RFC 3550 A.8 with arrival converted to the stream's clock. The seconds and the
    /// sub-second part are scaled separately so a long-lived clock cannot overflow.</summary>
    public void UpdateJitter(uint rtpTimestamp, long arrivalUs, uint clockRate)
    {
        if (clockRate == 0)
            return;
        uint arrivalTs = unchecked((uint)(arrivalUs / 1_000_000 * clockRate)
            + (uint)(arrivalUs % 1_000_000 * clockRate / 1_000_000));
        int transit = unchecked((int)(arrivalTs - rtpTimestamp));
        if (!_haveTransit)
        {
            _haveTransit = true;
            _transit = transit;
            return;
        }
        // The transit difference wraps in 32 bits like RTP timestamps do.
        long d = Math.Abs((long)unchecked(transit - _transit));
        _transit = transit;
        Jitter = (float)(Jitter + 1.0 / 16.0 * ((float)d - Jitter));
    }

    public void ResetJitter()
    {
        _haveTransit = false;
        _transit = 0;
        Jitter = 0;
    }

    /// <summary>RFC 3550 A.3 for one report interval; updates PacketsLost and FractionLost.
    /// A worse remote fraction (in-band FEC audio forwarding) replaces ours in the report.</summary>
    public ReceptionReport BuildReport(byte worstRemoteFractionLost = 0)
    {
        int prevLost = PacketsLost;
        uint expected = Expected;
        PacketsLost = ClampToInt(CurrentLost());

        uint expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        uint receivedInterval = unchecked((uint)(_received - _receivedPrior));
        _receivedPrior = _received;
        long lostInterval = (long)expectedInterval - receivedInterval;

        if (expectedInterval == 0 || lostInterval <= 0)
            FractionLost = 0;
        else
            FractionLost = (byte)Math.Min(255, SeqMath.RoundHalfAway((double)(lostInterval << 8) / expectedInterval));

        byte reportedFraction;
        if (worstRemoteFractionLost <= FractionLost)
        {
            _reportedLost = unchecked(_reportedLost + (PacketsLost - prevLost));
            reportedFraction = FractionLost;
        }
        else
        {
            _reportedLost = unchecked(_reportedLost + (int)(((ulong)worstRemoteFractionLost * expectedInterval) >> 8));
            reportedFraction = worstRemoteFractionLost;
        }

        return new ReceptionReport(reportedFraction, _reportedLost, ExtendedHighestSeq, (uint)Jitter);
    }

    /// <summary>Forgets everything, as for a brand new SSRC.</summary>
    public void Reset()
    {
        _seen = _started = false;
        _probation = 0;
        _maxSeq = 0;
        _cycles = _baseSeq = 0;
        _badSeq = SeqMod + 1;
        _received = _receivedPrior = _lostCarried = 0;
        _expectedPrior = 0;
        _reportedLost = 0;
        PacketsLost = 0;
        FractionLost = 0;
        PacketsDiscarded = 0;
        MaxPacketTs = 0;
        MaxPacketAtUs = 0;
        MaxPacketTsUpdated = false;
        ResetJitter();
    }

    private long CurrentLost()
    {
        long expected = Expected;
        return _lostCarried + (expected > _received ? expected - _received : 0);
    }

    private void InitSeq(ushort seq)
    {
        _started = true;
        _baseSeq = seq;
        _maxSeq = seq;
        _cycles = 0;
        _badSeq = SeqMod + 1; // never equals a 16-bit value
    }

    private void SetMaxTs(uint ts, long nowUs)
    {
        MaxPacketTs = ts;
        MaxPacketAtUs = nowUs;
        MaxPacketTsUpdated = true;
    }

    private static int ClampToInt(long v) => v > int.MaxValue ? int.MaxValue : v < int.MinValue ? int.MinValue : (int)v;
}
