using System.Buffers.Binary;
using System.Text;
using Mediasoup.Crypto;
using Mediasoup.Ice;
using Mediasoup.Net;
using Xunit;
using static Mediasoup.Tests.Ice.IceTestUtil;

namespace Mediasoup.Tests.Ice;

public sealed class StunMessageTests : IDisposable
{
    // RFC 5769 §2: the sample messages, their credentials and addresses.
    private static readonly byte[] Password = Encoding.ASCII.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");
    private static readonly byte[] Tid = Hex("b7e7a701bc34d686fa87dfae");

    // §2.1 Sample Request.
    private static readonly byte[] Rfc5769Request = Hex(
        "000100582112a442b7e7a701bc34d686fa87dfae" +
        "802200105354554e20746573742063" + "6c69656e74" +
        "002400046e0001ff" +
        "80290008932ff9b151263b36" +
        "000600096576746a3a68367659202020" +
        "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" +
        "80280004e57a3bcf");

    // §2.2 Sample IPv4 Response.
    private static readonly byte[] Rfc5769Ipv4Response = Hex(
        "0101003c2112a442b7e7a701bc34d686fa87dfae" +
        "8022000b7465737420766563746f7220" +
        "002000080001a147e112a643" +
        "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
        "80280004c07d4c96");

    // §2.3 Sample IPv6 Response.
    private static readonly byte[] Rfc5769Ipv6Response = Hex(
        "010100482112a442b7e7a701bc34d686fa87dfae" +
        "8022000b7465737420766563746f7220" +
        "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
        "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" +
        "80280004c8fb0b4c");

    private readonly HmacSha1 _hmac = new();

    public void Dispose() => _hmac.Dispose();

    // ------------------------------------------------------------------ primitives

