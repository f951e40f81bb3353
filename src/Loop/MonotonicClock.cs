using Mediasoup.Interop.Libc;

namespace Mediasoup.Loop;

/// <summary>CLOCK_MONOTONIC readings. Cores never call this: they get time as a parameter.</summary>
public static unsafe class MonotonicClock
{
    public static long NowUs()
    {
        Libc.Timespec ts;
        Libc.ClockGetTime(Libc.CLOCK_MONOTONIC, &ts);
        return ts.Sec * 1_000_000 + ts.Nsec / 1000;
    }

    public static long NowMs() => NowUs() / 1000;
}
