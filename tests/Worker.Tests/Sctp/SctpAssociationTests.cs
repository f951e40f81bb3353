using System.Buffers.Binary;
using System.Text;
using Mediasoup.Interop.UsrSctp;
using Mediasoup.Sctp;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Sctp;

[Collection(UsrSctpCollection.Name)]
public sealed unsafe class SctpAssociationTests
{
    private const uint PpidString = 51;
    private const uint PpidBinary = 53;
    private const uint PpidStringEmpty = 56;
    private const uint PpidBinaryEmpty = 57;

    private readonly ITestOutputHelper _output;

    public SctpAssociationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Connects_ClientAndAnsweringPeer_ReportStatesAndNegotiatedStreams()
    {
        using var pair = new SctpTestPair(osA: 10, misA: 20, osB: 30, misB: 5);
        Assert.Equal(SctpAssociationState.New, pair.A.Association.State);
        Assert.Equal(long.MaxValue, pair.A.Association.NextTimerMs);
        Assert.Equal((0, 0), ((int)pair.A.Association.NegotiatedOutboundStreams, (int)pair.A.Association.NegotiatedInboundStreams));

        pair.Connect();

        // A initiated; B answered the INIT (and, as the reference, initiated on receiving it).
        Assert.Equal([SctpAssociationState.Connecting, SctpAssociationState.Connected], pair.A.States);
        Assert.Equal([SctpAssociationState.Connecting, SctpAssociationState.Connected], pair.B.States);
        // Capabilities come just before "connected".
        Assert.Equal(["state:Connecting", "negotiated", "state:Connected"], pair.A.Events);
        Assert.Equal(((ushort)5, (ushort)20), pair.A.Negotiated);
        Assert.Equal(((ushort)20, (ushort)5), pair.B.Negotiated);
        Assert.Equal(5, pair.A.Association.NegotiatedOutboundStreams);
        Assert.Equal(20, pair.A.Association.NegotiatedInboundStreams);
        Assert.NotEqual(long.MaxValue, pair.A.Association.NextTimerMs);
    }

    [Fact]
    public void Library_LeasesShareOneStack_WithTheReferenceSysctls()
    {
        UsrSctpLibrary.Acquire();
        UsrSctpLibrary.Acquire();
        try
        {
            Assert.True(UsrSctpLibrary.IsInitialized);
            Assert.Equal(0u, UsrSctp.SysctlGetEcnEnable());
            Assert.Equal(1u, UsrSctp.SysctlGetPrEnable());
            UsrSctpLibrary.Release();
            Assert.True(UsrSctpLibrary.IsInitialized); // one lease left
        }
        finally
        {
            UsrSctpLibrary.Release();
        }
    }

