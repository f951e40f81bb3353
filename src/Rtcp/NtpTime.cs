using System;

namespace Mediasoup.Rtcp;

/// <summary>
/// 64-bit NTP timestamp (RFC 5905 §6): seconds since 1900-01-01 and a 32-bit binary fraction.
/// Seconds wrap every 2^32 s (the NTP era, next in 2036); everything here is modular, as
/// RTCP uses it.
/// </summary>
public readonly record struct NtpTime(uint Seconds, uint Fraction)
{
    private const long UsPerSecond = 1_000_000;

    public ulong Value => ((ulong)Seconds << 32) | Fraction;

    /// <summary>Middle 32 bits (16.16 seconds), the form of LSR/DLSR and LRR/DLRR (RFC 3550 §6.4.1, RFC 3611 §4.5).</summary>
    public uint Compact => (Seconds << 16) | (Fraction >> 16);

    public static NtpTime FromValue(ulong value) => new((uint)(value >> 32), (uint)value);

    /// <summary>From microseconds since the NTP epoch; the fraction is truncated.</summary>
    public static NtpTime FromMicroseconds(long ntpUs)
    {
        long seconds = Math.DivRem(ntpUs, UsPerSecond, out long rem);
        if (rem < 0)
        {
            seconds--;
            rem += UsPerSecond;
        }
        return new NtpTime((uint)seconds, (uint)(((ulong)rem << 32) / UsPerSecond));
    }

    public static NtpTime FromMilliseconds(long ntpMs) => FromMicroseconds(ntpMs * 1000);

    /// <summary>From Unix time (ms since 1970): wall clock straight into NTP.</summary>
    public static NtpTime FromUnixMilliseconds(long unixMs) => FromMilliseconds(unixMs + Ntp.UnixEpochOffsetSeconds * 1000);

    /// <summary>Microseconds since the start of the current NTP era; the fraction is rounded.</summary>
    public long ToMicroseconds() => Seconds * UsPerSecond + (long)(((ulong)Fraction * UsPerSecond + (1UL << 31)) >> 32);

    public long ToMilliseconds() => (ToMicroseconds() + 500) / 1000;

    public long ToUnixMilliseconds() => ToMilliseconds() - Ntp.UnixEpochOffsetSeconds * 1000;
}
