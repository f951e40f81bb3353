using Mediasoup.Interop.LibSrtp;
using Mediasoup.Srtp;
using Xunit;
using static Mediasoup.Tests.Srtp.SrtpTestPackets;

namespace Mediasoup.Tests.Srtp;

// Every test runs against both engines (our OpenSSL transforms and libsrtp2).
public sealed class SrtpSessionOpenSslTests : SrtpSessionTests
{
    private protected override SrtpEngineKind Engine => SrtpEngineKind.OpenSsl;
}

public sealed class SrtpSessionLibSrtpTests : SrtpSessionTests
{
    private protected override SrtpEngineKind Engine => SrtpEngineKind.LibSrtp;
}

// Suites are passed as their byte value: the enum is internal and test methods are public.
public abstract unsafe class SrtpSessionTests
{
    private protected abstract SrtpEngineKind Engine { get; }

    private (SrtpSession Tx, SrtpSession Rx) Pair(SrtpCryptoSuite suite) => SrtpTestPackets.Pair(suite, Engine);

    // Expected trailers per suite (index = FBS value): RTP tag; RTCP tag + 4-byte E/index.
    private static readonly int[] RtpTrailer = [16, 16, 10, 4];
    private static readonly int[] RtcpTrailer = [20, 20, 14, 14];

    // ---------------------------------------------------------------- round trips

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Rtp_ProtectThenUnprotect_RestoresPacket(byte suiteValue)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        (SrtpSession tx, SrtpSession rx) = Pair(suite);
        using (tx)
        using (rx)
        {
            Assert.Equal(RtpTrailer[suiteValue], tx.RtpTrailerLength);
            ushort seq = 65530; // crosses the 16-bit wrap (rollover counter)
            foreach (int payload in new[] { 0, 1, 3, 160, 1200, 1400 })
            {
                for (int i = 0; i < 20; i++, seq++)
                {
                    byte[] plain = RtpPacketBytes(seq, payloadLength: payload);
                    byte[] srtp = ProtectRtp(tx, plain);

                    Assert.Equal(plain.Length + RtpTrailer[suiteValue], srtp.Length);
                    Assert.Equal(plain.AsSpan(0, 12).ToArray(), srtp.AsSpan(0, 12).ToArray()); // header stays clear
                    if (payload >= 16)
                        Assert.False(plain.AsSpan(12).SequenceEqual(srtp.AsSpan(12, payload)));

                    Assert.Equal(plain, UnprotectRtp(rx, srtp));
                }
            }
            Assert.Equal(0ul, tx.FailedPackets);
            Assert.Equal(0ul, rx.FailedPackets);
            Assert.Equal(SrtpErrorStatus.Ok, rx.LastError);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Rtcp_ProtectThenUnprotect_RestoresPacket(byte suiteValue)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        (SrtpSession tx, SrtpSession rx) = Pair(suite);
        using (tx)
        using (rx)
        {
            Assert.Equal(RtcpTrailer[suiteValue], tx.RtcpTrailerLength);
            foreach (int length in new[] { 8, 12, 28, 52, 1200 })
            {
                for (int i = 0; i < 10; i++)
                {
                    byte[] plain = RtcpPacketBytes(length: length);
                    byte[] srtcp = ProtectRtcp(tx, plain);

                    Assert.Equal(plain.Length + RtcpTrailer[suiteValue], srtcp.Length);
                    Assert.Equal(plain.AsSpan(0, 8).ToArray(), srtcp.AsSpan(0, 8).ToArray());
                    Assert.Equal(plain, UnprotectRtcp(rx, srtcp));
                }
            }
        }
    }

    [Fact]
    public void SeveralSsrcs_ShareOneSessionKey()
    {
        (SrtpSession tx, SrtpSession rx) = Pair(SrtpCryptoSuite.AesCm128HmacSha1_80);
        using (tx)
        using (rx)
        {
            for (uint ssrc = 1; ssrc <= 20; ssrc++)
            {
                byte[] plain = RtpPacketBytes(7, ssrc);
                Assert.Equal(plain, UnprotectRtp(rx, ProtectRtp(tx, plain)));
                byte[] rtcp = RtcpPacketBytes(ssrc);
                Assert.Equal(rtcp, UnprotectRtcp(rx, ProtectRtcp(tx, rtcp)));
            }
        }
    }

    // ---------------------------------------------------------------- known answers
    // Vectors from libsrtp's own test driver (test/srtp_driver.c, srtp_validate and
    // srtp_validate_gcm): they pin the key‖salt layout and the policy each suite maps to.

