using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Channel;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Net;

/// <summary>
/// Binds UDP sockets and TCP listeners for one worker: an exact port, or a free port from
/// a range (random start, then sequential with wrap-around, skipping ports this worker
/// already holds for the same protocol, address and range). Ports taken by other processes
/// are found by bind failing and skipped.
/// </summary>
public sealed unsafe class PortManager
{
    /// <summary>
    /// Send buffer of TCP listeners when the listen info sets none; accepted ICE-TCP connections
    /// inherit it. Left to autotuning, the kernel takes up to 4 MB from a connection slower
    /// than what it is sent (seen: 528 kB queued at 400 kbit/s, 10 s of delay, and Chromium
    /// dropped the connection), where the worker can neither see nor drop it. Bounded, the
    /// backlog stays in the connection's own queue, which drops media frames
    /// (<see cref="TcpConnection.MaxPendingMedia"/>) and which bandwidth estimation sees.
    /// </summary>
    public const int DefaultTcpSendBuffer = 64 * 1024;

    internal readonly record struct RangeKey(ListenProtocol Protocol, IpEndpoint Address, ushort Min, ushort Max);

    private sealed class PortRange(int size)
    {
        public readonly bool[] Used = new bool[size];
        public int UsedCount;
    }

    private readonly Dictionary<RangeKey, PortRange> _ranges = new();
    private readonly Func<int, int> _random;

    /// <param name="random">Returns a value in [0, n); per-worker source.</param>
    public PortManager(Func<int, int> random) => _random = random;

    /// <summary>A bound socket; Release it when the socket closes.</summary>
    public sealed class Binding
    {
        internal PortManager? Owner;
        internal RangeKey? Key;
        public int Fd { get; internal set; } = -1;
        public IpEndpoint Local { get; internal set; }

        /// <summary>Gives the port back to the range (the fd is closed by its owner).</summary>
        public void Release()
        {
            if (Owner != null && Key is RangeKey key)
                Owner.Unuse(key, Local.Port);
            Owner = null;
        }
    }

    /// <summary>Binds the exact port (0 lets the kernel choose).</summary>
    public Binding Bind(ListenProtocol protocol, string ip, ushort port, SocketOptions options)
    {
        IpEndpoint addr = ParseIp(ip, port);
        int fd = TryBind(protocol, addr, options, out int errno);
        if (fd < 0)
            throw new MediasoupError(
                $"{BindCall(protocol)} failed [protocol:{ProtocolName(protocol)}, ip:'{addr.AddressText}', port:{port}]: {ErrName(errno)}");
        return new Binding { Fd = fd, Local = LocalOf(fd, addr) };
    }

    /// <summary>Binds a free port in [min, max].</summary>
    public Binding Bind(ListenProtocol protocol, string ip, ushort minPort, ushort maxPort, SocketOptions options)
    {
        if (maxPort < minPort)
            throw new MediasoupTypeError("maxPort cannot be less than minPort");
        IpEndpoint addr = ParseIp(ip, 0);
        var key = new RangeKey(protocol, addr, minPort, maxPort);
        if (!_ranges.TryGetValue(key, out PortRange? range))
        {
            range = new PortRange(maxPort - minPort + 1);
            _ranges.Add(key, range);
        }
        int numPorts = range.Used.Length;
        int idx = _random(numPorts);
        for (int attempt = 1; attempt <= numPorts; attempt++)
        {
            idx = (idx + 1) % numPorts;
            if (range.Used[idx])
                continue;
            ushort port = (ushort)(minPort + idx);
            addr.Port = port;
            int fd = TryBind(protocol, addr, options, out int errno);
            if (fd >= 0)
            {
                range.Used[idx] = true;
                range.UsedCount++;
                return new Binding { Owner = this, Key = key, Fd = fd, Local = LocalOf(fd, addr) };
            }
            if (errno == 24 /* EMFILE */ || errno == 99 /* EADDRNOTAVAIL */)
            {
                ReleaseIfEmpty(key, range);
                throw new MediasoupError(
                    $"port bind failed due to {(errno == 24 ? "too many open files" : "address not available")} [protocol:{ProtocolName(protocol)}, ip:'{addr.AddressText}', port:{port}, attempt:{attempt}/{numPorts}]");
            }
        }
        ReleaseIfEmpty(key, range);
        throw new MediasoupError(
            $"no more available ports [protocol:{ProtocolName(protocol)}, ip:'{addr.AddressText}', numAttempt:{numPorts}]");
    }

