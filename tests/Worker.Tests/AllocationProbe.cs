namespace Mediasoup.Tests;

/// <summary>Bytes a per-packet body allocates on this thread after a warm-up of the same length.</summary>
internal static class AllocationProbe
{
    public static long Measure(Action<int> body, int iterations = 5000)
    {
        for (int i = 0; i < iterations; i++)
            body(i); // warm-up (tiering, first-use paths)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = iterations; i < 2 * iterations; i++)
            body(i);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
