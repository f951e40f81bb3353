namespace Mediasoup.Rtcp;

/// <summary>NTP helpers for SR/RR/XR timing. No clock is read here: callers pass times in.</summary>
public static class Ntp
{
    /// <summary>Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch).</summary>
    public const long UnixEpochOffsetSeconds = 2_208_988_800;

    /// <summary>
    /// Offset to add to a monotonic clock reading to get NTP microseconds, computed once at
    /// start-up from one wall clock and one monotonic reading, so NTP timestamps do not step
    /// when the system clock is adjusted (what the reference worker does).
    /// </summary>
    public static long MonotonicToNtpOffsetUs(long unixNowUs, long monotonicNowUs)
        => unixNowUs + UnixEpochOffsetSeconds * 1_000_000 - monotonicNowUs;

    /// <summary>NTP time of a monotonic reading, given the offset from <see cref="MonotonicToNtpOffsetUs"/>.</summary>
    public static NtpTime FromMonotonicUs(long monotonicUs, long ntpOffsetUs) => NtpTime.FromMicroseconds(monotonicUs + ntpOffsetUs);

    public static NtpTime FromMonotonicMs(long monotonicMs, long ntpOffsetUs) => NtpTime.FromMicroseconds(monotonicMs * 1000 + ntpOffsetUs);

    /// <summary>A delay as compact NTP (1/65536 s units, truncated), for DLSR/DLRR. Negative delays give 0.</summary>
    public static uint DelayToCompact(long delayUs)
    {
        if (delayUs <= 0)
            return 0;
        return (uint)(((delayUs / 1_000_000) << 16) | ((delayUs % 1_000_000) * 65536 / 1_000_000));
    }

    public static uint DelayMsToCompact(long delayMs) => DelayToCompact(delayMs * 1000);

    /// <summary>Compact NTP (16.16 s) to microseconds, rounded.</summary>
    public static long CompactToMicroseconds(uint compact)
        => (compact >> 16) * 1_000_000L + (((compact & 0xFFFF) * 1_000_000L + 32768) >> 16);

    public static double CompactToMilliseconds(uint compact) => compact * (1000.0 / 65536.0);

    /// <summary>
    /// Round trip from a report block (RFC 3550 §6.4.1): arrival − LSR − DLSR, all compact NTP,
    /// result in 1/65536 s. False when LSR is 0 (the peer has no SR of ours yet) or the result
    /// is negative (clock or report skew). Modular, so it survives the 16-bit seconds wrap
    /// every ~18 h; the reference worker also treats DLSR 0 as "none", which this does not.
    /// </summary>
    public static bool TryComputeRtt(uint arrivalCompact, uint lastSr, uint delaySinceLastSr, out uint rttCompact)
    {
        rttCompact = 0;
        if (lastSr == 0)
            return false;
        uint rtt = arrivalCompact - lastSr - delaySinceLastSr;
        if ((int)rtt < 0)
            return false;
        rttCompact = rtt;
        return true;
    }
}
