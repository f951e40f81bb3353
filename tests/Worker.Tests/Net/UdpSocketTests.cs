using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mediasoup.Loop;
using Mediasoup.Net;
using Mediasoup.Tests.Loop;
using Xunit;

namespace Mediasoup.Tests.Net;

/// <summary>UdpSocket over a real loop, with each datagram I/O: epoll (recvmmsg/sendmmsg) and
/// io_uring (multishot recvmsg with a buffer ring, sendmsg requests).</summary>
public sealed class UdpSocketTests
{
    private sealed class Received
    {
        public readonly List<(byte[] Data, IpEndpoint From, int Capacity)> Packets = new();
    }

    private sealed class Listener(Received into, Action<UdpSocket>? onPacket = null) : IUdpSocketListener
    {
        public void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote)
        {
            into.Packets.Add((buffer[..length].ToArray(), remote, buffer.Length));
            onPacket?.Invoke(socket);
        }
    }

    /// <summary>A loop, its NetIo and the sockets a test opened, all closed together.</summary>
    private sealed class Harness : IDisposable
    {
        public readonly EventLoop Loop;
        public readonly NetIo Net;
        public readonly PortManager Ports = new(_ => 0);
        private readonly List<IDisposable> _owned = new();

        public Harness(LoopBackendKind kind, bool sendRequests)
        {
            Loop = EventLoop.Create(kind, out string? fallback);
            Assert.Null(fallback);
            Net = new NetIo(Loop, sendRequests);
            string expected = kind != LoopBackendKind.IoUring ? "recvmmsg/sendmmsg" : sendRequests ? "io_uring" : "io_uring/sendmmsg";
            Assert.Equal(expected, Net.DatagramIoName);
        }

        public void Dispose()
        {
            foreach (IDisposable d in _owned)
                d.Dispose();
            Net.Dispose();
            Loop.Dispose();
        }

        public UdpSocket Open(IUdpSocketListener? listener, uint recvBuffer = 0, ushort port = 0)
        {
            var options = new SocketOptions(Ipv6Only: false, UdpReusePort: false, SendBufferSize: 0, RecvBufferSize: recvBuffer);
            PortManager.Binding b = Ports.Bind(ListenProtocol.Udp, "127.0.0.1", port, options);
            var s = new UdpSocket(Net, b, listener);
            _owned.Add(s);
            return s;
        }

        public void RunUntil(Func<bool> condition, int ms = 3000)
        {
            var sw = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(sw.ElapsedMilliseconds < ms, $"condition not reached within {ms} ms");
                Loop.RunOnce(10);
            }
        }
    }

    private static Harness For(LoopBackendKind kind, bool sendRequests = false) => new(kind, sendRequests);

    private static Socket Peer()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static IPEndPoint To(UdpSocket s) => new(IPAddress.Loopback, s.Local.Port);

    private static ushort PortOf(Socket s) => (ushort)((IPEndPoint)s.LocalEndPoint!).Port;

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Receive_DeliversData_RemoteEndpoint_AndFullBufferRoom(LoopBackendKind kind)
    {
        using Harness t = For(kind);
        var got = new Received();
        UdpSocket socket = t.Open(new Listener(got));
        using Socket peer = Peer();

        for (int i = 0; i < 5; i++)
            peer.SendTo(new byte[] { (byte)i, 1, 2, 3 }, To(socket));
        t.RunUntil(() => got.Packets.Count == 5);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(new byte[] { (byte)i, 1, 2, 3 }, got.Packets[i].Data);
            Assert.Equal("127.0.0.1", got.Packets[i].From.AddressText);
            Assert.Equal(PortOf(peer), got.Packets[i].From.Port);
            Assert.True(IpEndpoint.TryParse("127.0.0.1", PortOf(peer), out IpEndpoint expected));
            Assert.Equal(expected, got.Packets[i].From);
            Assert.Equal(PacketBufferPool.BufferSize, got.Packets[i].Capacity);
        }
        Assert.Equal(5UL, socket.PacketsReceived);
        Assert.Equal(20UL, socket.BytesReceived);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Receive_LargestFittingDatagram_Delivered_LargerOneDropped(LoopBackendKind kind)
    {
        using Harness t = For(kind);
        var got = new Received();
        UdpSocket socket = t.Open(new Listener(got));
        using Socket peer = Peer();

        var full = new byte[PacketBufferPool.BufferSize];
        full[^1] = 0xAB;
        peer.SendTo(full, To(socket));
        peer.SendTo(new byte[PacketBufferPool.BufferSize + 1], To(socket));
        peer.SendTo(new byte[3000], To(socket));
        peer.SendTo(new byte[] { 9 }, To(socket));
        t.RunUntil(() => socket.PacketsReceived == 4);

        Assert.Equal(2, got.Packets.Count);
        Assert.Equal(PacketBufferPool.BufferSize, got.Packets[0].Data.Length);
        Assert.Equal(0xAB, got.Packets[0].Data[^1]);
        Assert.Equal(new byte[] { 9 }, got.Packets[1].Data);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Receive_MoreDatagramsThanRingBuffers_AllArrive(LoopBackendKind kind)
    {
        using Harness t = For(kind);
        var got = new Received();
        UdpSocket socket = t.Open(new Listener(got), recvBuffer: 4 * 1024 * 1024);
        using Socket peer = Peer();
        t.Loop.RunOnce(0); // the receive is armed

        // Sent without running the loop: the kernel fills the ring, ends the multishot receive
        // with ENOBUFS, and the rest waits in the socket until the receive is armed again.
        int count = UringDatagramIo.RingBuffers * 2 + 10;
        var payload = new byte[64];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            peer.SendTo(payload, To(socket));
        }
        t.RunUntil(() => got.Packets.Count == count);
        for (int i = 0; i < count; i++)
            Assert.Equal(i, BitConverter.ToInt32(got.Packets[i].Data));

        if (t.Net.Datagrams is UringDatagramIo uring)
        {
            Assert.True(uring.BufferRingEmpty > 0, "the ring never ran dry");
            Assert.True(uring.ReceiveRearms >= uring.BufferRingEmpty);
            Assert.Equal(0UL, uring.ReceiveErrors);
        }

        // And it keeps receiving afterwards.
        peer.SendTo(new byte[] { 7 }, To(socket));
        t.RunUntil(() => got.Packets.Count == count + 1);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Close_WhileReceiveArmed_IgnoresLateDatagrams_AndThePortIsFreeAgain(LoopBackendKind kind)
    {
        using Harness t = For(kind);
        var got = new Received();
        UdpSocket first = t.Open(new Listener(got));
        ushort port = first.Local.Port;
        using Socket peer = Peer();
        peer.SendTo(new byte[] { 1 }, To(first));
        t.RunUntil(() => got.Packets.Count == 1);

        peer.SendTo(new byte[] { 2 }, To(first));
        first.Dispose();
        for (int i = 0; i < 5; i++)
            t.Loop.RunOnce(5);
        Assert.Single(got.Packets);

        // The same port binds again at once (nothing in the kernel holds the old socket), and
        // the new socket gets only its own datagrams.
        var got2 = new Received();
        UdpSocket second = t.Open(new Listener(got2), port: port);
        peer.SendTo(new byte[] { 3 }, To(second));
        t.RunUntil(() => got2.Packets.Count == 1);
        Assert.Equal(new byte[] { 3 }, got2.Packets[0].Data);
        Assert.Single(got.Packets);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Close_FromInsideTheListener_StopsDelivery(LoopBackendKind kind)
    {
        using Harness t = For(kind);
        var got = new Received();
        UdpSocket socket = t.Open(new Listener(got, s => s.Dispose()));
        using Socket peer = Peer();
        for (int i = 0; i < 10; i++)
            peer.SendTo(new byte[] { (byte)i }, To(socket));
        t.RunUntil(() => got.Packets.Count >= 1);
        for (int i = 0; i < 5; i++)
            t.Loop.RunOnce(5);
        Assert.Single(got.Packets);
        Assert.True(socket.IsClosed);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Send_AllDatagramsArrive_AndBuffersGoBackToThePool(LoopBackendKind kind) => SendManyBody(kind, false);

    [Theory]
    [IoUringData]
    public void Send_AsRingRequests_AllDatagramsArrive_AndBuffersGoBackToThePool(LoopBackendKind kind) => SendManyBody(kind, true);

    private static void SendManyBody(LoopBackendKind kind, bool sendRequests)
    {
        using Harness t = For(kind, sendRequests);
        int poolBefore = t.Net.Pool.InUse;
        UdpSocket socket = t.Open(null);
        using Socket peer = Peer();
        peer.ReceiveBufferSize = 4 * 1024 * 1024;
        Assert.True(IpEndpoint.TryParse("127.0.0.1", PortOf(peer), out IpEndpoint to));

        int count = UdpSocket.SendQueueSize * 3 + 5; // more than one queue's worth in an iteration
        var payload = new byte[100];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            socket.Send(payload, to);
        }
        if (sendRequests && t.Net.Datagrams is UringDatagramIo ring)
        {
            // Queued on the ring, not yet submitted: every request still owns its buffer.
            t.Net.FlushAll();
            Assert.Equal(count, ring.SendsInFlight);
            Assert.True(t.Net.Pool.InUse - poolBefore >= count);
        }
        t.RunUntil(() => socket.PacketsSent + socket.SendErrors == (ulong)count);
        Assert.Equal(0UL, socket.SendErrors);
        Assert.Equal((ulong)(count * payload.Length), socket.BytesSent);

        var buf = new byte[256];
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(payload.Length, peer.Receive(buf));
            Assert.Equal(i, BitConverter.ToInt32(buf));
        }
        if (t.Net.Datagrams is UringDatagramIo uring)
            Assert.Equal(0, uring.SendsInFlight);

        socket.Dispose();
        Assert.Equal(poolBefore, t.Net.Pool.InUse);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void Send_ThenCloseAtOnce_StillLeaves_AndBuffersComeBack(LoopBackendKind kind) => SendThenCloseBody(kind, false);

    [Theory]
    [IoUringData]
    public void Send_AsRingRequests_ThenCloseAtOnce_StillLeaves_AndBuffersComeBack(LoopBackendKind kind) => SendThenCloseBody(kind, true);

    private static void SendThenCloseBody(LoopBackendKind kind, bool sendRequests)
    {
        using Harness t = For(kind, sendRequests);
        int poolBefore = t.Net.Pool.InUse;
        UdpSocket socket = t.Open(null);
        using Socket peer = Peer();
        peer.ReceiveTimeout = 2000;
        Assert.True(IpEndpoint.TryParse("127.0.0.1", PortOf(peer), out IpEndpoint to));

        socket.Send(new byte[] { 42 }, to);
        socket.Dispose(); // the queued datagram leaves on close
        var buf = new byte[16];
        Assert.Equal(1, peer.Receive(buf));
        Assert.Equal(42, buf[0]);

        if (t.Net.Datagrams is UringDatagramIo uring)
            t.RunUntil(() => uring.SendsInFlight == 0);
        Assert.Equal(poolBefore, t.Net.Pool.InUse);
    }

    [Theory]
    [InlineData(LoopBackendKind.Epoll, true)]
    [InlineData(LoopBackendKind.Epoll, false)]
    [IoUringData]
    public void Send_RunsOfEqualDatagrams_ArriveAsSeparateDatagrams_InOrder(LoopBackendKind kind, bool gso = true)
    {
        using Harness t = For(kind);
        t.Net.UseGso = gso;
        UdpSocket socket = t.Open(null);
        using Socket peerA = Peer();
        using Socket peerB = Peer();
        Assert.True(IpEndpoint.TryParse("127.0.0.1", PortOf(peerA), out IpEndpoint a));
        Assert.True(IpEndpoint.TryParse("127.0.0.1", PortOf(peerB), out IpEndpoint b));

        // 40 equal 1200-byte datagrams to A with a short last one, 3 to B, then 10 more to A
        // of another size: runs of several lengths and remotes in one flush.
        var expectA = new List<byte[]>();
        var expectB = new List<byte[]>();
        for (int i = 0; i < 54; i++)
        {
            int length = i < 40 ? 1200 : i == 40 ? 700 : i < 44 ? 1200 : 333;
            var data = new byte[length];
            data.AsSpan().Fill((byte)i);
            bool toB = i is >= 41 and < 44;
            socket.Send(data, toB ? b : a);
            (toB ? expectB : expectA).Add(data);
        }
        t.Net.FlushAll();

        Assert.Equal(54UL, socket.PacketsSent);
        Assert.Equal(0UL, socket.SendErrors);
        // Runs: 41 to A (40 + the short one), 3 to B, 10 to A: three GSO messages.
        Assert.Equal(gso ? 3UL : 0UL, socket.GsoMessagesSent);
        Assert.False(socket.GsoRefused);
        foreach ((Socket peer, List<byte[]> expected) in new[] { (peerA, expectA), (peerB, expectB) })
        {
            peer.ReceiveTimeout = 2000;
            var buffer = new byte[4096];
            foreach (byte[] e in expected)
            {
                int n = peer.Receive(buffer);
                Assert.Equal(e, buffer.AsSpan(0, n).ToArray());
            }
        }
    }

    [Fact]
    public unsafe void Send_WhenTheRouteRefusesGso_FallsBackToSingleDatagrams_WithoutLoss()
    {
        using Harness t = For(LoopBackendKind.Epoll);
        UdpSocket socket = t.Open(null);
        // SO_NO_CHECK (no UDP checksums) makes the kernel refuse GSO messages with EINVAL.
        int one = 1;
        Assert.Equal(0, Mediasoup.Interop.Libc.Sockets.SetSockOpt(socket.Fd, 1 /* SOL_SOCKET */, 11 /* SO_NO_CHECK */, &one, sizeof(int)));
        using Socket peer = Peer();
        Assert.True(IpEndpoint.TryParse("127.0.0.1", PortOf(peer), out IpEndpoint to));

        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 10; i++)
                socket.Send(Enumerable.Repeat((byte)(round * 10 + i), 500).ToArray(), to);
            t.Net.FlushAll();
        }

        Assert.True(socket.GsoRefused);
        Assert.Equal(0UL, socket.GsoMessagesSent);
        Assert.Equal(20UL, socket.PacketsSent);
        Assert.Equal(0UL, socket.SendErrors);
        peer.ReceiveTimeout = 2000;
        var buffer = new byte[2048];
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(500, peer.Receive(buffer));
            Assert.Equal((byte)i, buffer[0]);
        }
    }
}
