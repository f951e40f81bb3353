using System.Buffers.Binary;
using Mediasoup.Crypto;
using Mediasoup.Interop.LibSrtp;
using Mediasoup.Srtp;
using Xunit;
using static Mediasoup.Tests.Srtp.SrtpTestPackets;

namespace Mediasoup.Tests.Srtp;

/// <summary>
/// Our OpenSSL SRTP engine against libsrtp2 as the oracle: what one protects the other must
/// unprotect to the same bytes, in both directions, for every suite, across sequence number
/// wraps (rollover counter), reordering, several SSRCs, CSRCs and header extensions.
/// </summary>
public sealed class SrtpEngineInteropTests
{
    public static TheoryData<byte, bool> SuitesAndDirections()
    {
        var data = new TheoryData<byte, bool>();
        for (byte suite = 0; suite < 4; suite++)
        {
            data.Add(suite, true);
            data.Add(suite, false);
        }
        return data;
    }

    private static (SrtpSession Tx, SrtpSession Rx) CrossPair(SrtpCryptoSuite suite, bool openSslSends)
    {
        byte[] key = SrtpKeys.Generate(suite);
        SrtpEngineKind txEngine = openSslSends ? SrtpEngineKind.OpenSsl : SrtpEngineKind.LibSrtp;
        SrtpEngineKind rxEngine = openSslSends ? SrtpEngineKind.LibSrtp : SrtpEngineKind.OpenSsl;
        return (new SrtpSession(SrtpDirection.Outbound, suite, key, txEngine),
                new SrtpSession(SrtpDirection.Inbound, suite, key, rxEngine));
    }

