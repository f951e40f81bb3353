using Mediasoup.Net;
using Xunit;

namespace Mediasoup.Tests.Net;

public sealed unsafe class PacketBufferPoolTests
{
    [Fact]
    public void AfterABurst_TrimGivesEveryUnusedSlabBack()
    {
        using var pool = new PacketBufferPool();
        var rented = new List<nint>();
        for (int i = 0; i < 10 * PacketBufferPool.SlabBuffers; i++)
            rented.Add((nint)pool.Rent());
        Assert.Equal(10 * PacketBufferPool.SlabBuffers, pool.Capacity);
        foreach (nint b in rented)
            pool.Return((byte*)b);

        Assert.Equal(9, pool.Trim(keepFree: PacketBufferPool.SlabBuffers));
        Assert.Equal(PacketBufferPool.SlabBuffers, pool.Capacity);
        Assert.Equal(1, pool.Trim(keepFree: 0));
        Assert.Equal(0, pool.Capacity);
        Assert.Equal(0, pool.InUse);
        // Still usable.
        byte* p = pool.Rent();
        p[PacketBufferPool.BufferSize - 1] = 7;
        pool.Return(p);
    }

    [Fact]
    public void Trim_KeepsEverySlabWithARentedBuffer_AndTheirContents()
    {
        using var pool = new PacketBufferPool();
        var rented = new List<nint>();
        for (int i = 0; i < 4 * PacketBufferPool.SlabBuffers; i++)
            rented.Add((nint)pool.Rent());
        // Keep one buffer of every other slab's worth (interleaved across slabs), return the rest.
        var kept = new List<nint>();
        for (int i = 0; i < rented.Count; i++)
        {
            if (i % (2 * PacketBufferPool.SlabBuffers) == 5)
            {
                kept.Add(rented[i]);
                ((byte*)rented[i])[0] = (byte)i;
            }
            else
            {
                pool.Return((byte*)rented[i]);
            }
        }
        Assert.Equal(2, kept.Count);
        Assert.Equal(2, pool.Trim(keepFree: 0));
        Assert.Equal(2 * PacketBufferPool.SlabBuffers, pool.Capacity);
        Assert.Equal(2, pool.InUse);
        foreach (nint b in kept)
            Assert.Equal((byte)rented.IndexOf(b), ((byte*)b)[0]);
        // Every free buffer handed out now is distinct from the kept ones.
        var again = new HashSet<nint>();
        for (int i = 0; i < 2 * PacketBufferPool.SlabBuffers - 2; i++)
            Assert.True(again.Add((nint)pool.Rent()));
        Assert.DoesNotContain(kept[0], again);
        Assert.DoesNotContain(kept[1], again);
        Assert.Equal(2 * PacketBufferPool.SlabBuffers, pool.Capacity);
    }

    [Fact]
    public void Trim_KeepsTheRequestedFreeBuffers()
    {
        using var pool = new PacketBufferPool();
        var rented = new List<nint>();
        for (int i = 0; i < 3 * PacketBufferPool.SlabBuffers; i++)
            rented.Add((nint)pool.Rent());
        foreach (nint b in rented)
            pool.Return((byte*)b);
        Assert.Equal(1, pool.Trim(keepFree: 2 * PacketBufferPool.SlabBuffers));
        Assert.Equal(0, pool.Trim(keepFree: 2 * PacketBufferPool.SlabBuffers));
        Assert.Equal(2 * PacketBufferPool.SlabBuffers, pool.Capacity);
    }
}
