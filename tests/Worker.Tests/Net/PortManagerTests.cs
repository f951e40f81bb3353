using System.Net;
using System.Net.Sockets;
using Mediasoup.Channel;
using Mediasoup.Interop.Libc;
using Mediasoup.Net;
using Xunit;

namespace Mediasoup.Tests.Net;

public sealed class PortManagerTests : IDisposable
{
    private static readonly SocketOptions Defaults = new(Ipv6Only: false, UdpReusePort: false, SendBufferSize: 0, RecvBufferSize: 0);

    // Deterministic "random" start: the first port tried is min + 1, then sequential.
    private readonly PortManager _ports = new(_ => 0);
    private readonly List<PortManager.Binding> _bindings = new();

    public void Dispose()
    {
        foreach (PortManager.Binding b in _bindings)
            Close(b);
    }

    private PortManager.Binding Track(PortManager.Binding b)
    {
        _bindings.Add(b);
        return b;
    }

    private static void Close(PortManager.Binding b)
    {
        if (b.Fd >= 0)
        {
            Libc.Close(b.Fd);
            b.Fd = -1;
        }
        b.Release();
    }

    /// <summary>count consecutive ports, free right now for UDP and TCP on 127.0.0.1, below the
    /// kernel's ephemeral range so port-0 binds elsewhere do not take them.</summary>
    private static ushort FreeRange(int count)
    {
        int start = 20000 + (Environment.ProcessId * 37) % 9000;
        for (int min = start; min < 30000 - count; min += count)
        {
            bool free = true;
            for (int p = min; p < min + count && free; p++)
                free = IsFree(p, SocketType.Dgram, ProtocolType.Udp) && IsFree(p, SocketType.Stream, ProtocolType.Tcp);
            if (free)
                return (ushort)min;
        }
        throw new InvalidOperationException("no free port range found");
    }

