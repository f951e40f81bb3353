using Mediasoup.Bwe;
using Xunit;
using Mediasoup.Rtcp;

namespace Mediasoup.Tests.Bwe;

/// <summary>Real transport-cc feedback bytes from the receive side's builder, parsed back with the worker's parser.</summary>
internal static class FeedbackTestUtil
{
    /// <summary>One feedback reporting (sequence, arrival µs or -1 for lost) in order; lost ones in between are implied by gaps.</summary>
    public static byte[] Build(ushort baseSequence, long baseTimeUs, params (ushort Seq, long ArrivalUs)[] received)
    {
        var b = new TransportCcBuilder();
        b.Reset(1, 2, 0);
        b.SetBase(baseSequence, baseTimeUs);
        foreach (var (seq, at) in received)
            Assert.Equal(TransportCcAddResult.Added, b.AddPacket(seq, at));
        var buf = new byte[b.Size];
        Assert.Equal(buf.Length, b.Write(buf));
        return buf;
    }

    public static void Deliver(SendSideBwe bwe, byte[] compound, long nowUs)
    {
        var reader = new RtcpCompoundReader(compound);
        Assert.Equal(RtcpError.None, reader.Error);
        while (reader.MoveNext())
        {
            if (TransportCcFeedback.TryRead(reader.Current, out TransportCcFeedback fb))
                bwe.OnTransportFeedback(fb, nowUs);
        }
    }

    public static int Process(FeedbackAdapter adapter, byte[] compound)
    {
        var reader = new RtcpCompoundReader(compound);
        Assert.True(reader.MoveNext());
        Assert.True(TransportCcFeedback.TryRead(reader.Current, out TransportCcFeedback fb));
        return adapter.Process(fb);
    }
}
