using Mediasoup.Channel;
using Xunit;

namespace Mediasoup.Tests.Channel;

public sealed class OutputQueueTests
{
    [Fact]
    public void NewQueue_IsEmpty()
    {
        var q = new OutputQueue();
        Assert.True(q.IsEmpty);
        Assert.Equal(0, q.Length);
        Assert.True(q.Pending.IsEmpty);
    }

    [Fact]
    public void Append_ThenConsume_KeepsOrder()
    {
        var q = new OutputQueue();
        q.Append([1, 2, 3]);
        q.Append([4, 5]);
        Assert.Equal(5, q.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, q.Pending.ToArray());

        q.Consume(2);
        Assert.Equal(new byte[] { 3, 4, 5 }, q.Pending.ToArray());
        q.Append([6]);
        Assert.Equal(new byte[] { 3, 4, 5, 6 }, q.Pending.ToArray());
        q.Consume(4);
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void Append_Empty_DoesNothing()
    {
        var q = new OutputQueue();
        q.Append(ReadOnlySpan<byte>.Empty);
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void Consume_OutOfRange_Throws()
    {
        var q = new OutputQueue();
        q.Append([1, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Consume(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Consume(-1));
        Assert.Equal(2, q.Length);
    }

    [Fact]
    public void Clear_DropsEverything()
    {
        var q = new OutputQueue();
        q.Append(new byte[1000]);
        q.Consume(10);
        q.Clear();
        Assert.True(q.IsEmpty);
        q.Append([9]);
        Assert.Equal(new byte[] { 9 }, q.Pending.ToArray());
    }

    [Fact]
    public void LargeBurst_IsKeptWhole_AndQueueIsReusableAfterDraining()
    {
        var q = new OutputQueue();
        var big = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(big);
        for (int off = 0; off < big.Length; off += 100_000)
            q.Append(big.AsSpan(off, Math.Min(100_000, big.Length - off)));
        Assert.Equal(big.Length, q.Length);
        Assert.True(big.AsSpan().SequenceEqual(q.Pending));

        q.Consume(q.Length);
        Assert.True(q.IsEmpty);
        q.Append([7, 8]);
        Assert.Equal(new byte[] { 7, 8 }, q.Pending.ToArray());
    }

    [Fact]
    public void RandomInterleaving_MatchesReferenceModel()
    {
        // Exercises compaction and growth paths against a plain list.
        var rng = new Random(77);
        var q = new OutputQueue();
        var model = new List<byte>();
        byte next = 0;
        for (int step = 0; step < 5000; step++)
        {
            if (rng.Next(3) != 0)
            {
                var chunk = new byte[rng.Next(0, 3000)];
                for (int i = 0; i < chunk.Length; i++)
                    chunk[i] = next++;
                q.Append(chunk);
                model.AddRange(chunk);
            }
            else
            {
                int n = rng.Next(0, model.Count + 1);
                q.Consume(n);
                model.RemoveRange(0, n);
            }
            Assert.Equal(model.Count, q.Length);
            if (step % 50 == 0)
                Assert.True(q.Pending.SequenceEqual(model.ToArray()), $"content diverged at step {step}");
        }
        Assert.True(q.Pending.SequenceEqual(model.ToArray()));
    }
}
