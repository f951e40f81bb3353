using BenchmarkDotNet.Attributes;
using Mediasoup.Bwe;
using Mediasoup.Rtcp;

namespace Mediasoup.Bench;

/// <summary>The send-side estimator's per-packet work: recording a sent packet in the history,
/// and a transport-cc feedback of 100 packets (parsed, joined with the history, run through the
/// estimator) plus the timer. FeedbackOf100 also builds that feedback as a receiver would (its
/// cost is the receive side's, included so the bytes are real): per-packet estimator cost is
/// at most FeedbackOf100 / 100.</summary>
[MemoryDiagnoser]
public class BweBenchmarks
{
    private const int PacketsPerFeedback = 100;
    private SendSideBwe _bwe = null!;
    private readonly TransportCcBuilder _builder = new();
    private readonly byte[] _feedback = new byte[1500];
    private ushort _seq;
    private long _nowUs;

    [GlobalSetup]
    public void Setup()
    {
        _bwe = new SendSideBwe(1_000_000, 30_000, 0);
        _nowUs = 1_000_000;
        for (int i = 0; i < 50; i++)
            FeedbackOf100();
    }

    [Benchmark]
    public void OnPacketSent()
    {
        _nowUs += 1000;
        _bwe.OnPacketSent(_seq++, 1200, _nowUs, -1);
    }

    [Benchmark]
    public long FeedbackOf100()
    {
        _builder.Reset(1, 2, 0);
        for (int i = 0; i < PacketsPerFeedback; i++)
        {
            _nowUs += 1000;
            ushort seq = _seq++;
            _bwe.OnPacketSent(seq, 1200, _nowUs, -1);
            if (i % 20 != 7) // 5 % lost
                _builder.AddPacket(seq, _nowUs + 20_000 + (i & 3) * 250);
        }
        int length = _builder.Write(_feedback);
        var reader = new RtcpCompoundReader(_feedback.AsSpan(0, length));
        while (reader.MoveNext())
        {
            if (TransportCcFeedback.TryRead(reader.Current, out TransportCcFeedback fb))
                _bwe.OnTransportFeedback(fb, _nowUs + 40_000);
        }
        _bwe.SetDesiredBitrate(3_000_000, _nowUs);
        _bwe.Process(_nowUs);
        while (_bwe.TryTakeProbe(out _)) { }
        return _bwe.AvailableBitrate;
    }
}
