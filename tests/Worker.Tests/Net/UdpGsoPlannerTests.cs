using Mediasoup.Net;
using Xunit;

namespace Mediasoup.Tests.Net;

public sealed class UdpGsoPlannerTests
{
    private static readonly IpEndpoint A = Endpoint("127.0.0.1", 5000);
    private static readonly IpEndpoint B = Endpoint("127.0.0.1", 5001);

    private static IpEndpoint Endpoint(string ip, ushort port)
    {
        Assert.True(IpEndpoint.TryParse(ip, port, out IpEndpoint e));
        return e;
    }

    private static int[] Runs(int[] lengths, IpEndpoint[] remotes)
    {
        var runs = new List<int>();
        for (int i = 0; i < lengths.Length;)
        {
            int n = UdpGsoPlanner.RunLength(lengths, remotes, i);
            Assert.InRange(n, 1, lengths.Length - i);
            runs.Add(n);
            i += n;
        }
        return runs.ToArray();
    }

    [Fact]
    public void EqualSizes_ToOneRemote_FormOneRun_WithAShorterLast()
    {
        Assert.Equal([5], Runs([1200, 1200, 1200, 1200, 800], [A, A, A, A, A]));
        // A longer datagram starts a new run; a shorter one ends the current run.
        Assert.Equal([2, 3], Runs([1200, 1200, 1300, 1300, 1300], [A, A, A, A, A]));
        Assert.Equal([2, 2], Runs([1200, 900, 1200, 1200], [A, A, A, A]));
    }

    [Fact]
    public void ADifferentRemote_BreaksTheRun()
    {
        Assert.Equal([2, 1, 2], Runs([1200, 1200, 1200, 1200, 1200], [A, A, B, A, A]));
        Assert.Equal([1, 1, 1], Runs([100, 100, 100], [A, B, A]));
    }

    [Fact]
    public void Runs_RespectTheSegmentAndByteLimits()
    {
        int[] small = Enumerable.Repeat(100, 150).ToArray();
        IpEndpoint[] toA = Enumerable.Repeat(A, 150).ToArray();
        Assert.Equal([64, 64, 22], Runs(small, toA));

        int[] big = Enumerable.Repeat(1400, 60).ToArray();
        int perRun = UdpGsoPlanner.MaxBytes / 1400;
        int[] runs = Runs(big, Enumerable.Repeat(A, 60).ToArray());
        Assert.Equal(perRun, runs[0]);
        Assert.All(runs, r => Assert.True(r * 1400 <= UdpGsoPlanner.MaxBytes));
        Assert.Equal(60, runs.Sum());
    }

    [Fact]
    public void EmptyDatagrams_AreSentAlone()
    {
        Assert.Equal([1, 1, 1], Runs([0, 0, 0], [A, A, A]));
        Assert.Equal([1, 1], Runs([100, 0], [A, A]));
    }
}