    [Theory]
    [MemberData(nameof(SuitesAndDirections))]
    public void Rtp_AcrossWrapsAndReordering_RoundTrips(byte suiteValue, bool openSslSends)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        (SrtpSession tx, SrtpSession rx) = CrossPair(suite, openSslSends);
        using (tx)
        using (rx)
        {
            // Two streams: one starting high (ROC 0 must hold until the first wrap), one low.
            // Steps of 997 wrap the 16-bit seq every ~66 packets: ~6 rollovers over 400 packets.
            var pending = new List<byte[]>();
            var plains = new Dictionary<string, byte[]>();
            ushort seqA = 60000, seqB = 10;
            for (int i = 0; i < 400; i++, seqA += 997, seqB += 331)
            {
                byte[] a = WithExtensionAndCsrc(RtpPacketBytes(seqA, 0xA1A2A3A4, payloadLength: i % 50 * 25));
                byte[] b = RtpPacketBytes(seqB, 0xB1B2B3B4, payloadLength: 1200);
                foreach (byte[] plain in new[] { a, b })
                {
                    byte[] srtp = ProtectRtp(tx, plain);
                    plains[Convert.ToHexString(srtp)] = plain;
                    pending.Add(srtp);
                }
                // Deliver in pairs, swapped every third time (reordering within the window).
                if (pending.Count == 4)
                {
                    if (i % 3 == 0)
                        (pending[0], pending[2]) = (pending[2], pending[0]);
                    foreach (byte[] srtp in pending)
                        Assert.Equal(plains[Convert.ToHexString(srtp)], UnprotectRtp(rx, srtp));
                    pending.Clear();
                }
            }
            Assert.Equal(0ul, tx.FailedPackets);
            Assert.Equal(0ul, rx.FailedPackets);
        }
    }

    [Theory]
    [MemberData(nameof(SuitesAndDirections))]
    public void Rtcp_SeveralSsrcs_RoundTrip_AndReplaysAreRefused(byte suiteValue, bool openSslSends)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        (SrtpSession tx, SrtpSession rx) = CrossPair(suite, openSslSends);
        using (tx)
        using (rx)
        {
            for (int i = 0; i < 200; i++)
            {
                byte[] plain = RtcpPacketBytes(0x01020300u + (uint)(i % 3), length: 8 + 4 * (i % 40));
                byte[] srtcp = ProtectRtcp(tx, plain);
                Assert.Equal(plain, UnprotectRtcp(rx, srtcp));
                if (i % 50 == 0)
                {
                    Assert.Null(UnprotectRtcp(rx, srtcp));
                    Assert.Equal(SrtpErrorStatus.ReplayFail, rx.LastError);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SuitesAndDirections))]
    public void BothEngines_ProduceIdenticalBytes(byte suiteValue, bool unused)
    {
        _ = unused;
        var suite = (SrtpCryptoSuite)suiteValue;
        byte[] key = SrtpKeys.Generate(suite);
        using var ours = new SrtpSession(SrtpDirection.Outbound, suite, key, SrtpEngineKind.OpenSsl);
        using var theirs = new SrtpSession(SrtpDirection.Outbound, suite, key, SrtpEngineKind.LibSrtp);
        for (ushort seq = 65500; seq != 100; seq++)
        {
            byte[] plain = RtpPacketBytes(seq, payloadLength: seq % 300);
            Assert.Equal(ProtectRtp(theirs, plain), ProtectRtp(ours, plain));
        }
        for (int i = 0; i < 10; i++)
        {
            byte[] plain = RtcpPacketBytes(length: 8 + 4 * i);
            Assert.Equal(ProtectRtcp(theirs, plain), ProtectRtcp(ours, plain));
        }
    }

    [Fact]
    public void KeyDerivation_MatchesRfc3711AppendixB3()
    {
        byte[] masterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
        byte[] masterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");
        using var prf = new AesCtr(masterKey);
        var cipherKey = new byte[16];
        var cipherSalt = new byte[14];
        var authKey = new byte[94];
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpEncryption, cipherKey);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpSalt, cipherSalt);
        SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpAuthentication, authKey);
        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(cipherKey));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(cipherSalt));
        Assert.StartsWith("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", Convert.ToHexString(authKey));
    }

    [Fact]
    public unsafe void KeyedHmacSha1_MatchesRfc2202()
    {
        // RFC 2202 test cases 2 (short key) and 6 (key longer than a block).
        var mac = new byte[20];
        var short_ = new KeyedHmacSha1("Jefe"u8);
        byte[] data = "what do ya want for nothing?"u8.ToArray();
        fixed (byte* d = data)
        fixed (byte* m = mac)
            short_.Compute(d, 10, d + 10, data.Length - 10, m); // split: data ‖ suffix
        Assert.Equal("EFFCDF6AE5EB2FA2D27416D5F184DF9C259A7C79", Convert.ToHexString(mac));

        var longKey = new KeyedHmacSha1(Enumerable.Repeat((byte)0xAA, 80).ToArray());
        byte[] text = "Test Using Larger Than Block-Size Key - Hash Key First"u8.ToArray();
        fixed (byte* d = text)
        fixed (byte* m = mac)
            longKey.Compute(d, text.Length, null, 0, m);
        Assert.Equal("AA4AE5E15272D00E95705637CE8A3B55ED402112", Convert.ToHexString(mac));
    }

    [Fact]
    public void ReplayWindow_EstimatesRolloverAndRejectsOld()
    {
        var w = new SrtpReplayWindow(1024);
        long d = w.EstimateRtpIndex(65000, out ulong i);
        Assert.Equal(65000ul, i); // ROC 0 at the start, even above 2^15
        Assert.Equal(SrtpErrorStatus.Ok, w.Check(i, d));
        w.Add(i, d);
        d = w.EstimateRtpIndex(5, out i);
        Assert.Equal((1ul << 16) | 5, i); // wrapped: ROC 1
        w.Add(i, d);
        d = w.EstimateRtpIndex(65300, out i);
        Assert.Equal(65300ul, i); // late packet from before the wrap: ROC 0 again
        Assert.Equal(SrtpErrorStatus.Ok, w.Check(i, d));
        w.Add(i, d);
        Assert.Equal(SrtpErrorStatus.ReplayFail, w.Check(i, d));
        d = w.EstimateRtpIndex(63000, out i);
        Assert.Equal(SrtpErrorStatus.ReplayOld, w.Check(i, d));
        // A jump larger than the window forgets everything before it.
        d = w.EstimateRtpIndex(5000, out i);
        w.Add(i, d);
        d = w.EstimateRtpIndex(5, out i);
        Assert.Equal(SrtpErrorStatus.ReplayOld, w.Check(i, d));
        d = w.EstimateRtpIndex(4999, out i);
        Assert.Equal(SrtpErrorStatus.Ok, w.Check(i, d));
    }

    /// <summary>Adds one CSRC and a one-byte-header extension block (both stay in clear text).</summary>
    private static byte[] WithExtensionAndCsrc(byte[] plain)
    {
        var p = new byte[plain.Length + 4 + 8];
        plain.AsSpan(0, 12).CopyTo(p);
        p[0] = (byte)((plain[0] & 0xE0) | 0x10 | 1);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(12), 0xC5C5C5C5);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(16), 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(18), 1);
        p[20] = 0x10; // id 1, length 1
        p[21] = 0x42;
        plain.AsSpan(12).CopyTo(p.AsSpan(24));
        return p;
    }
}
