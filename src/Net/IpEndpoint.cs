using System;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Net;

/// <summary>
/// An IPv4 or IPv6 address and port stored as a ready-to-use sockaddr (no allocation to
/// compare, hash or pass to the kernel). Layout: sockaddr_in / sockaddr_in6.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 28)]
public unsafe struct IpEndpoint : IEquatable<IpEndpoint>
{
    [InlineArray(28)]
    private struct SockAddrBytes
    {
        private byte _first;
    }

    private SockAddrBytes _raw;

    public readonly int Family => BinaryPrimitives.ReadUInt16LittleEndian(Raw);

    public readonly bool IsIPv6 => Family == Sockets.AF_INET6;

    /// <summary>Offsets and lengths of sockaddr_in / sockaddr_in6 (checked against the C headers
    /// by the interop layout check).</summary>
    internal const int PortOffset = 2;
    internal const int V4AddressOffset = 4;
    internal const int V6AddressOffset = 8;
    internal const int V4Length = 16;
    internal const int V6Length = 28;

    public readonly int SockAddrLength => IsIPv6 ? V6Length : V4Length;

    public ushort Port
    {
        readonly get => BinaryPrimitives.ReadUInt16BigEndian(Raw[PortOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(RawMutable[PortOffset..], value);
    }

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Raw => _raw;

    [UnscopedRef]
    internal Span<byte> RawMutable => _raw;

    /// <summary>The address bytes (4 or 16).</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> AddressBytes => IsIPv6 ? Raw.Slice(V6AddressOffset, 16) : Raw.Slice(V4AddressOffset, 4);

    /// <summary>Parses an IPv4 or IPv6 literal the way inet_pton does (strict: "123" is not
    /// an address). False when it is neither.</summary>
    public static bool TryParse(string ip, ushort port, out IpEndpoint endpoint)
    {
        endpoint = default;
        if (string.IsNullOrEmpty(ip) || ip.IndexOf('\0') >= 0)
            return false;
        Span<byte> raw = endpoint.RawMutable;
        fixed (byte* p = raw)
        {
            if (Sockets.InetPton(Sockets.AF_INET, ip, p + V4AddressOffset) == 1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(raw, Sockets.AF_INET);
            }
            else if (Sockets.InetPton(Sockets.AF_INET6, ip, p + V6AddressOffset) == 1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(raw, Sockets.AF_INET6);
            }
            else
            {
                return false;
            }
        }
        endpoint.Port = port;
        return true;
    }

    /// <summary>From a sockaddr the kernel filled in.</summary>
    public static IpEndpoint FromSockAddr(ReadOnlySpan<byte> sockaddr)
    {
        IpEndpoint e = default;
        sockaddr[..Math.Min(28, sockaddr.Length)].CopyTo(e.RawMutable);
        return e;
    }

    /// <summary>Canonical text of the address (inet_ntop), e.g. "127.0.0.1" or "::1".</summary>
    public readonly string AddressText
    {
        get
        {
            byte* buf = stackalloc byte[64];
            fixed (byte* p = Raw)
            {
                int family = Family;
                void* src = family == Sockets.AF_INET6 ? p + V6AddressOffset : p + V4AddressOffset;
                if (family != Sockets.AF_INET && family != Sockets.AF_INET6)
                    return "";
                if (Sockets.InetNtop(family, src, buf, 64) == 0)
                    return "";
            }
            return Marshal.PtrToStringUTF8((nint)buf) ?? "";
        }
    }

    public override readonly string ToString() => IsIPv6 ? $"[{AddressText}]:{Port}" : $"{AddressText}:{Port}";

    public readonly bool Equals(IpEndpoint other) => Raw[..SockAddrLength].SequenceEqual(other.Raw[..other.SockAddrLength]);

    public override readonly bool Equals(object? obj) => obj is IpEndpoint o && Equals(o);

    public override readonly int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Raw[..SockAddrLength]);
        return h.ToHashCode();
    }

    /// <summary>Normalises an IP literal to canonical text; TypeError-worthy when invalid.</summary>
    public static bool TryNormalize(string ip, out string normalized, out int family)
    {
        if (!TryParse(ip, 0, out IpEndpoint e))
        {
            normalized = ip;
            family = 0;
            return false;
        }
        normalized = e.AddressText;
        family = e.Family;
        return true;
    }
}