    /// <summary>Ports this worker holds in all ranges (for tests and dumps).</summary>
    public int UsedPortCount
    {
        get
        {
            int n = 0;
            foreach (PortRange r in _ranges.Values)
                n += r.UsedCount;
            return n;
        }
    }

    private void Unuse(RangeKey key, ushort port)
    {
        if (!_ranges.TryGetValue(key, out PortRange? range))
            return;
        int idx = port - key.Min;
        if ((uint)idx < (uint)range.Used.Length && range.Used[idx])
        {
            range.Used[idx] = false;
            range.UsedCount--;
        }
        ReleaseIfEmpty(key, range);
    }

    private void ReleaseIfEmpty(RangeKey key, PortRange range)
    {
        if (range.UsedCount == 0)
            _ranges.Remove(key);
    }

    private static IpEndpoint ParseIp(string ip, ushort port)
    {
        if (!IpEndpoint.TryParse(ip, port, out IpEndpoint addr))
            throw new MediasoupTypeError($"invalid IP '{ip}'");
        return addr;
    }

    private static string ProtocolName(ListenProtocol p) => p == ListenProtocol.Udp ? "udp" : "tcp";

    private static string BindCall(ListenProtocol p) => p == ListenProtocol.Udp ? "bind() (udp)" : "bind() (tcp)";

    private static string ErrName(int errno) => Libc.ErrorText(errno);

    /// <summary>Creates, configures and binds a socket (and listens for TCP); -1 with errno on failure.</summary>
    private static int TryBind(ListenProtocol protocol, IpEndpoint addr, SocketOptions options, out int errno)
    {
        int family = addr.Family;
        int type = (protocol == ListenProtocol.Udp ? Sockets.SOCK_DGRAM : Sockets.SOCK_STREAM)
                   | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC;
        int fd = Sockets.Socket(family, type, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }
        if (family == Sockets.AF_INET6)
            Sockets.SetIntOption(fd, Sockets.IPPROTO_IPV6, Sockets.IPV6_V6ONLY, options.Ipv6Only ? 1 : 0);
        if (protocol == ListenProtocol.Udp && options.UdpReusePort)
        {
            Sockets.SetIntOption(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1);
            Sockets.SetIntOption(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1);
        }
        if (protocol == ListenProtocol.Tcp)
            Sockets.SetIntOption(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1);
        if (options.SendBufferSize != 0)
            Sockets.SetIntOption(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, (int)Math.Min(options.SendBufferSize, int.MaxValue));
        else if (protocol == ListenProtocol.Tcp)
            Sockets.SetIntOption(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, DefaultTcpSendBuffer);
        if (options.RecvBufferSize != 0)
            Sockets.SetIntOption(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, (int)Math.Min(options.RecvBufferSize, int.MaxValue));

        byte* sa = stackalloc byte[28];
        addr.Raw.CopyTo(new Span<byte>(sa, 28));
        if (Sockets.Bind(fd, sa, addr.SockAddrLength) != 0
            || (protocol == ListenProtocol.Tcp && Sockets.Listen(fd, 256) != 0))
        {
            errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            return -1;
        }
        errno = 0;
        return fd;
    }

    private static IpEndpoint LocalOf(int fd, IpEndpoint fallback)
    {
        byte* sa = stackalloc byte[28];
        int len = 28;
        if (Sockets.GetSockName(fd, sa, &len) != 0)
            return fallback;
        return IpEndpoint.FromSockAddr(new ReadOnlySpan<byte>(sa, 28));
    }
}
