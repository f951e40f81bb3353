using System;

namespace Mediasoup.Rtp;

/// <summary>abs-send-time conversions (24-bit 6.18 fixed-point seconds, wrapping every 64 s).</summary>
internal static class AbsSendTime
{
    private const long WrapPeriodUs = 64L * 1_000_000;

    /// <summary>Rounds to the nearest 1/2^18 s; negative times map like their positive congruents.</summary>
    public static uint FromMicroseconds(long timeUs)
    {
        long wrapped = ((timeUs % WrapPeriodUs) + WrapPeriodUs) % WrapPeriodUs;
        return (uint)(((wrapped << 18) + 500_000) / 1_000_000) & 0xFFFFFF;
    }

    /// <summary>The value in microseconds within its 64-second period.</summary>
    public static long ToMicroseconds(uint absSendTime) => ((absSendTime & 0xFFFFFFL) * 1_000_000 + (1 << 17)) >> 18;
}