    private static readonly byte[] KatKeySha1 =
        Convert.FromHexString("e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6");
    private static readonly byte[] KatKeyGcm128 =
        Convert.FromHexString("000102030405060708090a0b0c0d0e0fa0a1a2a3a4a5a6a7a8a9aaab");
    private static readonly byte[] KatRtpPlain =
        Convert.FromHexString("800f1234decafbadcafebabeabababababababababababababababab");
    private static readonly byte[] KatRtcpPlain =
        Convert.FromHexString("81c8000bcafebabeabababababababababababababababab");

    [Theory]
    [InlineData(2, "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb",
                   "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798")]
    // _32: same keystream, the RTP tag is the first 4 bytes of the 80-bit one, SRTCP keeps 80 bits.
    [InlineData(3, "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc",
                   "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798")]
    [InlineData(1, "800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392",
                   "81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001")]
    public void KnownAnswer_MatchesLibsrtpVectors(byte suiteValue, string srtpHex, string srtcpHex)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        byte[] key = suite == SrtpCryptoSuite.AeadAes128Gcm ? KatKeyGcm128 : KatKeySha1;
        using var tx = new SrtpSession(SrtpDirection.Outbound, suite, key, Engine);
        using var rx = new SrtpSession(SrtpDirection.Inbound, suite, key, Engine);

