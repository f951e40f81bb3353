using Mediasoup.Net;
using Xunit;

namespace Mediasoup.Tests.Net;

public sealed class IpEndpointTests
{
    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    public void TryParse_ValidIPv4(string ip)
    {
        Assert.True(IpEndpoint.TryParse(ip, 1234, out IpEndpoint e));
        Assert.False(e.IsIPv6);
        Assert.Equal(2, e.Family);
        Assert.Equal(16, e.SockAddrLength);
        Assert.Equal(1234, e.Port);
        Assert.Equal(ip, e.AddressText);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("2001:db8::8:800:200c:417a")]
    [InlineData("::ffff:1.2.3.4")]
    public void TryParse_ValidIPv6(string ip)
    {
        Assert.True(IpEndpoint.TryParse(ip, 5, out IpEndpoint e));
        Assert.True(e.IsIPv6);
        Assert.Equal(10, e.Family);
        Assert.Equal(28, e.SockAddrLength);
        Assert.Equal(5, e.Port);
        Assert.Equal(ip, e.AddressText);
    }

    [Theory]
    [InlineData("123")]          // inet_aton would take it; inet_pton does not
    [InlineData("::::1234")]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("01.2.3.4")]     // no leading zeros
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1.2.3.4:80")]
    [InlineData("[::1]")]
    [InlineData("1.2.3.4\0")]
    [InlineData("localhost")]
    [InlineData("1::2::3")]
    [InlineData("12345::1")]
    public void TryParse_RejectsNonLiterals(string ip)
    {
        Assert.False(IpEndpoint.TryParse(ip, 1, out _));
    }

    [Theory]
    [InlineData("0:0:0:0:0:0:0:1", "::1")]
    [InlineData("0000:0000:0000:0000:0000:0000:0000:0000", "::")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1")]
    [InlineData("::FFFF:102:304", "::ffff:1.2.3.4")]
    public void AddressText_IsCanonical(string input, string canonical)
    {
        Assert.True(IpEndpoint.TryParse(input, 0, out IpEndpoint e));
        Assert.Equal(canonical, e.AddressText);
        Assert.True(IpEndpoint.TryNormalize(input, out string normalized, out int family));
        Assert.Equal(canonical, normalized);
        Assert.Equal(10, family);
    }

    [Fact]
    public void TryNormalize_Invalid_ReturnsFalseAndInput()
    {
        Assert.False(IpEndpoint.TryNormalize("nope", out string normalized, out int family));
        Assert.Equal("nope", normalized);
        Assert.Equal(0, family);
    }

    [Fact]
    public void AddressBytes_AndPort_AreInNetworkOrder()
    {
        Assert.True(IpEndpoint.TryParse("10.20.30.40", 0x1234, out IpEndpoint e));
        Assert.Equal(new byte[] { 10, 20, 30, 40 }, e.AddressBytes.ToArray());
        Assert.Equal(0x12, e.Raw[2]);
        Assert.Equal(0x34, e.Raw[3]);

        e.Port = 443;
        Assert.Equal(443, e.Port);
        Assert.Equal(new byte[] { 1, 187 }, e.Raw.Slice(2, 2).ToArray());

        Assert.True(IpEndpoint.TryParse("::1", 0, out IpEndpoint v6));
        byte[] expected = new byte[16];
        expected[15] = 1;
        Assert.Equal(expected, v6.AddressBytes.ToArray());
    }

    [Fact]
    public void ToString_BracketsIPv6()
    {
        Assert.True(IpEndpoint.TryParse("127.0.0.1", 5000, out IpEndpoint v4));
        Assert.True(IpEndpoint.TryParse("::1", 5000, out IpEndpoint v6));
        Assert.Equal("127.0.0.1:5000", v4.ToString());
        Assert.Equal("[::1]:5000", v6.ToString());
    }

    [Fact]
    public void Equality_ComparesFamilyAddressAndPort()
    {
        IpEndpoint.TryParse("127.0.0.1", 1, out IpEndpoint a);
        IpEndpoint.TryParse("127.0.0.1", 1, out IpEndpoint b);
        IpEndpoint.TryParse("127.0.0.1", 2, out IpEndpoint c);
        IpEndpoint.TryParse("127.0.0.2", 1, out IpEndpoint d);
        IpEndpoint.TryParse("::ffff:127.0.0.1", 1, out IpEndpoint mapped);
        IpEndpoint.TryParse("0:0:0:0:0:0:0:1", 9, out IpEndpoint v6a);
        IpEndpoint.TryParse("::1", 9, out IpEndpoint v6b);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        Assert.NotEqual(a, mapped);
        Assert.Equal(v6a, v6b);
        Assert.Equal(v6a.GetHashCode(), v6b.GetHashCode());
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals("127.0.0.1:1"));
    }

    [Fact]
    public void FromSockAddr_RoundTrips()
    {
        IpEndpoint.TryParse("::1", 777, out IpEndpoint e);
        IpEndpoint copy = IpEndpoint.FromSockAddr(e.Raw);
        Assert.Equal(e, copy);
        Assert.Equal("::1", copy.AddressText);
        Assert.Equal(777, copy.Port);

        IpEndpoint.TryParse("9.8.7.6", 1, out IpEndpoint v4);
        IpEndpoint v4Copy = IpEndpoint.FromSockAddr(v4.Raw[..16]);
        Assert.Equal(v4, v4Copy);
    }

    [Fact]
    public void Default_HasNoAddressText()
    {
        IpEndpoint e = default;
        Assert.Equal("", e.AddressText);
    }
}