    [Fact]
    public void Crc32_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public void HmacSha1_MatchesRfc2202()
    {
        Span<byte> mac = stackalloc byte[20];
        byte[] key = Enumerable.Repeat((byte)0x0b, 20).ToArray();
        Assert.True(_hmac.Compute(key, "Hi There"u8, mac));
        Assert.Equal(Hex("b617318655057264e28bc0b6fb378c8ef146be00"), mac.ToArray());
        // Test case 2, split across updates; the context is reused with another key.
        Assert.True(_hmac.Init("Jefe"u8) && _hmac.Update("what do ya want "u8) && _hmac.Update("for nothing?"u8) && _hmac.Final(mac));
        Assert.Equal(Hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"), mac.ToArray());
        Assert.True(HmacSha1.FixedTimeEquals(mac, Hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")));
        Assert.False(HmacSha1.FixedTimeEquals(mac, Hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c78")));
        Assert.False(HmacSha1.FixedTimeEquals(mac, mac[..19]));
        // An empty key is a key, not "keep the previous one".
        Assert.True(_hmac.Compute(ReadOnlySpan<byte>.Empty, ""u8, mac));
        Assert.Equal(Hex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"), mac.ToArray());
    }

    [Theory]
    [InlineData(0, 0x001, 0x0001)]
    [InlineData(1, 0x001, 0x0011)]
    [InlineData(2, 0x001, 0x0101)]
    [InlineData(3, 0x001, 0x0111)]
    [InlineData(0, 0x003, 0x0003)] // TURN Allocate
    [InlineData(3, 0xFFF, 0x3FFF)]
    public void MessageType_EncodesClassAndMethod(byte clsValue, ushort method, ushort type)
    {
        var cls = (StunClass)clsValue;
        Assert.Equal(type, StunMessage.TypeOf(cls, method));
        Assert.Equal(cls, StunMessage.ClassOf(type));
        Assert.Equal(method, StunMessage.MethodOf(type));
    }

    // ------------------------------------------------------------------ RFC 5769 vectors

    [Fact]
    public void Rfc5769_Request_Parses()
    {
        Assert.True(StunMessage.IsStun(Rfc5769Request));
        Assert.True(StunMessage.TryParse(Rfc5769Request, out StunMessage m));
        Assert.Equal(StunClass.Request, m.Class);
        Assert.Equal(StunMethod.Binding, m.Method);
        Assert.Equal(Tid, m.TransactionId.ToArray());
        Assert.Equal("evtj:h6vY", Encoding.ASCII.GetString(m.Username));
        Assert.Equal("evtj", Encoding.ASCII.GetString(m.UsernameLocalPart));
        Assert.Equal("STUN test client", Encoding.ASCII.GetString(m.Software));
        Assert.True(m.HasPriority);
        Assert.Equal(0x6E0001FFu, m.Priority);
        Assert.True(m.HasIceControlled);
        Assert.Equal(0x932FF9B151263B36ul, m.IceControlled);
        Assert.False(m.HasIceControlling);
        Assert.False(m.HasUseCandidate);
        Assert.False(m.HasNomination);
        Assert.True(m.HasMessageIntegrity);
        Assert.True(m.HasFingerprint);
        Assert.Equal(0xE57A3BCFu, m.Fingerprint);
    }

    [Fact]
    public void Rfc5769_Request_Authenticates()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Request, out StunMessage m));
        Assert.True(m.VerifyMessageIntegrity(Password, _hmac));
        Assert.Equal(StunAuthResult.Ok, m.CheckAuthentication("evtj"u8, Password, _hmac));
        Assert.Equal(StunAuthResult.Unauthorized, m.CheckAuthentication("evtj"u8, "VOkJxbRl1RmTxUk/WvJxBT"u8, _hmac));
        // The fragment must be followed by ':'.
        Assert.Equal(StunAuthResult.Unauthorized, m.CheckAuthentication("evt"u8, Password, _hmac));
        Assert.Equal(StunAuthResult.Unauthorized, m.CheckAuthentication("evtj:h6vY"u8, Password, _hmac));
        Assert.Equal(StunAuthResult.Unauthorized, m.CheckAuthentication("xvtj"u8, Password, _hmac));
        Assert.Equal(StunAuthResult.BadMessage, m.CheckAuthentication(""u8, Password, _hmac));
    }

    [Fact]
    public void Rfc5769_Ipv4Response_ParsesAndAuthenticates()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Ipv4Response, out StunMessage m));
        Assert.Equal(StunClass.SuccessResponse, m.Class);
        Assert.Equal("test vector", Encoding.ASCII.GetString(m.Software));
        Assert.True(m.TryGetXorMappedAddress(out IpEndpoint addr));
        Assert.Equal("192.0.2.1", addr.AddressText);
        Assert.Equal(32853, addr.Port);
        Assert.Equal(StunAuthResult.Ok, m.CheckAuthentication(default, Password, _hmac));
        Assert.Equal(StunAuthResult.Unauthorized, m.CheckAuthentication(default, "x"u8, _hmac));
    }

