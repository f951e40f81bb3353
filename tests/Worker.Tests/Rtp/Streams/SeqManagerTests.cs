using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class SeqManagerTests
{
    // Step kinds: I = input expecting an output (the previous output is kept when Input
    // refuses, so "refused" shows as a repeat), D = drop, S = Sync(input - 1) then input.
    private readonly record struct Step(char Kind, ushort Input, ushort Output = 0, int MaxInput = -1);

    private static Step I(ushort input, ushort output, int maxInput = -1) => new('I', input, output, maxInput);
    private static Step D(ushort input) => new('D', input);
    private static Step S(ushort input, ushort output, int maxInput = -1) => new('S', input, output, maxInput);

    private static void Run(SeqManager sm, params Step[] steps)
    {
        ushort output = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            var s = steps[i];
            if (s.Kind == 'D')
            {
                sm.Drop(s.Input);
                continue;
            }
            if (s.Kind == 'S')
                sm.Sync((ushort)(s.Input - 1));
            if (sm.Input(s.Input, out ushort o))
                output = o;
            Assert.True(s.Output == output, $"step {i}: input {s.Input} expected {s.Output} got {output}");
            if (s.MaxInput >= 0)
                Assert.Equal((ushort)s.MaxInput, sm.MaxInput);
        }
    }

    [Fact]
    public void OrderedInputsPassThrough() =>
        Run(new SeqManager(), I(0, 0), I(1, 1), I(2, 2), I(3, 3), I(4, 4), I(5, 5));

    [Fact]
    public void InitialOutputIsAdded() =>
        Run(new SeqManager(1000), I(0, 1000), I(1, 1001), I(2, 1002), I(3, 1003));

    [Fact]
    public void SyncContinuesAfterHighestOutput() =>
        Run(new SeqManager(), I(0, 0), I(1, 1), I(2, 2), S(80, 3), I(81, 4), I(82, 5), I(83, 6), I(84, 7));

    [Fact]
    public void SyncAndDrops() =>
        Run(new SeqManager(),
            I(0, 0), I(1, 1), I(2, 2), I(3, 3), S(4, 4), I(5, 5), I(6, 6), S(7, 7),
            D(8), I(9, 8), D(11), I(10, 9), I(12, 10));

    [Fact]
    public void SyncAndDropsWithInitialOutput() =>
        Run(new SeqManager(3000),
            I(0, 3000), I(1, 3001), I(2, 3002), I(3, 3003), S(4, 3004), I(5, 3005), I(6, 3006), S(7, 3007),
            D(8), I(9, 3008), D(11), I(10, 3009), I(12, 3010));

    [Fact]
    public void WrapsAround() =>
        Run(new SeqManager(), I(65533, 65533), I(65534, 65534), I(65535, 65535), I(0, 0), I(1, 1));

    [Fact]
    public void WrapsAroundWithInitialOutput() =>
        Run(new SeqManager(1000), I(65533, 997), I(65534, 998), I(65535, 999), I(0, 1000), I(1, 1001));

    [Fact]
    public void BigJumpKeepsTheGap() =>
        Run(new SeqManager(32000), I(0, 32000), I(1, 32001), I(1000, 33000), I(1001, 33001));

    [Fact]
    public void OutOfOrderAcrossZero() =>
        Run(new SeqManager(1000), I(4, 1004), I(3, 1003), I(65535, 999));

    [Fact]
    public void DropBeforeJump() =>
        Run(new SeqManager(), I(0, 0), D(1), I(100, 99), I(100, 99), D(103), I(101, 100));

    [Fact]
    public void DropAfterJump() =>
        Run(new SeqManager(), I(0, 0), I(1, 1), D(100), D(103), I(101, 100));

    [Fact]
    public void LateInputKeepsItsPlaceAroundADrop() =>
        Run(new SeqManager(), I(0, 0), D(2), I(3, 2), I(4, 3), I(1, 1));

    [Fact]
    public void SameOldInputMapsToSameOutputAfterLaterDrop() =>
        Run(new SeqManager(), S(10, 1), I(11, 2), I(12, 3), I(13, 4), D(14), I(15, 5), I(12, 3));

    [Fact]
    public void DroppedInputIsRefused()
    {
        var sm = new SeqManager();
        Assert.True(sm.Input(1, out _));
        sm.Drop(2);
        Assert.True(sm.Input(3, out ushort o3));
        Assert.Equal(2, o3);
        Assert.False(sm.Input(2, out _));
    }

    [Fact]
    public void MixedSyncsAndDrops() =>
        Run(new SeqManager(),
            I(0, 0), I(1, 1), I(2, 2), I(3, 3), I(7, 7), D(6), I(8, 8), I(10, 10), I(9, 9), I(11, 11),
            S(0, 12), I(2, 14), I(3, 15), I(4, 16), I(5, 17), I(6, 18), I(7, 19), I(8, 20), I(9, 21), I(10, 22),
            D(9), S(61, 23), I(62, 24), I(63, 25), I(64, 26), I(65, 27),
            S(11, 28), I(12, 29), I(13, 30), I(14, 31), I(15, 32),
            S(1, 33), I(2, 34), I(3, 35), I(4, 36), I(5, 37),
            S(65533, 38), I(65534, 39), I(65535, 40),
            S(0, 41), I(1, 42), D(3), I(4, 44), I(5, 45), I(6, 46), I(7, 47));

    [Fact]
    public void ManyDropsAtTheBeginning() =>
        Run(new SeqManager(1000),
            I(1, 1001), D(2), D(3), D(4), D(5), D(6), D(7), D(8), D(9),
            I(120, 1112), I(121, 1113), I(139, 1131));

    [Fact]
    public void ManyDropsThenHalfRangeJump() =>
        Run(new SeqManager(200),
            I(1, 201), D(2), D(3), D(4), D(5), D(6), D(7), D(8), D(9),
            I(32768, 32960), I(32769, 32961), I(32780, 32972));

    [Fact]
    public void SyncAndDropsAcrossWrap() =>
        Run(new SeqManager(200),
            S(65530, 201, 65530), I(65531, 202, 65531), I(65532, 203), D(65533), D(65534),
            I(65535, 204, 65535), I(0, 205, 0), I(1, 206), I(2, 207), I(3, 208, 3));

    [Fact]
    public void SeveralFullRollOvers()
    {
        var sm = new SeqManager(100);
        sm.Sync(65535);
        Assert.True(sm.Input(0, out ushort first));
        Assert.Equal(101, first);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 1; i < 65535; i++)
            {
                Assert.True(sm.Input((ushort)i, out ushort o));
                Assert.Equal((ushort)(i + 1 + 100), o);
                Assert.Equal((ushort)i, sm.MaxInput);
            }
        }
    }

    [Fact]
    public void OffsetOfADropPersistsAcrossWraps()
    {
        var sm = new SeqManager();
        Assert.True(sm.Input(0, out _));
        sm.Drop(1);
        ushort last = 0;
        for (int i = 2; i <= 70000; i++)
        {
            Assert.True(sm.Input((ushort)i, out last));
            Assert.Equal((ushort)(i - 1), last);
        }
    }

    [Fact]
    public void InputHalfARangeAwayIsOrderedLikeTheReference()
    {
        // Exactly 32768 apart: "higher" only for the numerically lower value.
        var sm = new SeqManager();
        Assert.True(sm.Input(1000, out _));
        Assert.False(sm.Input(33768, out _));
        Assert.True(sm.Input(1001, out ushort o));
        Assert.Equal(1001, o);

        var sm2 = new SeqManager();
        Assert.True(sm2.Input(40000, out _));
        Assert.True(sm2.Input(7232, out ushort jumped));
        Assert.Equal(7232, jumped);
        Assert.Equal(7232, sm2.MaxInput);
    }

    [Fact]
    public void MaxOutputTracksHighestSent()
    {
        var sm = new SeqManager(5000);
        Assert.True(sm.Input(10, out _));
        Assert.True(sm.Input(12, out _));
        Assert.True(sm.Input(11, out _));
        Assert.Equal(5012, sm.MaxOutput);
        sm.Drop(13);
        Assert.True(sm.Input(14, out ushort o));
        Assert.Equal(5013, o);
        Assert.Equal(5013, sm.MaxOutput);
    }

    [Fact]
    public void DropBeforeAnyInputShiftsTheFirstOutput() =>
        Run(new SeqManager(), D(10), I(11, 10), I(12, 11));

    [Fact]
    public void LateDropAfterForwardingDoesNotShift()
    {
        // 5 was forwarded after the gap at 4, so hiding 4 now would reuse an output.
        var sm = new SeqManager();
        Assert.True(sm.Input(3, out _));
        Assert.True(sm.Input(5, out ushort o5));
        sm.Drop(4);
        Assert.True(sm.Input(6, out ushort o6));
        Assert.Equal(o5 + 1, o6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomDropsAndLocalReorderingGiveGaplessOrderedOutput(int seed)
    {
        // A stream crossing the wrap several times, 20% dropped on purpose, neighbours
        // swapped now and then: forwarded packets must get consecutive outputs in input order.
        var rng = new Random(seed);
        var sm = new SeqManager((ushort)rng.Next(1000, 32768));
        const int n = 200_000;
        var drop = new bool[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            drop[i] = i > 0 && rng.NextDouble() < 0.2;
            order[i] = i;
        }
        for (int i = 1; i + 1 < n; i += 2)
        {
            // Swap only pairs where both are forwarded or both dropped: a drop reported after
            // a later packet was already forwarded legitimately leaves a gap.
            if (rng.NextDouble() < 0.05 && drop[i] == drop[i + 1])
                (order[i], order[i + 1]) = (order[i + 1], order[i]);
        }
        ushort start = (ushort)rng.Next(65536);
        var outputs = new ushort[n];
        foreach (int i in order)
        {
            ushort input = (ushort)(start + i);
            if (drop[i])
                sm.Drop(input);
            else
                Assert.True(sm.Input(input, out outputs[i]));
        }
        int prev = -1;
        for (int i = 0; i < n; i++)
        {
            if (drop[i])
                continue;
            if (prev >= 0)
                Assert.Equal((ushort)(outputs[prev] + 1), outputs[i]);
            prev = i;
        }
    }
}
