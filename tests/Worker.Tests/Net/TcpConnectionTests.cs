using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Mediasoup.Loop;
using Mediasoup.Net;
using Xunit;

namespace Mediasoup.Tests.Net;

/// <summary>TcpConnection over real loopback TCP: a peer that reads nothing for a while.</summary>
public sealed class TcpConnectionTests
{
    private sealed class Accept(NetIo io) : ITcpServerListener, ITcpConnectionListener
    {
        public TcpConnection? Connection;
        public bool Closed;
        public bool OnTcpConnection(TcpServer server, int fd, in IpEndpoint remote)
        {
            Connection = new TcpConnection(io, fd, server.Local, remote, this);
            return true;
        }
        public void OnTcpFrame(TcpConnection connection, Span<byte> frame) { }
        public void OnTcpConnectionClosed(TcpConnection connection) => Closed = true;
    }

    [Fact]
    public void MediaFramesAreDroppedWhole_WhenThePeerIsSlow_AndTheConnectionStays()
    {
        using EventLoop loop = EventLoop.Create(LoopBackendKind.Epoll, out _);
        using var io = new NetIo(loop, false);
        var ports = new PortManager(_ => 0);
        var options = new SocketOptions(Ipv6Only: false, UdpReusePort: false, SendBufferSize: 0, RecvBufferSize: 0);
        var accept = new Accept(io);
        using var server = new TcpServer(loop, ports.Bind(ListenProtocol.Tcp, "127.0.0.1", 0, options), accept);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.ReceiveBufferSize = 64 * 1024;
        client.Connect(new IPEndPoint(IPAddress.Loopback, server.Local.Port));
        for (int i = 0; i < 100 && accept.Connection == null; i++)
            loop.RunOnce(10);
        TcpConnection c = Assert.IsType<TcpConnection>(accept.Connection);
        // Without a configured size the kernel's buffer is bounded (it reports twice what was set),
        // not left to autotuning that would take megabytes the worker cannot drop from.
        Assert.InRange(c.SendBufferSize, 1, 2 * PortManager.DefaultTcpSendBuffer);

        // Media frames numbered 0, 1, 2 ... until some are dropped; then one control frame.
        byte[] frame = new byte[1000];
        int sent = 0, refused = 0;
        for (int i = 0; i < 20_000 && refused < 50; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frame, i);
            if (c.Send(frame, droppable: true))
                sent++;
            else
                refused++;
        }
        Assert.True(refused >= 50, $"sent {sent}, refused {refused}");
        Assert.Equal((ulong)refused, c.MediaFramesDropped);
        byte[] control = [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3];
        Assert.True(c.Send(control), "control frames still queue");
        Assert.False(c.IsClosed);

        // The peer reads it all: whole frames, in order, media numbers rising, control last.
        var stream = new List<byte>();
        byte[] buf = new byte[65536];
        int frames = 0, last = -1;
        bool sawControl = false;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        client.Blocking = false;
        while (!sawControl && DateTime.UtcNow < deadline)
        {
            loop.RunOnce(1);
            int n;
            try { n = client.Receive(buf); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { continue; }
            stream.AddRange(buf.AsSpan(0, n).ToArray());
            int pos = 0;
            while (stream.Count - pos >= 2)
            {
                int len = (stream[pos] << 8) | stream[pos + 1];
                if (stream.Count - pos - 2 < len)
                    break;
                int number = (stream[pos + 2] << 24) | (stream[pos + 3] << 16) | (stream[pos + 4] << 8) | stream[pos + 5];
                if (len == control.Length && number == -1)
                    sawControl = true;
                else
                {
                    Assert.Equal(frame.Length, len);
                    Assert.True(number > last, $"frame {number} after {last}");
                    last = number;
                    frames++;
                }
                pos += 2 + len;
            }
            stream.RemoveRange(0, pos);
        }
        Assert.True(sawControl, "the control frame arrived");
        Assert.Equal(sent, frames);
        Assert.False(accept.Closed);
        c.Dispose();
    }
}