    [Fact]
    public void Connects_With65535Streams_AsTheReferenceAnnounces()
    {
        using var pair = new SctpTestPair(osA: 65535, misA: 65535, osB: 65535, misB: 65535);
        pair.Connect();
        Assert.Equal(((ushort)65535, (ushort)65535), pair.A.Negotiated);
        Assert.Equal(((ushort)65535, (ushort)65535), pair.B.Negotiated);
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(65534, PpidBinary, [1, 2, 3]));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 1));
        Assert.Equal(65534, pair.B.Messages[0].StreamId);
    }

    [Fact]
    public void Connects_WhenBothSidesInitiateAtOnce()
    {
        using var pair = new SctpTestPair();
        pair.A.Association.Connect();
        pair.B.Association.Connect();
        Assert.True(pair.Pump(() => pair.A.Association.State == SctpAssociationState.Connected
                                    && pair.B.Association.State == SctpAssociationState.Connected));
        Assert.Equal([SctpAssociationState.Connecting, SctpAssociationState.Connected], pair.B.States);
    }

    [Fact]
    public void Messages_BothWays_StringBinaryEmptyPpids_OrderedAndUnordered()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        SctpAssociation a = pair.A.Association, b = pair.B.Association;

        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(1, PpidString, "hello"u8));
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(2, PpidBinary, [0, 1, 2, 255], ordered: false));
        // Empty messages: SCTP cannot carry them; WebRTC sends PPID 56/57 with one zero byte.
        Assert.Equal(SctpSendResult.Empty, a.SendSctpMessage(1, PpidString, ReadOnlySpan<byte>.Empty));
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(1, PpidStringEmpty, [0]));
        Assert.Equal(SctpSendResult.Ok, b.SendSctpMessage(3, PpidBinaryEmpty, [0], ordered: false));
        Assert.Equal(SctpSendResult.Ok, b.SendSctpMessage(4, PpidString, "world"u8));

        Assert.True(pair.Pump(() => pair.B.Messages.Count == 3 && pair.A.Messages.Count == 2));

        Assert.Contains(pair.B.Messages, m => m.StreamId == 1 && m.Ppid == PpidString && Encoding.UTF8.GetString(m.Data) == "hello");
        Assert.Contains(pair.B.Messages, m => m.StreamId == 2 && m.Ppid == PpidBinary && m.Data.SequenceEqual(new byte[] { 0, 1, 2, 255 }));
        Assert.Contains(pair.B.Messages, m => m.StreamId == 1 && m.Ppid == PpidStringEmpty && m.Data.SequenceEqual(new byte[] { 0 }));
        Assert.Contains(pair.A.Messages, m => m.StreamId == 3 && m.Ppid == PpidBinaryEmpty && m.Data.Length == 1);
        Assert.Contains(pair.A.Messages, m => m.StreamId == 4 && m.Ppid == PpidString && Encoding.UTF8.GetString(m.Data) == "world");
        // Same stream, ordered: "hello" before the empty-string marker.
        Assert.True(pair.B.Messages.FindIndex(m => m.Ppid == PpidString) < pair.B.Messages.FindIndex(m => m.Ppid == PpidStringEmpty));
    }

    [Fact]
    public void Messages_OrderedStream_ArriveInOrder()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        for (int i = 0; i < 300; i++)
            Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(7, PpidBinary, BitConverter.GetBytes(i)));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 300));
        for (int i = 0; i < 300; i++)
            Assert.Equal(i, BitConverter.ToInt32(pair.B.Messages[i].Data));
    }

    [Fact]
    public void PartialReliability_OptionsAccepted_AndDeliveredOnAHealthyPath()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        SctpAssociation a = pair.A.Association;
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(1, PpidBinary, [1], ordered: false, maxPacketLifeTime: 3000));
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(1, PpidBinary, [2], ordered: false, maxRetransmits: 0));
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(2, PpidBinary, [3], ordered: true, maxRetransmits: 5));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 3));
    }

    [Fact]
    public void PartialReliability_LostMessageIsAbandoned_LaterOnesArrive_AndTheBufferDrains()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        SctpAssociation a = pair.A.Association;

        // Everything A sends for 3 s is lost: the maxRetransmits=0 message is abandoned
        // and so is the FORWARD-TSN that announces it.
        pair.DropAToB = true;
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(1, PpidBinary, [1], ordered: false, maxRetransmits: 0));
        for (int i = 0; i < 3; i++)
        {
            pair.Deliver();
            pair.Tick(1000);
        }
        pair.A.Outbox.Clear();
        pair.DropAToB = false;

        // Later messages arrive at once (unordered). usrsctp resends a lost FORWARD-TSN only
        // after further SACKs, so the buffered amount drains once more traffic flows.
        for (byte n = 2; n <= 6; n++)
        {
            Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(1, PpidBinary, [n], ordered: false));
            Assert.True(pair.Pump(() => pair.B.Messages.Any(m => m.Data[0] == n)));
        }
        Assert.True(pair.Pump(() => a.BufferedAmount == 0, maxMs: 30_000), $"buffered {a.BufferedAmount}");
        Assert.DoesNotContain(pair.B.Messages, m => m.Data[0] == 1);
        Assert.Equal(5, pair.B.Messages.Count);
    }

    [Fact]
    public void LargeMessage_NearMaxSize_ReassembledFromPartialDeliveries_PacketsWithinMtu()
    {
        const int max = 262_144;
        using var pair = new SctpTestPair(maxMessageSize: max);
        pair.Connect();
        var big = new byte[max];
        new Random(42).NextBytes(big);

        Assert.Equal(SctpSendResult.TooBig, pair.A.Association.SendSctpMessage(5, PpidBinary, new byte[max + 1]));
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(5, PpidBinary, big));
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(5, PpidString, "after"u8));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 2, maxMs: 30_000));

        Assert.Equal(5, pair.B.Messages[0].StreamId);
        Assert.Equal(PpidBinary, pair.B.Messages[0].Ppid);
        Assert.True(big.AsSpan().SequenceEqual(pair.B.Messages[0].Data));
        Assert.Equal("after", Encoding.UTF8.GetString(pair.B.Messages[1].Data));

        _output.WriteLine($"largest packet A sent: {pair.A.MaxPacketLength} bytes, packets: {pair.A.PacketsSent}, partial pieces at B: {pair.B.Association.PartialPiecesReceived}");
        Assert.True(pair.B.Association.PartialPiecesReceived > 0, "usrsctp did not deliver the big message in parts");
        Assert.InRange(pair.A.MaxPacketLength, SctpAssociation.Mtu - 32, SctpAssociation.Mtu);
    }

    [Fact]
    public void ReceivedMessage_LargerThanReceiverMax_IsDiscarded()
    {
        // A may send 200 KB, B accepts at most 50 KB.
        var a = new SctpPeer();
        var b = new SctpPeer();
        a.Association = new SctpAssociation(16, 16, 200_000, 2_000_000, true, a);
        b.Association = new SctpAssociation(16, 16, 50_000, 2_000_000, true, b);
        try
        {
            var pair = new ManualPair(a, b);
            a.Association.Connect();
            Assert.True(pair.Pump(() => a.Association.State == SctpAssociationState.Connected && b.Association.State == SctpAssociationState.Connected));
            Assert.Equal(SctpSendResult.Ok, a.Association.SendSctpMessage(1, PpidBinary, new byte[150_000]));
            Assert.Equal(SctpSendResult.Ok, a.Association.SendSctpMessage(1, PpidBinary, new byte[10]));
            Assert.True(pair.Pump(() => b.Messages.Count == 1, maxMs: 30_000));
            Assert.Equal(10, b.Messages[0].Data.Length);
        }
        finally
        {
            a.Association.Dispose();
            b.Association.Dispose();
        }
    }

    [Fact]
    public void Burst_FillsSendBuffer_ThenBufferedAmountLowWhenDrained()
    {
        const int sendBuffer = 100_000;
        using var pair = new SctpTestPair(sendBufferA: sendBuffer);
        pair.Connect();
        SctpAssociation a = pair.A.Association;
        a.BufferedAmountLowThreshold = 10_000;

        int accepted = 0;
        SctpSendResult result;
        var payload = new byte[1000];
        while ((result = a.SendSctpMessage(9, PpidBinary, payload)) == SctpSendResult.Ok)
        {
            accepted++;
            Assert.True(accepted < 1000, "send buffer never filled");
        }
        Assert.Equal(SctpSendResult.BufferFull, result);
        Assert.Equal(1, pair.A.SendBufferFullCount);
        _output.WriteLine($"accepted {accepted} x 1000 B before full; buffered {a.BufferedAmount}");
        Assert.InRange(accepted, 90, 100);
        Assert.True(a.BufferedAmount > a.BufferedAmountLowThreshold);
        Assert.Equal(0, pair.A.BufferedAmountLowCount);

        Assert.True(pair.Pump(() => pair.B.Messages.Count == accepted && a.BufferedAmount == 0, maxMs: 30_000));
        Assert.Equal(1, pair.A.BufferedAmountLowCount);
        Assert.Equal(0, pair.A.LastBufferedAmount);

        // Room again.
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(9, PpidBinary, payload));
    }

    [Fact]
    public void SendBeforeConnect_IsQueued_AndDeliveredOnceConnected()
    {
        using var pair = new SctpTestPair();
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, PpidString, "early"u8));
        Assert.Equal(5, pair.A.Association.BufferedAmount);
        pair.A.Association.Connect();
        // While connecting usrsctp queues it and sends it with or after the COOKIE-ECHO.
        Assert.Equal(SctpAssociationState.Connecting, pair.A.Association.State);
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, PpidString, "connecting"u8));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 2));
        Assert.Equal(["early", "connecting"], pair.B.Messages.Select(m => Encoding.UTF8.GetString(m.Data)));
        Assert.True(pair.Pump(() => pair.A.Association.BufferedAmount == 0));
    }

    [Fact]
    public void ResetStream_PeerSeesInboundReset_AndWeSeeItPerformed()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        SctpAssociation a = pair.A.Association;
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(3, PpidString, "x"u8));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 1));

        Assert.True(a.ResetStream(3));
        Assert.True(pair.Pump(() => pair.B.InboundResets.Count == 1 && pair.A.OutboundResets.Count == 1));
        Assert.Equal([(ushort)3], pair.B.InboundResets[0]);
        Assert.Equal([(ushort)3], pair.A.OutboundResets[0].Streams);
        Assert.True(pair.A.OutboundResets[0].Succeeded);

        // The stream is usable again after the reset.
        Assert.Equal(SctpSendResult.Ok, a.SendSctpMessage(3, PpidString, "y"u8));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 2));

        // Several at once; ids beyond the negotiated count are skipped.
        Assert.True(a.ResetStreams([4, 5, 60000]));
        Assert.True(pair.Pump(() => pair.B.InboundResets.Count >= 2 && pair.B.InboundResets.Sum(r => r.Length) == 3));
        Assert.Equal([(ushort)4, (ushort)5], pair.B.InboundResets.Skip(1).SelectMany(r => r).Order().ToArray());
    }

    [Fact]
    public void ResetStream_BeforeConnected_IsRefused()
    {
        using var pair = new SctpTestPair();
        Assert.False(pair.A.Association.ResetStream(1));
    }

    [Fact]
    public void PeerAbort_ClosesAnEstablishedAssociation()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        // Build an ABORT as B would send it: B's packets to A carry A's verification tag.
        byte[]? fromB = null;
        Assert.Equal(SctpSendResult.Ok, pair.B.Association.SendSctpMessage(1, PpidBinary, [1]));
        fromB = pair.B.Outbox.Peek();
        var abort = new byte[16];
        fromB.AsSpan(0, 8).CopyTo(abort);
        abort[12] = 6;   // ABORT
        abort[15] = 4;   // chunk length
        SetCrc(abort);
        pair.B.Outbox.Clear();
        pair.A.Association.ProcessSctpData(abort);
        Assert.Equal(SctpAssociationState.Closed, pair.A.Association.State);
        Assert.Equal(SctpAssociationState.Closed, pair.A.States[^1]);
        Assert.Equal(SctpSendResult.Failed, pair.A.Association.SendSctpMessage(1, PpidBinary, [1]));
    }

    [Fact]
    public void NoPeer_AssociationFailsAfterInitRetransmissions()
    {
        using var pair = new SctpTestPair();
        pair.DropAToB = true;
        pair.A.Association.Connect();
        Assert.True(pair.Pump(() => pair.A.Association.State == SctpAssociationState.Failed, maxMs: 600_000));
        Assert.Equal([SctpAssociationState.Connecting, SctpAssociationState.Failed], pair.A.States);
        _output.WriteLine($"INIT sent {pair.A.PacketsSent} times");
    }

    [Fact]
    public void MalformedPackets_NeverCrash_AndTheAssociationKeepsWorking()
    {
        var rng = new Random(1234);
        // Into a New association (it starts connecting, as the reference does on any SCTP data).
        using (var lone = new SctpTestPair())
        {
            for (int i = 0; i < 2000; i++)
            {
                var junk = new byte[rng.Next(0, 1500)];
                rng.NextBytes(junk);
                lone.B.Association.ProcessSctpData(junk);
            }
        }

        int stillWorking = 0, rounds = 5;
        for (int round = 0; round < rounds; round++)
        {
            using var pair = new SctpTestPair();
            var captured = new List<byte[]>();
            pair.FilterAToB = p => { if (captured.Count < 200) captured.Add(p); return p; };
            pair.Connect();
            for (int i = 0; i < 20; i++)
                pair.A.Association.SendSctpMessage((ushort)(i % 4), PpidBinary, new byte[rng.Next(1, 3000)]);
            Assert.True(pair.Pump(() => pair.B.Messages.Count == 20));
            pair.FilterAToB = null;
            SctpAssociation b = pair.B.Association;

            for (int i = 0; i < 1000; i++)
            {
                byte[] packet;
                switch (i % 4)
                {
                    case 0: // random bytes
                        packet = new byte[rng.Next(0, 1300)];
                        rng.NextBytes(packet);
                        break;
                    case 1: // truncated real packet
                        byte[] real = captured[rng.Next(captured.Count)];
                        packet = real.AsSpan(0, rng.Next(0, real.Length)).ToArray();
                        break;
                    case 2: // mutated real packet, checksum fixed so the chunk parser sees it
                        packet = (byte[])captured[rng.Next(captured.Count)].Clone();
                        for (int k = rng.Next(1, 8); k > 0; k--)
                            packet[rng.Next(12, packet.Length)] = (byte)rng.Next(256);
                        SetCrc(packet);
                        break;
                    default: // real header (right tag), random chunks, checksum fixed
                        packet = new byte[rng.Next(16, 600)];
                        rng.NextBytes(packet);
                        captured[0].AsSpan(0, 8).CopyTo(packet);
                        SetCrc(packet);
                        break;
                }
                b.ProcessSctpData(packet);
                pair.B.Outbox.Clear();
                if (i % 100 == 0)
                    pair.Tick();
            }

            // Still usable, unless a mutated packet happened to be a valid ABORT/SHUTDOWN.
            if (b.State == SctpAssociationState.Connected)
            {
                int before = pair.B.Messages.Count;
                Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(0, PpidString, "still here"u8));
                if (pair.Pump(() => pair.B.Messages.Count > before, maxMs: 120_000))
                    stillWorking++;
                else
                    Assert.NotEqual(SctpAssociationState.Connected, b.State);
            }
        }
        _output.WriteLine($"{stillWorking}/{rounds} fuzzed associations still delivering");
    }

    [Fact]
    public void BadChecksum_PacketIsDropped()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        int corrupted = 0;
        pair.FilterAToB = p =>
        {
            if (p.Length < 100)
                return p;
            // A corrupted copy first (payload byte flipped, CRC32c no longer matches), then the original.
            byte[] bad = (byte[])p.Clone();
            bad[^1] ^= 0x55;
            pair.B.Association.ProcessSctpData(bad);
            corrupted++;
            return p;
        };
        var payload = new byte[200];
        payload[^1] = 7;
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, PpidBinary, payload));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 1));
        pair.Pump(() => false, maxMs: 1_000);
        Assert.Equal(1, corrupted);
        Assert.Single(pair.B.Messages);
        Assert.Equal(payload, pair.B.Messages[0].Data);
    }

    [Fact]
    public void LostPacket_IsRetransmittedAfterTheRto()
    {
        // Real time here: usrsctp retransmits only chunks older than the RTO by gettimeofday.
        using var pair = new SctpTestPair();
        pair.Connect();
        bool dropped = false;
        pair.FilterAToB = p =>
        {
            if (dropped || p.Length < 100)
                return p;
            dropped = true;
            return null;
        };
        Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, PpidBinary, new byte[200]));
        Assert.True(pair.Pump(() => pair.B.Messages.Count == 1, maxMs: 10_000, realTime: true));
        Assert.True(dropped);
        Assert.True(pair.Pump(() => pair.A.Association.BufferedAmount == 0, maxMs: 5_000, realTime: true));
    }

    [Fact]
    public void DirectWiring_ReentrantCallsBetweenAssociations_Work()
    {
        // Each association's output is fed straight into the other from inside the listener.
        using var pair = new SctpTestPair();
        pair.A.DirectOut = p => pair.B.Association.ProcessSctpData(p);
        pair.B.DirectOut = p => pair.A.Association.ProcessSctpData(p);
        // B echoes every message, from inside its message callback.
        pair.B.OnMessage = (peer, sid, ppid, data) => peer.Association.SendSctpMessage(sid, ppid, data);

        pair.A.Association.Connect();
        Assert.Equal(SctpAssociationState.Connected, pair.A.Association.State);
        Assert.Equal(SctpAssociationState.Connected, pair.B.Association.State);
        for (int i = 0; i < 50; i++)
            Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, PpidBinary, BitConverter.GetBytes(i)));
        Assert.True(pair.Pump(() => pair.A.Messages.Count == 50));
        Assert.Equal(Enumerable.Range(0, 50), pair.A.Messages.Select(m => BitConverter.ToInt32(m.Data)));
    }

    [Fact]
    public void Dispose_FromInsideAMessageCallback_WithMoreEventsPending_IsSafe()
    {
        using var pair = new SctpTestPair();
        pair.Connect();
        int delivered = 0;
        pair.B.OnMessage = (peer, _, _, _) =>
        {
            delivered++;
            peer.Association.Dispose();
            peer.Disposed = true; // any later listener call fails the test
        };
        // Many small messages: several arrive in one packet, so events are queued behind the first.
        for (int i = 0; i < 20; i++)
            pair.A.Association.SendSctpMessage(1, PpidBinary, [(byte)i]);
        pair.Pump(() => false, maxMs: 2_000);
        Assert.Equal(1, delivered);

        // Everything on a disposed association is a no-op.
        SctpAssociation b = pair.B.Association;
        b.ProcessSctpData(new byte[100]);
        b.OnTimer(SctpTestClock.NowMs);
        Assert.Equal(SctpSendResult.Failed, b.SendSctpMessage(1, PpidBinary, [1]));
        Assert.False(b.ResetStream(1));
        Assert.Equal(long.MaxValue, b.NextTimerMs);
        b.Dispose();
    }

    [Fact]
    public void Dispose_WithPacketsInFlightAndTimersPending_NoCallbackAfterwards()
    {
        int registeredBefore = UsrSctpLibrary.RegisteredCount;
        var pair = new SctpTestPair();
        pair.Connect();
        for (int i = 0; i < 50; i++)
            pair.A.Association.SendSctpMessage(1, PpidBinary, new byte[1000]);
        Assert.Equal(registeredBefore + 2, UsrSctpLibrary.RegisteredCount);

        // B goes away with A's data still queued towards it and its own SACK timers armed.
        pair.B.Association.Dispose();
        pair.B.Disposed = true;
        Assert.Equal(registeredBefore + 1, UsrSctpLibrary.RegisteredCount);
        pair.Pump(() => false, maxMs: 5_000);   // A retransmits into a disposed B; timers keep running

        pair.A.Association.Dispose();
        pair.A.Disposed = true;
        for (int i = 0; i < 100; i++)
            pair.Tick(1000);
        Assert.Equal(registeredBefore, UsrSctpLibrary.RegisteredCount);
        pair.A.Association.Dispose(); // twice is fine
    }

    [Fact]
    public void TwoWorkerThreads_ShareTheStack_CallbacksStayOnTheirOwnersThread()
    {
        // Each thread owns a pair (as two workers in one process); both advance usrsctp's
        // timers, so each thread's timer calls also run the other's callouts.
        const int count = 400;
        Exception? failure = null;
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            try
            {
                using var pair = new SctpTestPair();
                pair.A.OwnerThread = pair.B.OwnerThread = Environment.CurrentManagedThreadId;
                pair.Connect();
                var payload = new byte[700];
                for (int i = 0; i < count; i++)
                {
                    while (pair.A.Association.SendSctpMessage((ushort)(i % 8), PpidBinary, payload) == SctpSendResult.BufferFull)
                        pair.Pump(() => false, maxMs: 20);
                    if (i % 50 == 0)
                        pair.Pump(() => false, maxMs: 20);
                }
                Assert.True(pair.Pump(() => pair.B.Messages.Count == count, maxMs: 60_000), $"got {pair.B.Messages.Count}");
                Assert.Equal(0, pair.A.WrongThreadCalls + pair.B.WrongThreadCalls);
            }
            catch (Exception e)
            {
                failure = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Null(failure);
    }

    [Fact]
    public void ManyAssociations_CreateAndDispose_DoNotLeakRegistrations()
    {
        int before = UsrSctpLibrary.RegisteredCount;
        for (int i = 0; i < 50; i++)
        {
            using var pair = new SctpTestPair(osA: 16, misA: 16, osB: 16, misB: 16);
            if (i % 5 == 0)
                pair.Connect();
        }
        Assert.Equal(before, UsrSctpLibrary.RegisteredCount);
    }

    private static void SetCrc(byte[] packet)
    {
        packet.AsSpan(8, 4).Clear();
        fixed (byte* p = packet)
        {
            uint crc = UsrSctp.Crc32c(p, (nuint)packet.Length);
            *(uint*)(p + 8) = crc;
        }
    }

    /// <summary>A pump for two peers built by hand (different options per side).</summary>
    private sealed class ManualPair(SctpPeer a, SctpPeer b)
    {
        public bool Pump(Func<bool> done, long maxMs = 10_000)
        {
            long deadline = SctpTestClock.NowMs + maxMs;
            while (!done())
            {
                bool moved = false;
                while (a.Outbox.TryDequeue(out byte[]? p)) { moved = true; b.Association.ProcessSctpData(p); }
                while (b.Outbox.TryDequeue(out byte[]? p)) { moved = true; a.Association.ProcessSctpData(p); }
                if (moved)
                    continue;
                if (SctpTestClock.NowMs >= deadline)
                    return false;
                long now = SctpTestClock.Advance(SctpAssociation.TimerIntervalMs);
                a.Association.OnTimer(now);
                b.Association.OnTimer(now);
            }
            return true;
        }
    }
}
