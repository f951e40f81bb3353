using Mediasoup.Rtcp;
using Xunit;

namespace Mediasoup.Tests.Rtcp;

public sealed class TransportCcFeedbackGeneratorTests
{
    private sealed record Fb(ushort Base, int Count, int Received, byte FeedbackCount, uint MediaSsrc);

    private static Fb Read(ReadOnlyMemory<byte> compound)
    {
        var reader = new RtcpCompoundReader(compound.Span);
        Assert.True(reader.MoveNext());
        Assert.True(TransportCcFeedback.TryRead(reader.Current, out TransportCcFeedback fb));
        Assert.False(reader.MoveNext());
        return new Fb(fb.BaseSequence, fb.PacketStatusCount, fb.ReceivedCount, fb.FeedbackPacketCount, fb.MediaSsrc);
    }

    [Fact]
    public void Interval_SendsWhatArrived_AndTheNextFeedbackContinuesTheSequence()
    {
        var g = new TransportCcFeedbackGenerator(senderSsrc: 1);
        var sent = new List<Fb>();
        Action<ReadOnlyMemory<byte>> send = m => sent.Add(Read(m));

        g.OnInterval(send);
        Assert.Empty(sent); // nothing received yet

        for (int i = 0; i < 10; i++)
        {
            if (i == 4)
                continue; // lost
            g.OnPacket(0xAABB, (ushort)(65530 + i), 1_000_000 + i * 1000, send);
        }
        g.OnInterval(send);
        Assert.Single(sent);
        Assert.Equal(new Fb(65530, 10, 9, 0, 0xAABB), sent[0]);

        g.OnPacket(0xAABB, 5, 1_200_000, send); // 65540 wraps to 4; 4 is reported lost, 5 received
        g.OnPacket(0xAABB, 3, 1_200_100, send); // late, already reported: ignored
        g.OnInterval(send);
        Assert.Equal(new Fb(4, 2, 1, 1, 0xAABB), sent[1]);
        Assert.Equal(2ul, g.FeedbackSent);
    }

    [Fact]
    public void AFullFeedback_GoesOutAtOnce_AndNothingIsLost()
    {
        var g = new TransportCcFeedbackGenerator(senderSsrc: 1, maxPacketSize: 100);
        var sent = new List<Fb>();
        Action<ReadOnlyMemory<byte>> send = m => sent.Add(Read(m));
        for (int i = 0; i < 500; i++)
            g.OnPacket(7, (ushort)i, 5_000_000 + i * 70_000, send); // large deltas: 2 bytes each
        g.OnInterval(send);
        Assert.True(sent.Count > 5);
        Assert.Equal(500, sent.Sum(f => f.Received));
        for (int k = 1; k < sent.Count; k++)
            Assert.Equal((ushort)(sent[k - 1].Base + sent[k - 1].Count), sent[k].Base);
    }
}
