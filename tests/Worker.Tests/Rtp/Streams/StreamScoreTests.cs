using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class StreamScoreTests
{
    [Fact]
    public void WeightedAverageFavoursRecentSamples()
    {
        var s = new StreamScore(10, 0);
        Assert.True(s.AddSample(1, 0));
        s.AddSample(2, 0);
        s.AddSample(3, 0);
        s.AddSample(4, 0);
        // (1*1 + 2*2 + 3*3 + 4*4) / (1+2+3+4) = 3
        Assert.Equal(3, s.Score);
        s.AddSample(10, 0);
        // (1 + 4 + 9 + 16 + 50) / 15 = 5.33
        Assert.Equal(5, s.Score);
    }

    [Fact]
    public void HalvesRoundAwayFromZero()
    {
        var s = new StreamScore(10, 0);
        s.AddSample(1, 0);
        s.AddSample(1, 0);
        s.AddSample(0, 0); // (1 + 2 + 0) / 6 = 0.5
        Assert.Equal(1, s.Score);
    }

    [Fact]
    public void HistoryKeepsTheLast24()
    {
        var s = new StreamScore(10, 0);
        for (int i = 0; i < 24; i++)
            s.AddSample(0, 0);
        Assert.Equal(0, s.Score);
        for (int i = 0; i < 24; i++)
            s.AddSample(10, 0);
        Assert.Equal(10, s.Score);
        Assert.Equal(24, s.SampleCount);
    }

    [Fact]
    public void ChangesAreReportedWithPreviousScoreAndActiveSince()
    {
        var s = new StreamScore(10, 100);
        Assert.False(s.AddSample(10, 200));
        Assert.True(s.Reset(0, 300));
        Assert.Equal(10, s.PreviousScore);
        Assert.Equal(100, s.ActiveSinceMs);
        Assert.True(s.Reset(10, 400));
        Assert.Equal(0, s.PreviousScore);
        Assert.Equal(400, s.ActiveSinceMs);
        Assert.False(s.Reset(10, 500));
        Assert.Equal(0, s.SampleCount);
    }

    [Theory]
    [InlineData(0u, 0u, 0u, 0u, false, 10)]    // nothing expected
    [InlineData(100u, 0u, 0u, 0u, false, 0)]   // expected but nothing came
    [InlineData(100u, 100u, 0u, 0u, false, 10)]
    // The delivered ratio is (received - lost) / received, as in the reference.
    [InlineData(100u, 90u, 0u, 0u, false, 6)]  // (80/90)^4 * 10 = 6.24
    [InlineData(100u, 50u, 0u, 0u, false, 0)]
    [InlineData(100u, 95u, 5u, 5u, true, 10)]  // all losses repaired at first try
    [InlineData(100u, 80u, 20u, 40u, true, 4)] // two retransmissions per repair forgive less
    [InlineData(100u, 100u, 10u, 10u, false, 9)] // without RTX a repaired packet was a loss
    [InlineData(10u, 100u, 0u, 0u, false, 10)] // more received than expected (duplicates)
    public void RecvSamples(uint expected, uint received, uint repaired, uint retransmitted, bool rtx, int score) =>
        Assert.Equal(score, StreamScore.RecvSample(expected, received, repaired, retransmitted, rtx));

    [Theory]
    [InlineData(0u, 5u, 0u, 0u, 10)]
    [InlineData(100u, 0u, 0u, 0u, 10)]
    [InlineData(100u, 10u, 0u, 0u, 7)]
    [InlineData(100u, 10u, 10u, 10u, 9)]  // repairs forgive (1/1.1)^4 of the losses
    [InlineData(100u, 200u, 0u, 0u, 0)]   // loss capped at sent
    [InlineData(100u, 10u, 50u, 50u, 7)]  // repaired capped at lost, weighed by 10/50
    public void SendSamples(uint sent, uint lost, uint repaired, uint retransmitted, int score) =>
        Assert.Equal(score, StreamScore.SendSample(sent, lost, repaired, retransmitted));
}