    [Fact]
    public void Rfc5769_Ipv6Response_ParsesAndAuthenticates()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Ipv6Response, out StunMessage m));
        Assert.True(m.TryGetXorMappedAddress(out IpEndpoint addr));
        Assert.True(addr.IsIPv6);
        Assert.Equal("2001:db8:1234:5678:11:2233:4455:6677", addr.AddressText);
        Assert.Equal(32853, addr.Port);
        Assert.Equal(StunAuthResult.Ok, m.CheckAuthentication(default, Password, _hmac));
    }

    [Fact]
    public void Writer_ReproducesRfc5769Request()
    {
        byte[] buf = new byte[256];
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, Tid);
        w.AddBytes(StunAttribute.Software, "STUN test client"u8);
        w.AddUInt32(StunAttribute.Priority, 0x6E0001FF);
        w.AddUInt64(StunAttribute.IceControlled, 0x932FF9B151263B36);
        w.AddBytes(StunAttribute.Username, "evtj:h6vY"u8);
        // The RFC pads with spaces (padding may be anything, §15); MI covers them.
        buf.AsSpan(w.Length - 3, 3).Fill(0x20);
        w.AddMessageIntegrity(Password, _hmac);
        w.AddFingerprint();
        Assert.Equal(Rfc5769Request, buf.AsSpan(0, w.Finish()).ToArray());
    }

    [Fact]
    public void Writer_ReproducesRfc5769Responses()
    {
        Assert.True(IpEndpoint.TryParse("192.0.2.1", 32853, out IpEndpoint v4));
        Assert.True(IpEndpoint.TryParse("2001:db8:1234:5678:11:2233:4455:6677", 32853, out IpEndpoint v6));
        foreach ((IpEndpoint ep, byte[] expected) in new[] { (v4, Rfc5769Ipv4Response), (v6, Rfc5769Ipv6Response) })
        {
            byte[] buf = new byte[256];
            var w = new StunWriter(buf, StunClass.SuccessResponse, StunMethod.Binding, Tid);
            w.AddBytes(StunAttribute.Software, "test vector"u8);
            buf[w.Length - 1] = 0x20;
            w.AddXorMappedAddress(ep);
            w.AddMessageIntegrity(Password, _hmac);
            w.AddFingerprint();
            Assert.Equal(expected, buf.AsSpan(0, w.Finish()).ToArray());
        }
    }

    [Theory]
    [InlineData("192.0.2.1", 32853)]
    [InlineData("10.0.0.255", 1)]
    [InlineData("255.255.255.255", 65535)]
    [InlineData("::1", 443)]
    [InlineData("fe80::1234:5678:9abc:def0", 40000)]
    [InlineData("::ffff:1.2.3.4", 5000)]
    public void BindingSuccess_XorMappedAddress_RoundTrips(string ip, ushort port)
    {
        Assert.True(IpEndpoint.TryParse(ip, port, out IpEndpoint ep));
        byte[] buf = new byte[IceServer.MaxResponseLength];
        int len = StunWriter.WriteBindingSuccess(buf, DefaultTid, ep, "pwd"u8, _hmac);
        Assert.Equal(ep.IsIPv6 ? 76 : 64, len);
        Assert.True(StunMessage.TryParse(buf.AsSpan(0, len), out StunMessage m));
        Assert.Equal(StunClass.SuccessResponse, m.Class);
        Assert.Equal(DefaultTid, m.TransactionId.ToArray());
        Assert.True(m.TryGetXorMappedAddress(out IpEndpoint back));
        Assert.Equal(ep, back);
        Assert.Equal(StunAuthResult.Ok, m.CheckAuthentication(default, "pwd"u8, _hmac));
        Assert.True(m.HasFingerprint);
        // The address is not in the clear (that is the point of XOR-MAPPED, RFC 5389 §15.2).
        Assert.Equal(-1, buf.AsSpan(24, ep.IsIPv6 ? 20 : 8).IndexOf(ep.AddressBytes));
    }

    [Fact]
    public void ErrorResponse_CarriesCodeAndReasonAndFingerprintOnly()
    {
        byte[] buf = new byte[IceServer.MaxResponseLength];
        int len = StunWriter.WriteErrorResponse(buf, StunMethod.Binding, DefaultTid, 487, "role conflict"u8);
        Assert.Equal(20 + 4 + 4 + 16 + 8, len);
        Assert.True(StunMessage.TryParse(buf.AsSpan(0, len), out StunMessage m));
        Assert.Equal(StunClass.ErrorResponse, m.Class);
        Assert.True(m.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(487, code);
        Assert.Equal("role conflict", Encoding.ASCII.GetString(reason));
        Assert.False(m.HasMessageIntegrity);
        Assert.True(m.HasFingerprint);
        Assert.Equal(0, buf[20 + 4 + 4 + 13]); // zero padding
    }

    // ------------------------------------------------------------------ nomination

    [Fact]
    public void Nomination_BothCodePoints_NewOnePreferred()
    {
        byte[] a = Request(_hmac, "a:b", "p", nomination: 7);
        byte[] b = Request(_hmac, "a:b", "p", legacyNomination: 9);
        byte[] c = Request(_hmac, "a:b", "p", nomination: 7, legacyNomination: 9);
        byte[] d = Request(_hmac, "a:b", "p");
        Assert.True(StunMessage.TryParse(a, out StunMessage ma));
        Assert.True(ma.HasNomination);
        Assert.Equal(7u, ma.Nomination);
        Assert.True(StunMessage.TryParse(b, out StunMessage mb));
        Assert.True(mb.HasNomination);
        Assert.Equal(9u, mb.Nomination);
        Assert.True(StunMessage.TryParse(c, out StunMessage mc));
        Assert.Equal(7u, mc.Nomination);
        Assert.True(StunMessage.TryParse(d, out StunMessage md));
        Assert.False(md.HasNomination);
        Assert.Equal(0u, md.Nomination);
    }

    // ------------------------------------------------------------------ IsStun and rejection

    [Fact]
    public void IsStun_FollowsRfc7983AndTheHeader()
    {
        byte[] ok = Request(_hmac, "a:b", "p");
        Assert.True(StunMessage.IsStun(ok));
        for (int first = 0; first < 256; first++)
        {
            byte[] copy = (byte[])ok.Clone();
            copy[0] = (byte)first;
            Assert.Equal(first <= 3, StunMessage.IsStun(copy));
        }
        byte[] cookie = (byte[])ok.Clone();
        cookie[7] ^= 1;
        Assert.False(StunMessage.IsStun(cookie));
        Assert.False(StunMessage.IsStun(ok.AsSpan(0, 19)));
        Assert.False(StunMessage.IsStun(ok.AsSpan(0, ok.Length - 1)));
        Assert.True(StunMessage.IsStun(ok.AsSpan(0, 20)));
        // RTP, RTCP and DTLS first bytes are not STUN.
        Assert.False(StunMessage.IsStun(Hex("80c800062112a442000000000000000000000000")));
        Assert.False(StunMessage.IsStun(Hex("16fefd002112a442000000000000000000000000")));
    }

    [Fact]
    public void Parse_RejectsLengthFieldMismatch()
    {
        byte[] msg = Request(_hmac, "a:b", "p");
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(2), (ushort)(msg.Length - 20 - 4));
        Assert.False(StunMessage.TryParse(msg, out _));
        Assert.False(StunMessage.TryParse(msg.AsSpan(0, msg.Length - 4), out _));
    }

    [Fact]
    public void Parse_RejectsWrongFingerprint()
    {
        byte[] msg = Request(_hmac, "a:b", "p");
        msg[^1] ^= 0x01;
        Assert.False(StunMessage.TryParse(msg, out StunMessage m));
        Assert.False(m.IsValid);
        // Any bit flipped before the FINGERPRINT breaks it too.
        byte[] msg2 = Request(_hmac, "a:b", "p");
        msg2[25] ^= 0x40;
        Assert.False(StunMessage.TryParse(msg2, out _));
    }

    [Fact]
    public void Parse_RejectsAttributesAfterFingerprintOrIntegrity()
    {
        // Built by hand: the writer refuses to produce these.
        byte[] afterFp = Message(StunClass.Request,
            Attr(StunAttribute.Fingerprint, new byte[4]), Attr(StunAttribute.Priority, new byte[4]));
        Assert.False(StunMessage.TryParse(afterFp, out _));

        byte[] afterMi = Message(StunClass.Request,
            Attr(StunAttribute.MessageIntegrity, new byte[20]), Attr(StunAttribute.Priority, new byte[4]));
        Assert.False(StunMessage.TryParse(afterMi, out _));

        byte[] unknownAfterMi = Message(StunClass.Request,
            Attr(StunAttribute.MessageIntegrity, new byte[20]), Attr(0x8055, new byte[4]));
        Assert.False(StunMessage.TryParse(unknownAfterMi, out _));

        byte[] miOnly = Message(StunClass.Request, Attr(StunAttribute.MessageIntegrity, new byte[20]));
        Assert.True(StunMessage.TryParse(miOnly, out StunMessage m));
        Assert.True(m.HasMessageIntegrity);
        Assert.False(m.HasFingerprint);
    }

    [Theory]
    [InlineData(StunAttribute.Priority, 3)]
    [InlineData(StunAttribute.Priority, 8)]
    [InlineData(StunAttribute.IceControlling, 4)]
    [InlineData(StunAttribute.IceControlled, 4)]
    [InlineData(StunAttribute.UseCandidate, 4)]
    [InlineData(StunAttribute.Nomination, 8)]
    [InlineData(StunAttribute.NominationLegacy, 2)]
    [InlineData(StunAttribute.MessageIntegrity, 32)]
    [InlineData(StunAttribute.Fingerprint, 8)]
    [InlineData(StunAttribute.XorMappedAddress, 12)]
    [InlineData(StunAttribute.ErrorCode, 3)]
    [InlineData(StunAttribute.Username, 514)]
    [InlineData(StunAttribute.Software, 764)]
    public void Parse_RejectsKnownAttributeOfWrongLength(ushort type, int length)
    {
        Assert.False(StunMessage.TryParse(Message(StunClass.Request, Attr(type, new byte[length])), out _));
    }

    [Fact]
    public void Parse_RejectsRepeatedKnownAttribute_SkipsUnknownOnes()
    {
        Assert.False(StunMessage.TryParse(Message(StunClass.Request,
            Attr(StunAttribute.Priority, new byte[4]), Attr(StunAttribute.Priority, new byte[4])), out _));
        Assert.False(StunMessage.TryParse(Message(StunClass.Request,
            Attr(StunAttribute.UseCandidate, []), Attr(StunAttribute.UseCandidate, [])), out _));

        byte[] unknown = Message(StunClass.Request,
            Attr(0x0003, new byte[5]), Attr(0x0003, new byte[1]), Attr(0xC0FF, []),
            Attr(StunAttribute.Priority, [0, 0, 0, 42]), Attr(StunAttribute.Username, "ab:c"u8.ToArray()));
        Assert.True(StunMessage.TryParse(unknown, out StunMessage m));
        Assert.Equal(42u, m.Priority);
        Assert.Equal("ab", Encoding.ASCII.GetString(m.UsernameLocalPart));
    }

    [Fact]
    public void Parse_RejectsAttributeOverrunningTheMessage()
    {
        byte[] msg = Message(StunClass.Request, Attr(0x8055, new byte[8]));
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(22), 9);
        Assert.False(StunMessage.TryParse(msg, out _));
        // An attribute header cut short is not an attribute (rejected by the 4-byte alignment).
        Assert.False(StunMessage.TryParse(msg.AsSpan(0, 22), out _));
    }

    [Fact]
    public void XorMappedAddress_FamilyMustMatchLength()
    {
        byte[] v4As20 = new byte[20];
        v4As20[1] = 0x01;
        Assert.True(StunMessage.TryParse(Message(StunClass.SuccessResponse, Attr(StunAttribute.XorMappedAddress, v4As20)), out StunMessage m));
        Assert.True(m.HasXorMappedAddress);
        Assert.False(m.TryGetXorMappedAddress(out _));

        byte[] badFamily = new byte[8];
        badFamily[1] = 0x03;
        Assert.True(StunMessage.TryParse(Message(StunClass.SuccessResponse, Attr(StunAttribute.XorMappedAddress, badFamily)), out m));
        Assert.False(m.TryGetXorMappedAddress(out _));
    }

    [Fact]
    public void Writer_FailsCleanlyWhenOutOfRoom()
    {
        Assert.True(IpEndpoint.TryParse("2001:db8::1", 1, out IpEndpoint v6));
        for (int size = 0; size < 76; size++)
        {
            byte[] buf = new byte[size + 16];
            buf.AsSpan(size).Fill(0xA5);
            int len = StunWriter.WriteBindingSuccess(buf.AsSpan(0, size), DefaultTid, v6, "pwd"u8, _hmac);
            Assert.Equal(0, len);
            Assert.All(buf.AsSpan(size).ToArray(), b => Assert.Equal((byte)0xA5, b));
        }
        Assert.Equal(76, StunWriter.WriteBindingSuccess(new byte[76], DefaultTid, v6, "pwd"u8, _hmac));
        // Bad transaction id or method: no throw, nothing written.
        Assert.Equal(0, StunWriter.WriteErrorResponse(new byte[128], StunMethod.Binding, new byte[11], 400, "x"u8));
        Assert.Equal(0, StunWriter.WriteErrorResponse(new byte[128], 0x1000, DefaultTid, 400, "x"u8));
        Assert.Equal(0, StunWriter.WriteErrorResponse(new byte[128], StunMethod.Binding, DefaultTid, 200, "x"u8));
    }

    [Fact]
    public void Writer_RefusesAttributesAfterFingerprint()
    {
        var buf = new byte[128];
        var w = new StunWriter(buf, StunClass.Request, StunMethod.Binding, DefaultTid);
        w.AddFingerprint();
        w.AddUInt32(StunAttribute.Priority, 1);
        Assert.True(w.Failed);
        Assert.Equal(0, w.Finish());

        var w2 = new StunWriter(buf, StunClass.Request, StunMethod.Binding, DefaultTid);
        w2.AddMessageIntegrity("k"u8, _hmac);
        w2.AddFlag(StunAttribute.UseCandidate);
        Assert.True(w2.Failed);
    }

    // ------------------------------------------------------------------ hostile input

    [Fact]
    public void Parse_EveryTruncationOfEveryVector_NeverThrows()
    {
        foreach (byte[] v in new[] { Rfc5769Request, Rfc5769Ipv4Response, Rfc5769Ipv6Response, Request(_hmac, "a:b", "p", useCandidate: true, nomination: 3) })
        {
            for (int len = 0; len <= v.Length; len++)
            {
                bool ok = StunMessage.TryParse(v.AsSpan(0, len), out StunMessage m);
                Assert.Equal(len == v.Length, ok);
                if (!ok)
                    Assert.False(m.IsValid);
            }
        }
    }

    [Fact]
    public void Parse_RandomAndMutatedInput_NeverThrows()
    {
        var rng = new Random(5389);
        byte[] buf = new byte[600];
        for (int i = 0; i < 20000; i++)
        {
            int len = rng.Next(0, buf.Length);
            rng.NextBytes(buf.AsSpan(0, len));
            if (len >= 20 && (i & 1) == 0)
            {
                // Make it look like STUN so the attribute walk runs.
                len &= ~3;
                buf[0] &= 0x03;
                BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)(len - 20));
                BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(4), StunMessage.MagicCookie);
            }
            Exercise(buf.AsSpan(0, len));
        }

        byte[][] seeds = [Rfc5769Request, Rfc5769Ipv4Response, Rfc5769Ipv6Response];
        foreach (byte[] seed in seeds)
        {
            for (int i = 0; i < 5000; i++)
            {
                byte[] copy = (byte[])seed.Clone();
                int flips = rng.Next(1, 4);
                for (int f = 0; f < flips; f++)
                    copy[rng.Next(20, copy.Length)] ^= (byte)(1 << rng.Next(8));
                Exercise(copy);
            }
        }
    }

    private void Exercise(ReadOnlySpan<byte> data)
    {
        if (!StunMessage.TryParse(data, out StunMessage m))
            return;
        _ = m.Username;
        _ = m.UsernameLocalPart;
        _ = m.Priority;
        _ = m.IceControlling;
        _ = m.IceControlled;
        _ = m.Nomination;
        _ = m.Software;
        _ = m.TryGetXorMappedAddress(out _);
        _ = m.TryGetErrorCode(out _, out _);
        _ = m.CheckAuthentication("a"u8, "p"u8, _hmac);
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] Attr(ushort type, byte[] value)
    {
        byte[] a = new byte[4 + ((value.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt16BigEndian(a, type);
        BinaryPrimitives.WriteUInt16BigEndian(a.AsSpan(2), (ushort)value.Length);
        value.CopyTo(a, 4);
        return a;
    }

    private static byte[] Message(StunClass cls, params byte[][] attrs)
    {
        int len = attrs.Sum(a => a.Length);
        byte[] m = new byte[20 + len];
        BinaryPrimitives.WriteUInt16BigEndian(m, StunMessage.TypeOf(cls, StunMethod.Binding));
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), (ushort)len);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), StunMessage.MagicCookie);
        DefaultTid.CopyTo(m, 8);
        int pos = 20;
        foreach (byte[] a in attrs)
        {
            a.CopyTo(m, pos);
            pos += a.Length;
        }
        return m;
    }
}