        Assert.Equal(srtpHex, Convert.ToHexStringLower(ProtectRtp(tx, KatRtpPlain)));
        Assert.Equal(srtcpHex, Convert.ToHexStringLower(ProtectRtcp(tx, KatRtcpPlain)));
        Assert.Equal(KatRtpPlain, UnprotectRtp(rx, Convert.FromHexString(srtpHex)));
        Assert.Equal(KatRtcpPlain, UnprotectRtcp(rx, Convert.FromHexString(srtcpHex)));
    }

    // ---------------------------------------------------------------- authentication

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TamperedPacket_IsRefused_AndTheGenuineOneStillPasses(byte suiteValue)
    {
        (SrtpSession tx, SrtpSession rx) = Pair((SrtpCryptoSuite)suiteValue);
        using (tx)
        using (rx)
        {
            byte[] srtp = ProtectRtp(tx, RtpPacketBytes(42, payloadLength: 100));
            byte[] srtcp = ProtectRtcp(tx, RtcpPacketBytes(length: 52));

            // A header byte (marker/PT), a payload byte, the last tag byte.
            foreach (int at in new[] { 1, 12, srtp.Length - 1 })
            {
                byte[] bad = srtp.ToArray();
                bad[at] ^= 0x01;
                byte[] header = bad[..12];
                int length = bad.Length;
                fixed (byte* p = bad)
                    Assert.False(rx.UnprotectRtp(p, ref length));
                Assert.Equal(SrtpErrorStatus.AuthFail, rx.LastError);
                Assert.Equal(srtp.Length, length);
                Assert.Equal(header, bad[..12]); // still loggable
            }
            // A report byte, the last tag byte. (Flipping the E flag yields cant_check instead.)
            foreach (int at in new[] { 9, srtcp.Length - 1 })
            {
                byte[] bad = srtcp.ToArray();
                bad[at] ^= 0x01;
                Assert.Null(UnprotectRtcp(rx, bad));
                Assert.Equal(SrtpErrorStatus.AuthFail, rx.LastError);
            }
            Assert.Equal(5ul, rx.FailedPackets);

            Assert.NotNull(UnprotectRtp(rx, srtp));
            Assert.NotNull(UnprotectRtcp(rx, srtcp));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WrongKey_IsRefused(byte suiteValue)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        using var tx = new SrtpSession(SrtpDirection.Outbound, suite, SrtpKeys.Generate(suite), Engine);
        using var rx = new SrtpSession(SrtpDirection.Inbound, suite, SrtpKeys.Generate(suite), Engine);

        Assert.Null(UnprotectRtp(rx, ProtectRtp(tx, RtpPacketBytes(1))));
        Assert.Equal(SrtpErrorStatus.AuthFail, rx.LastError);
        Assert.Null(UnprotectRtcp(rx, ProtectRtcp(tx, RtcpPacketBytes())));
        Assert.Equal(SrtpErrorStatus.AuthFail, rx.LastError);
    }

    [Fact]
    public void OutboundSession_CannotUnprotectItsOwnTraffic_WithoutBreakingIt()
    {
        // A packet protected and then fed back to the same (outbound) session is an SSRC
        // collision for libsrtp; it must fail quietly, not corrupt the sender.
        (SrtpSession tx, SrtpSession rx) = Pair(SrtpCryptoSuite.AeadAes128Gcm);
        using (tx)
        using (rx)
        {
            byte[] srtp = ProtectRtp(tx, RtpPacketBytes(1));
            UnprotectRtp(tx, srtp);
            Assert.NotNull(UnprotectRtp(rx, ProtectRtp(tx, RtpPacketBytes(2))));
        }
    }

    // ---------------------------------------------------------------- replay

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReplayedPacket_IsRefusedInbound(byte suiteValue)
    {
        (SrtpSession tx, SrtpSession rx) = Pair((SrtpCryptoSuite)suiteValue);
        using (tx)
        using (rx)
        {
            byte[] srtp = ProtectRtp(tx, RtpPacketBytes(100));
            byte[] srtcp = ProtectRtcp(tx, RtcpPacketBytes());

            Assert.NotNull(UnprotectRtp(rx, srtp));
            Assert.Null(UnprotectRtp(rx, srtp));
            Assert.Equal(SrtpErrorStatus.ReplayFail, rx.LastError);

            Assert.NotNull(UnprotectRtcp(rx, srtcp));
            Assert.Null(UnprotectRtcp(rx, srtcp));
            Assert.Equal(SrtpErrorStatus.ReplayFail, rx.LastError);
        }
    }

    [Fact]
    public void ReplayWindow_Is1024Packets_AsTheReference()
    {
        (SrtpSession tx, SrtpSession rx) = Pair(SrtpCryptoSuite.AesCm128HmacSha1_80);
        using (tx)
        using (rx)
        {
            byte[] lateOutside = ProtectRtp(tx, RtpPacketBytes(3000 - 1100));  // will arrive 1100 behind: outside
            byte[] lateInside = ProtectRtp(tx, RtpPacketBytes(3000 - 1000));   // 1000 behind: inside 1024
            byte[] newest = ProtectRtp(tx, RtpPacketBytes(3000));

            // The sender keeps the same window: re-sending something 1100 packets old fails.
            var old = RtpPacketBytes(3000 - 1100);
            var buffer = new byte[old.Length + SrtpSession.MaxTrailerLength];
            old.CopyTo(buffer, 0);
            int length = old.Length;
            Assert.False(tx.ProtectRtp(buffer, ref length));
            Assert.Equal(SrtpErrorStatus.ReplayOld, tx.LastError);

            Assert.NotNull(UnprotectRtp(rx, newest));
            Assert.NotNull(UnprotectRtp(rx, lateInside));
            Assert.Null(UnprotectRtp(rx, lateOutside));
            Assert.Equal(SrtpErrorStatus.ReplayOld, rx.LastError);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Outbound_AllowsRetransmittingTheSameSequenceNumber(byte suiteValue)
    {
        // NACK retransmission without RTX re-sends the same seq: the reference sets allow_repeat_tx.
        (SrtpSession tx, SrtpSession rx) = Pair((SrtpCryptoSuite)suiteValue);
        using (tx)
        using (rx)
        {
            byte[] plain = RtpPacketBytes(500);
            byte[] first = ProtectRtp(tx, plain);
            ProtectRtp(tx, RtpPacketBytes(501));
            byte[] again = ProtectRtp(tx, plain);
            Assert.Equal(first, again);
            Assert.Equal(0ul, tx.FailedPackets);

            Assert.NotNull(UnprotectRtp(rx, again));
        }
    }

    [Fact]
    public void RemoveStream_ForgetsThatSsrcsReplayState()
    {
        (SrtpSession tx, SrtpSession rx) = Pair(SrtpCryptoSuite.AeadAes256Gcm);
        using (tx)
        using (rx)
        {
            const uint ssrc = 0xCAFEBABE;
            byte[] srtp = ProtectRtp(tx, RtpPacketBytes(9, ssrc));
            Assert.NotNull(UnprotectRtp(rx, srtp));
            Assert.Null(UnprotectRtp(rx, srtp));

            rx.RemoveStream(0xDEADBEEF); // unknown: ignored
            rx.RemoveStream(ssrc);       // host byte order in, network order to libsrtp
            Assert.NotNull(UnprotectRtp(rx, srtp));

            tx.RemoveStream(ssrc);
            Assert.NotNull(ProtectRtp(tx, RtpPacketBytes(10, ssrc)));
        }
    }

    // ---------------------------------------------------------------- buffer bounds

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CapacityTooSmall_FailsWithoutTouchingTheBuffer(byte suiteValue)
    {
        (SrtpSession tx, SrtpSession rx) = Pair((SrtpCryptoSuite)suiteValue);
        using (tx)
        using (rx)
        {
            CheckBounds(tx, rx, isRtp: true);
            CheckBounds(tx, rx, isRtp: false);
        }
    }

    private static void CheckBounds(SrtpSession tx, SrtpSession rx, bool isRtp)
    {
        const byte Poison = 0xEE;
        byte[] plain = isRtp ? RtpPacketBytes(1, payloadLength: 200) : RtcpPacketBytes(length: 52);
        int trailer = isRtp ? tx.RtpTrailerLength : tx.RtcpTrailerLength;
        bool Protect(byte* data, ref int length, int capacity) =>
            isRtp ? tx.ProtectRtp(data, ref length, capacity) : tx.ProtectRtcp(data, ref length, capacity);
        bool Unprotect(byte* data, ref int length) =>
            isRtp ? rx.UnprotectRtp(data, ref length) : rx.UnprotectRtcp(data, ref length);

        var buffer = new byte[plain.Length + trailer + 64];
        buffer.AsSpan().Fill(Poison);
        plain.CopyTo(buffer, 0);
        byte[] before = buffer.ToArray();

        fixed (byte* p = buffer)
        {
            foreach (int capacity in new[] { plain.Length + trailer - 1, plain.Length, plain.Length - 1, 0, -5 })
            {
                int length = plain.Length;
                Assert.False(Protect(p, ref length, capacity));
                Assert.Equal(plain.Length, length);
                Assert.Equal(SrtpErrorStatus.BufferSmall, tx.LastError);
                Assert.Equal(before, buffer);
            }

            int negative = -1;
            Assert.False(Protect(p, ref negative, buffer.Length));
            Assert.Equal(SrtpErrorStatus.BadParam, tx.LastError);
            int any = plain.Length;
            Assert.False(Protect(null, ref any, 100));
            Assert.Equal(SrtpErrorStatus.BadParam, tx.LastError);
            Assert.Equal(before, buffer);

            // Exactly enough room: succeeds and writes nothing past it.
            int exact = plain.Length;
            Assert.True(Protect(p, ref exact, plain.Length + trailer));
            Assert.Equal(plain.Length + trailer, exact);
            Assert.All(buffer.AsSpan(exact).ToArray(), b => Assert.Equal(Poison, b));
        }

        // The same flush against a guard page: a byte written or read past capacity faults.
        using var guarded = new GuardedBuffer();
        byte[] next = isRtp ? RtpPacketBytes(2, payloadLength: 200) : RtcpPacketBytes(length: 52);
        byte* tail = guarded.Place(next, spare: trailer);
        int len = next.Length;
        Assert.True(Protect(tail, ref len, next.Length + trailer));
        byte[] protectedBytes = new Span<byte>(tail, len).ToArray();

        byte* ct = guarded.Place(protectedBytes);
        int ctLen = protectedBytes.Length;
        Assert.True(Unprotect(ct, ref ctLen));
        Assert.Equal(next, new Span<byte>(ct, ctLen).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Garbage_OfEveryLength0To64_NeverThrowsNorStraysOutOfBounds(byte suiteValue)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        (SrtpSession tx, SrtpSession rx) = Pair(suite);
        var random = new Random(1234 + suiteValue);
        using var guarded = new GuardedBuffer();
        using (tx)
        using (rx)
        {
            var data = new byte[64];
            for (int length = 0; length <= 64; length++)
            {
                for (int trial = 0; trial < 64; trial++)
                {
                    random.NextBytes(data);
                    // Half the trials look like RTP/RTCP (V=2), some with X=1 and CC=15 to
                    // stress libsrtp's header-length checks.
                    if (length > 0 && trial % 2 == 0)
                        data[0] = (byte)(0x80 | (trial % 4 == 0 ? 0x1F : data[0] & 0x3F));
                    ReadOnlySpan<byte> input = data.AsSpan(0, length);

                    int len = length;
                    Assert.False(rx.UnprotectRtp(guarded.Place(input), ref len));
                    Assert.Equal(length, len);
                    len = length;
                    Assert.False(rx.UnprotectRtcp(guarded.Place(input), ref len));
                    Assert.Equal(length, len);

                    // Protecting garbage may legitimately succeed; it must stay inside capacity.
                    len = length;
                    if (tx.ProtectRtp(guarded.Place(input, tx.RtpTrailerLength), ref len, length + tx.RtpTrailerLength))
                        Assert.Equal(length + tx.RtpTrailerLength, len);
                    len = length;
                    if (tx.ProtectRtcp(guarded.Place(input, tx.RtcpTrailerLength), ref len, length + tx.RtcpTrailerLength))
                        Assert.Equal(length + tx.RtcpTrailerLength, len);

                    // Span forms, empty spans included.
                    byte[] copy = input.ToArray();
                    Assert.False(rx.UnprotectRtp(copy, out _));
                    Assert.False(rx.UnprotectRtcp(input.ToArray(), out _));
                }
            }
            // Small packets must be refused as malformed, not mistaken for anything.
            Assert.True(rx.FailedPackets >= 65 * 64 * 4);
        }
    }

    // ---------------------------------------------------------------- lifetime and arguments

    [Fact]
    public void Constructor_RejectsBadArguments()
    {
        foreach (SrtpCryptoSuite suite in SrtpCryptoSuites.All)
        {
            Assert.Throws<ArgumentException>(() =>
                new SrtpSession(SrtpDirection.Inbound, suite, new byte[suite.KeyAndSaltLength() - 1], Engine));
            Assert.Throws<ArgumentException>(() =>
                new SrtpSession(SrtpDirection.Outbound, suite, new byte[suite.KeyAndSaltLength() + 1], Engine));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SrtpSession(SrtpDirection.Inbound, (SrtpCryptoSuite)4, new byte[30], Engine));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SrtpSession((SrtpDirection)0, SrtpCryptoSuite.AesCm128HmacSha1_80, new byte[30]));
    }

    [Fact]
    public void AfterDispose_EveryCallFailsQuietly()
    {
        (SrtpSession tx, SrtpSession rx) = Pair(SrtpCryptoSuite.AesCm128HmacSha1_32);
        byte[] srtp = ProtectRtp(tx, RtpPacketBytes(1));
        tx.Dispose();
        rx.Dispose();
        rx.Dispose();
        Assert.True(tx.IsDisposed);

        var buffer = new byte[100];
        int length = 40;
        Assert.False(tx.ProtectRtp(buffer, ref length));
        Assert.False(tx.ProtectRtcp(buffer, ref length));
        Assert.Equal(SrtpErrorStatus.NoCtx, tx.LastError);
        Assert.Null(UnprotectRtp(rx, srtp));
        Assert.Null(UnprotectRtcp(rx, srtp));
        rx.RemoveStream(1);
    }

    [Fact]
    public void EnsureInitialized_IsSafeFromManyThreadsAtOnce()
    {
        Parallel.For(0, 32, i =>
        {
            SrtpLibrary.EnsureInitialized();
            var suite = (SrtpCryptoSuite)(i % 4);
            using var session = new SrtpSession(SrtpDirection.Outbound, suite, SrtpKeys.Generate(suite), Engine);
            ProtectRtp(session, RtpPacketBytes((ushort)i));
        });
        Assert.StartsWith("libsrtp2 2.", SrtpLibrary.Version);
    }

    [Fact]
    public void PacketPath_DoesNotAllocate()
    {
        (SrtpSession tx, SrtpSession rx) = Pair(SrtpCryptoSuite.AeadAes128Gcm);
        using (tx)
        using (rx)
        {
            byte[] plain = RtpPacketBytes(0, payloadLength: 1200);
            var buffer = new byte[plain.Length + SrtpSession.MaxTrailerLength];
            var garbage = new byte[40];
            RunPackets(1, 100); // warm up (JIT, first-stream clone)

            long before = GC.GetAllocatedBytesForCurrentThread();
            RunPackets(100, 2000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);

            void RunPackets(int from, int to)
            {
                for (int seq = from; seq < to; seq++)
                {
                    plain.CopyTo(buffer, 0);
                    buffer[2] = (byte)(seq >> 8);
                    buffer[3] = (byte)seq;
                    int length = plain.Length;
                    tx.ProtectRtp(buffer, ref length);
                    rx.UnprotectRtp(buffer.AsSpan(0, length), out _);
                    rx.UnprotectRtp(garbage, out _);
                }
            }
        }
    }
}
