using Mediasoup.Sctp;
using Xunit;

namespace Mediasoup.Tests.Sctp;

/// <summary>
/// usrsctp has one timer wheel per process, advanced by elapsed time against one shared
/// last-call time: every SCTP test class joins this non-parallel collection and reads the
/// one fake clock below, so no two tests move time differently at once.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UsrSctpCollection
{
    public const string Name = "usrsctp";
}

/// <summary>Monotonic fake milliseconds shared by all SCTP tests (only ever moves forward).</summary>
internal static class SctpTestClock
{
    private static long s_nowMs = 1_000_000;

    public static long NowMs => Interlocked.Read(ref s_nowMs);

    public static long Advance(long ms) => Interlocked.Add(ref s_nowMs, ms);
}

/// <summary>Records everything an association reports; outgoing packets wait in <see cref="Outbox"/>.</summary>
internal sealed class SctpPeer : ISctpAssociationListener
{
    public SctpAssociation Association = null!;
    public readonly Queue<byte[]> Outbox = new();
    public readonly List<SctpAssociationState> States = new();
    public readonly List<string> Events = new();
    public readonly List<(ushort StreamId, uint Ppid, byte[] Data)> Messages = new();
    public readonly List<ushort[]> InboundResets = new();
    public readonly List<(ushort[] Streams, bool Succeeded)> OutboundResets = new();
    public (ushort Out, ushort In)? Negotiated;
    public int BufferedAmountLowCount;
    public int SendBufferFullCount;
    public long LastBufferedAmount;
    public int MaxPacketLength;
    public int PacketsSent;
    /// <summary>When set, packets go here at once instead of the outbox (re-entrant wiring).</summary>
    public Action<byte[]>? DirectOut;
    public Action<SctpPeer, ushort, uint, byte[]>? OnMessage;
    public bool Disposed;
    /// <summary>When set, every listener call must come on this thread.</summary>
    public int? OwnerThread;
    public int WrongThreadCalls;

    private void CheckThread()
    {
        if (OwnerThread is int t && Environment.CurrentManagedThreadId != t)
            WrongThreadCalls++;
    }

    public void OnSctpAssociationSendData(ReadOnlySpan<byte> packet)
    {
        CheckThread();
        Assert.False(Disposed, "SendData after Dispose");
        byte[] copy = packet.ToArray();
        MaxPacketLength = Math.Max(MaxPacketLength, copy.Length);
        PacketsSent++;
        if (DirectOut != null)
            DirectOut(copy);
        else
            Outbox.Enqueue(copy);
    }

    public void OnSctpAssociationStateChanged(SctpAssociationState state)
    {
        CheckThread();
        Assert.False(Disposed, "state change after Dispose");
        States.Add(state);
        Events.Add($"state:{state}");
    }

    public void OnSctpAssociationNegotiatedCapabilities(ushort outboundStreams, ushort inboundStreams)
    {
        Negotiated = (outboundStreams, inboundStreams);
        Events.Add("negotiated");
    }

    public void OnSctpAssociationMessageReceived(ushort streamId, uint ppid, ReadOnlySpan<byte> message)
    {
        CheckThread();
        Assert.False(Disposed, "message after Dispose");
        byte[] data = message.ToArray();
        Messages.Add((streamId, ppid, data));
        OnMessage?.Invoke(this, streamId, ppid, data);
    }

    public void OnSctpAssociationInboundStreamsReset(ReadOnlySpan<ushort> streamIds) => InboundResets.Add(streamIds.ToArray());

    public void OnSctpAssociationOutboundStreamsReset(ReadOnlySpan<ushort> streamIds, bool succeeded) =>
        OutboundResets.Add((streamIds.ToArray(), succeeded));

    public readonly List<long> BufferedAmounts = new();

    public void OnSctpAssociationBufferedAmount(long bufferedAmount)
    {
        CheckThread();
        LastBufferedAmount = bufferedAmount;
        BufferedAmounts.Add(bufferedAmount);
    }

    public void OnSctpAssociationBufferedAmountLow(long bufferedAmount) => BufferedAmountLowCount++;

    public void OnSctpAssociationSendBufferFull() => SendBufferFullCount++;
}

/// <summary>Two associations back to back through memory, pumped with the fake clock.</summary>
internal sealed class SctpTestPair : IDisposable
{
    public readonly SctpPeer A = new();
    public readonly SctpPeer B = new();
    public bool DropAToB;
    public bool DropBToA;
    /// <summary>Called with each packet from A before B gets it (inspection/mutation).</summary>
    public Func<byte[], byte[]?>? FilterAToB;
    public Func<byte[], byte[]?>? FilterBToA;

    public SctpTestPair(
        ushort osA = 1024, ushort misA = 1024, ushort osB = 1024, ushort misB = 1024,
        int maxMessageSize = 262_144, int sendBufferA = 2_000_000, int sendBufferB = 2_000_000)
    {
        A.Association = new SctpAssociation(osA, misA, maxMessageSize, sendBufferA, isDataChannel: true, A);
        B.Association = new SctpAssociation(osB, misB, maxMessageSize, sendBufferB, isDataChannel: true, B);
    }

    /// <summary>Moves every queued packet once; true if any moved.</summary>
    public bool Deliver()
    {
        bool moved = false;
        while (A.Outbox.TryDequeue(out byte[]? p))
        {
            moved = true;
            if (FilterAToB != null)
                p = FilterAToB(p);
            if (!DropAToB && p != null)
                B.Association.ProcessSctpData(p);
        }
        while (B.Outbox.TryDequeue(out byte[]? p))
        {
            moved = true;
            if (FilterBToA != null)
                p = FilterBToA(p);
            if (!DropBToA && p != null)
                A.Association.ProcessSctpData(p);
        }
        return moved;
    }

    public void Tick(long ms = SctpAssociation.TimerIntervalMs)
    {
        long now = SctpTestClock.Advance(ms);
        A.Association.OnTimer(now);
        B.Association.OnTimer(now);
    }

    /// <summary>
    /// Delivers, and advances time when idle, until <paramref name="done"/> or <paramref name="maxMs"/>
    /// of test time. Fake time runs ahead of the real clock; usrsctp's timers follow it, but it
    /// retransmits only chunks older than the RTO by gettimeofday: tests that need a
    /// retransmission pass <paramref name="realTime"/> (the clock then follows real time).
    /// </summary>
    public bool Pump(Func<bool> done, long maxMs = 10_000, bool realTime = false)
    {
        long deadline = SctpTestClock.NowMs + maxMs;
        long realLast = Environment.TickCount64;
        while (!done())
        {
            if (Deliver())
                continue;
            if (SctpTestClock.NowMs >= deadline)
                return false;
            if (realTime)
            {
                Thread.Sleep(2);
                long real = Environment.TickCount64;
                Tick(Math.Max(real - realLast, 1));
                realLast = real;
            }
            else
            {
                Tick();
            }
        }
        return true;
    }

    public void Connect()
    {
        A.Association.Connect();
        Assert.True(Pump(() => A.Association.State == SctpAssociationState.Connected && B.Association.State == SctpAssociationState.Connected),
            $"not connected: A {A.Association.State}, B {B.Association.State}");
    }

    public void Dispose()
    {
        A.Association.Dispose();
        A.Disposed = true;
        B.Association.Dispose();
        B.Disposed = true;
    }
}