    private static bool IsFree(int port, SocketType type, ProtocolType proto)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, type, proto);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData(ListenProtocol.Udp, "127.0.0.1")]
    [InlineData(ListenProtocol.Tcp, "127.0.0.1")]
    [InlineData(ListenProtocol.Udp, "::1")]
    [InlineData(ListenProtocol.Tcp, "::1")]
    public void BindPortZero_KernelChoosesAPort(ListenProtocol protocol, string ip)
    {
        PortManager.Binding b = Track(_ports.Bind(protocol, ip, 0, Defaults));
        Assert.True(b.Fd >= 0);
        Assert.NotEqual(0, b.Local.Port);
        Assert.Equal(ip, b.Local.AddressText);
        Assert.Equal(0, _ports.UsedPortCount); // exact binds are not range bookkeeping
    }

    [Theory]
    [InlineData(ListenProtocol.Udp)]
    [InlineData(ListenProtocol.Tcp)]
    public void BindExactPort_GetsThatPort(ListenProtocol protocol)
    {
        ushort port = FreeRange(1);
        PortManager.Binding b = Track(_ports.Bind(protocol, "127.0.0.1", port, Defaults));
        Assert.Equal(port, b.Local.Port);
        Assert.Equal("127.0.0.1", b.Local.AddressText);
    }

    [Theory]
    [InlineData(ListenProtocol.Udp)]
    [InlineData(ListenProtocol.Tcp)]
    public void BindExactPort_AlreadyTaken_IsMediasoupError(ListenProtocol protocol)
    {
        PortManager.Binding first = Track(_ports.Bind(protocol, "127.0.0.1", 0, Defaults));
        var ex = Assert.Throws<MediasoupError>(() => _ports.Bind(protocol, "127.0.0.1", first.Local.Port, Defaults));
        Assert.Equal("Error", ex.Kind);
        Assert.Contains("Address already in use", ex.Message);
        Assert.Contains($"port:{first.Local.Port}", ex.Message);
    }

    [Fact]
    public void UdpReusePort_AllowsTwoSocketsOnOnePort()
    {
        var reuse = Defaults with { UdpReusePort = true };
        PortManager.Binding a = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", 0, reuse));
        PortManager.Binding b = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", a.Local.Port, reuse));
        Assert.Equal(a.Local.Port, b.Local.Port);
    }

    [Theory]
    [InlineData(ListenProtocol.Udp)]
    [InlineData(ListenProtocol.Tcp)]
    public void RangeBind_GivesDistinctPortsWithinRange_ThenRunsOut(ListenProtocol protocol)
    {
        const int n = 8;
        ushort min = FreeRange(n);
        ushort max = (ushort)(min + n - 1);

        var ports = new List<int>();
        for (int i = 0; i < n; i++)
        {
            PortManager.Binding b = Track(_ports.Bind(protocol, "127.0.0.1", min, max, Defaults));
            Assert.InRange(b.Local.Port, min, max);
            ports.Add(b.Local.Port);
        }
        Assert.Equal(n, ports.Distinct().Count());
        Assert.Equal(n, _ports.UsedPortCount);

        var ex = Assert.Throws<MediasoupError>(() => _ports.Bind(protocol, "127.0.0.1", min, max, Defaults));
        Assert.IsNotType<MediasoupTypeError>(ex);
        Assert.Contains("no more available ports", ex.Message);
    }

    [Fact]
    public void RangeOfTwo_ThirdBindFails_ReleaseMakesPortReusable()
    {
        ushort min = FreeRange(2);
        ushort max = (ushort)(min + 1);
        PortManager.Binding a = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults));
        PortManager.Binding b = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults));
        Assert.NotEqual(a.Local.Port, b.Local.Port);
        Assert.Contains("no more available ports",
            Assert.Throws<MediasoupError>(() => _ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults)).Message);

        ushort freed = a.Local.Port;
        Close(a);
        Assert.Equal(1, _ports.UsedPortCount);
        a.Release(); // twice is harmless
        Assert.Equal(1, _ports.UsedPortCount);

        PortManager.Binding c = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults));
        Assert.Equal(freed, c.Local.Port);
    }

    [Fact]
    public void RangeBookkeeping_IsPerProtocol()
    {
        // The same range over UDP and TCP are separate pools.
        ushort min = FreeRange(1);
        Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, min, Defaults));
        PortManager.Binding tcp = Track(_ports.Bind(ListenProtocol.Tcp, "127.0.0.1", min, min, Defaults));
        Assert.Equal(min, tcp.Local.Port);
    }

    [Fact]
    public void RangeBind_SkipsPortsHeldByOthers()
    {
        ushort min = FreeRange(2);
        ushort max = (ushort)(min + 1);
        // Someone outside this PortManager holds the port it would try first (min + 1).
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        other.Bind(new IPEndPoint(IPAddress.Loopback, min + 1));

        PortManager.Binding b = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults));
        Assert.Equal(min, b.Local.Port);
        Assert.Contains("no more available ports",
            Assert.Throws<MediasoupError>(() => _ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults)).Message);
    }

    [Fact]
    public void RangeBind_StartsAtRandomOffset_AndWraps()
    {
        ushort min = FreeRange(4);
        ushort max = (ushort)(min + 3);
        var ports = new PortManager(n => n - 1); // start at the last index, so the first try wraps to min
        PortManager.Binding b = Track(ports.Bind(ListenProtocol.Udp, "127.0.0.1", min, max, Defaults));
        Assert.Equal(min, b.Local.Port);
        Close(b);
    }

    [Theory]
    [InlineData("123")]
    [InlineData("not-an-ip")]
    [InlineData("::::1234")]
    [InlineData("")]
    public void InvalidIp_IsTypeError(string ip)
    {
        var exact = Assert.Throws<MediasoupTypeError>(() => _ports.Bind(ListenProtocol.Udp, ip, 0, Defaults));
        Assert.Equal("TypeError", exact.Kind);
        Assert.Throws<MediasoupTypeError>(() => _ports.Bind(ListenProtocol.Tcp, ip, 20000, 20010, Defaults));
        Assert.Equal(0, _ports.UsedPortCount);
    }

    [Fact]
    public void MaxBelowMin_IsTypeError()
    {
        Assert.Throws<MediasoupTypeError>(() => _ports.Bind(ListenProtocol.Udp, "127.0.0.1", 20001, 20000, Defaults));
    }

    [Fact]
    public void BindOnAddressNotOnThisHost_IsError()
    {
        // TEST-NET-1 is never assigned locally: bind fails with EADDRNOTAVAIL.
        var ex = Assert.Throws<MediasoupError>(() => _ports.Bind(ListenProtocol.Udp, "192.0.2.1", 0, Defaults));
        Assert.IsNotType<MediasoupTypeError>(ex);
        var ranged = Assert.Throws<MediasoupError>(() => _ports.Bind(ListenProtocol.Udp, "192.0.2.1", 20000, 20010, Defaults));
        Assert.Contains("address not available", ranged.Message);
        Assert.Equal(0, _ports.UsedPortCount);
    }

    [Fact]
    public void SocketBufferOptions_AreApplied()
    {
        var opts = Defaults with { SendBufferSize = 65536, RecvBufferSize = 65536 };
        PortManager.Binding b = Track(_ports.Bind(ListenProtocol.Udp, "127.0.0.1", 0, opts));
        Assert.True(GetIntOption(b.Fd, Sockets.SO_SNDBUF) >= 65536);
        Assert.True(GetIntOption(b.Fd, Sockets.SO_RCVBUF) >= 65536);
    }

    private static unsafe int GetIntOption(int fd, int name)
    {
        int value = 0, len = sizeof(int);
        Assert.Equal(0, Sockets.GetSockOpt(fd, Sockets.SOL_SOCKET, name, &value, &len));
        return value;
    }
}
