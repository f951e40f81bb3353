using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Compact NTP (RFC 3550 6.4.1 LSR/DLSR: middle 32 bits of the 64-bit NTP time,
/// 1/65536 s units) conversions and the round-trip time formula.</summary>
public static class RtcpTiming
{
    private const double NtpFractionalUnit = 4294967296.0; // 2^32

    /// <summary>NTP seconds and fraction for a time in µs since the NTP epoch. Seconds wrap
    /// on purpose (NTP eras).</summary>
    public static void ToNtp(long ntpUs, out uint seconds, out uint fractions)
    {
        seconds = unchecked((uint)(ntpUs / 1_000_000));
        fractions = unchecked((uint)(ntpUs % 1_000_000 / 1_000_000.0 * NtpFractionalUnit));
    }

    public static long NtpToUs(uint seconds, uint fractions) =>
        seconds * 1_000_000L + (long)SeqMath.RoundHalfAway(fractions * 1_000_000.0 / NtpFractionalUnit);

    public static uint Compact(uint ntpSeconds, uint ntpFractions) => unchecked((ntpSeconds << 16) + (ntpFractions >> 16));

    public static uint CompactFromUs(long ntpUs)
    {
        ToNtp(ntpUs, out uint s, out uint f);
        return ((s & 0xFFFF) << 16) | (f >> 16);
    }

    /// <summary>A delay as DLSR/DLRR (1/65536 s units).</summary>
    public static uint DelayToCompact(long delayUs)
    {
        if (delayUs < 0)
            delayUs = 0;
        return unchecked((uint)((delayUs / 1_000_000) << 16) | (uint)(delayUs % 1_000_000 * 65536 / 1_000_000));
    }

    /// <summary>RTT from a report that echoes our LSR/LRR and its DLSR/DLRR, given the compact
    /// NTP time at which it arrived. Zero when the peer has not seen our report yet or the
    /// values do not add up.</summary>
    public static float RttMs(uint arrivalCompactNtp, uint lastReport, uint delaySinceLastReport)
    {
        uint rtt = 0;
        if (lastReport != 0 && delaySinceLastReport != 0
            && arrivalCompactNtp > unchecked(delaySinceLastReport + lastReport))
        {
            rtt = unchecked(arrivalCompactNtp - delaySinceLastReport - lastReport);
        }
        float ms = (rtt >> 16) * 1000f;
        ms += (rtt & 0xFFFF) / 65536f * 1000f;
        return Math.Max(ms, 0f);
    }
}
