using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Mediasoup.Crypto;
using Mediasoup.Interop.LibSrtp;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Srtp;

/// <summary>
/// SRTP and SRTCP (RFC 3711: AES-CM + HMAC-SHA1; RFC 7714: AEAD AES-GCM) over OpenSSL's AES
/// and SHA-1, with libsrtp's observable behaviour: one master key for every SSRC, a per-SSRC
/// rollover counter estimated from the highest index seen, replay windows (1024 packets for
/// SRTP, 128 for SRTCP), re-protection of an already-sent sequence number allowed, streams
/// created on the first authenticated packet. Nothing is allocated per packet once a stream exists.
/// </summary>
internal sealed unsafe class OpenSslSrtpEngine : ISrtpEngine
{
    private const int RtpHeaderLength = 12;
    private const int RtcpHeaderLength = 8;
    private const int SrtcpIndexLength = 4;
    private const uint SrtcpEncryptedFlag = 0x8000_0000;
    private const uint MaxSrtcpIndex = 0x7FFF_FFFF;
    private const int RtcpReplayWindowSize = 128;

    private readonly int _rtpWindowSize;
    private readonly bool _aead;
    private readonly int _rtpTagLength;
    private readonly int _rtcpTagLength;

    // AES-CM suites.
    private readonly AesCtr? _rtpCtr;
    private readonly AesCtr? _rtcpCtr;
    private readonly KeyedHmacSha1? _rtpAuth;
    private readonly KeyedHmacSha1? _rtcpAuth;
    // GCM suites.
    private readonly AesGcm? _rtpGcm;
    private readonly AesGcm? _rtcpGcm;

    // Session salts as big-endian words: bytes 0..7 and 8..15 (AES-CM: 14 bytes, zero-padded;
    // GCM: 12 bytes, the second word holding bytes 8..11 in its high half).
    private readonly ulong _rtpSaltHigh, _rtpSaltLow, _rtcpSaltHigh, _rtcpSaltLow;

    private readonly Dictionary<uint, Stream> _streams = new();
    private Stream? _lastStream;
    private readonly Stack<Stream> _spareStreams = new();
    private const int MaxSpareStreams = 8;
    private bool _disposed;

    public OpenSslSrtpEngine(SrtpCryptoSuite suite, ReadOnlySpan<byte> keyAndSalt, int rtpReplayWindowSize)
    {
        if (!suite.IsValid())
            throw new ArgumentOutOfRangeException(nameof(suite));
        if (keyAndSalt.Length != suite.KeyAndSaltLength())
            throw new ArgumentException($"{suite.ToName()} needs {suite.KeyAndSaltLength()} bytes of key and salt", nameof(keyAndSalt));

        _rtpWindowSize = rtpReplayWindowSize;
        int keyLength = suite.KeyLength();
        ReadOnlySpan<byte> masterKey = keyAndSalt[..keyLength];
        ReadOnlySpan<byte> masterSalt = keyAndSalt[keyLength..];
        _aead = suite is SrtpCryptoSuite.AeadAes128Gcm or SrtpCryptoSuite.AeadAes256Gcm;
        int sessionSaltLength = suite.SaltLength();

        Span<byte> key = stackalloc byte[keyLength];
        Span<byte> salt = stackalloc byte[16];
        Span<byte> auth = stackalloc byte[KeyedHmacSha1.Length];
        using var prf = new AesCtr(masterKey);
        try
        {
            if (_aead)
            {
                _rtpTagLength = _rtcpTagLength = AesGcm.TagLength;
                _rtpGcm = DeriveGcm(prf, masterSalt, SrtpKeyDerivation.RtpEncryption, SrtpKeyDerivation.RtpSalt, key, salt[..sessionSaltLength], out _rtpSaltHigh, out _rtpSaltLow);
                _rtcpGcm = DeriveGcm(prf, masterSalt, SrtpKeyDerivation.RtcpEncryption, SrtpKeyDerivation.RtcpSalt, key, salt[..sessionSaltLength], out _rtcpSaltHigh, out _rtcpSaltLow);
            }
            else
            {
                _rtpTagLength = suite == SrtpCryptoSuite.AesCm128HmacSha1_32 ? 4 : 10;
                // RFC 5764 §4.1.2: the _32 profile keeps an 80-bit tag on SRTCP.
                _rtcpTagLength = 10;
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpEncryption, key);
                _rtpCtr = new AesCtr(key);
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpAuthentication, auth);
                _rtpAuth = new KeyedHmacSha1(auth);
                salt.Clear();
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtpSalt, salt[..sessionSaltLength]);
                ReadSalt(salt, out _rtpSaltHigh, out _rtpSaltLow);

                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpEncryption, key);
                _rtcpCtr = new AesCtr(key);
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpAuthentication, auth);
                _rtcpAuth = new KeyedHmacSha1(auth);
                salt.Clear();
                SrtpKeyDerivation.Derive(prf, masterSalt, SrtpKeyDerivation.RtcpSalt, salt[..sessionSaltLength]);
                ReadSalt(salt, out _rtcpSaltHigh, out _rtcpSaltLow);
            }
        }
        catch
        {
            DisposeCiphers();
            throw;
        }
        finally
        {
            key.Clear();
            salt.Clear();
            auth.Clear();
        }
    }

    public int RtpTrailerLength => _rtpTagLength;

    public int RtcpTrailerLength => _rtcpTagLength + SrtcpIndexLength;

    public int StreamCount => _streams.Count;

    // ------------------------------------------------------------------ SRTP

    public SrtpErrorStatus ProtectRtp(byte* p, ref int length)
    {
        int len = length;
        if (_disposed)
            return SrtpErrorStatus.NoCtx;
        if (len < RtpHeaderLength)
            return SrtpErrorStatus.BadParam;
        int hdr = RtpHeaderSize(p, len);
        if (hdr < 0)
            return SrtpErrorStatus.ParseErr;

        uint ssrc = ReadBe32(p + 8);
        ushort seq = ReadBe16(p + 2);
        Stream stream = GetOrCreateStream(ssrc);
        long delta = stream.Rtp.EstimateRtpIndex(seq, out ulong index);
        SrtpErrorStatus replay = stream.Rtp.Check(index, delta);
        if (replay == SrtpErrorStatus.Ok)
            stream.Rtp.Add(index, delta);
        else if (replay != SrtpErrorStatus.ReplayFail)
            return replay; // too old; an exact repeat is allowed (retransmission without RTX)

        uint roc = (uint)(index >> 16);
        if (_aead)
        {
            byte* iv = stackalloc byte[AesGcm.IvLength];
            RtpGcmIv(iv, ssrc, roc, seq);
            if (!_rtpGcm!.Seal(iv, p, hdr, null, 0, p + hdr, len - hdr, p + len))
                return SrtpErrorStatus.CipherFail;
            length = len + AesGcm.TagLength;
            return SrtpErrorStatus.Ok;
        }

        byte* ctrIv = stackalloc byte[16];
        CounterIv(ctrIv, _rtpSaltHigh, _rtpSaltLow, ssrc, index);
        if (!_rtpCtr!.Apply(ctrIv, p + hdr, len - hdr))
            return SrtpErrorStatus.CipherFail;
        byte* mac = stackalloc byte[KeyedHmacSha1.Length];
        RtpTag(p, len, roc, mac);
        Unsafe.CopyBlockUnaligned(p + len, mac, (uint)_rtpTagLength);
        length = len + _rtpTagLength;
        return SrtpErrorStatus.Ok;
    }

    public SrtpErrorStatus UnprotectRtp(byte* p, ref int length)
    {
        int len = length;
        if (_disposed)
            return SrtpErrorStatus.NoCtx;
        if (len < RtpHeaderLength)
            return SrtpErrorStatus.BadParam;
        int body = len - _rtpTagLength;
        if (body < RtpHeaderLength)
            return SrtpErrorStatus.BadParam;
        int hdr = RtpHeaderSize(p, body);
        if (hdr < 0)
            return SrtpErrorStatus.ParseErr;

        uint ssrc = ReadBe32(p + 8);
        ushort seq = ReadBe16(p + 2);
        Stream? stream = FindStream(ssrc);
        ulong index;
        long delta;
        if (stream != null)
        {
            delta = stream.Rtp.EstimateRtpIndex(seq, out index);
            SrtpErrorStatus replay = stream.Rtp.Check(index, delta);
            if (replay != SrtpErrorStatus.Ok)
                return replay;
        }
        else
        {
            // A new stream starts with rollover counter 0 (what a fresh window estimates).
            index = seq;
            delta = seq;
        }

        uint roc = (uint)(index >> 16);
        byte* tag = p + body;
        if (_aead)
        {
            byte* iv = stackalloc byte[AesGcm.IvLength];
            RtpGcmIv(iv, ssrc, roc, seq);
            if (!_rtpGcm!.Open(iv, p, hdr, null, 0, p + hdr, body - hdr, tag))
                return SrtpErrorStatus.AuthFail;
        }
        else
        {
            byte* mac = stackalloc byte[KeyedHmacSha1.Length];
            RtpTag(p, body, roc, mac);
            if (LibCrypto.CRYPTO_memcmp(mac, tag, (nuint)_rtpTagLength) != 0)
                return SrtpErrorStatus.AuthFail;
            byte* ctrIv = stackalloc byte[16];
            CounterIv(ctrIv, _rtpSaltHigh, _rtpSaltLow, ssrc, index);
            if (!_rtpCtr!.Apply(ctrIv, p + hdr, body - hdr))
                return SrtpErrorStatus.CipherFail;
        }

        stream ??= CreateStream(ssrc);
        stream.Rtp.Add(index, delta);
        length = body;
        return SrtpErrorStatus.Ok;
    }

    // ------------------------------------------------------------------ SRTCP

    public SrtpErrorStatus ProtectRtcp(byte* p, ref int length)
    {
        int len = length;
        if (_disposed)
            return SrtpErrorStatus.NoCtx;
        if (len < RtcpHeaderLength)
            return SrtpErrorStatus.BadParam;

        uint ssrc = ReadBe32(p + 4);
        Stream stream = GetOrCreateStream(ssrc);
        if (stream.RtcpSendIndex >= MaxSrtcpIndex)
            return SrtpErrorStatus.KeyExpired;
        uint index = ++stream.RtcpSendIndex;
        uint trailer = SrtcpEncryptedFlag | index;

        if (_aead)
        {
            byte* trailerBytes = stackalloc byte[SrtcpIndexLength];
            WriteBe32(trailerBytes, trailer);
            byte* iv = stackalloc byte[AesGcm.IvLength];
            GcmIv(iv, _rtcpSaltHigh, _rtcpSaltLow, (ulong)ssrc << 16, index);
            // AEAD layout (RFC 7714 §9.3): ciphertext, tag, then E‖index.
            if (!_rtcpGcm!.Seal(iv, p, RtcpHeaderLength, trailerBytes, SrtcpIndexLength, p + RtcpHeaderLength, len - RtcpHeaderLength, p + len))
                return SrtpErrorStatus.CipherFail;
            WriteBe32(p + len + AesGcm.TagLength, trailer);
            length = len + AesGcm.TagLength + SrtcpIndexLength;
            return SrtpErrorStatus.Ok;
        }

        byte* ctrIv = stackalloc byte[16];
        CounterIv(ctrIv, _rtcpSaltHigh, _rtcpSaltLow, ssrc, index);
        if (!_rtcpCtr!.Apply(ctrIv, p + RtcpHeaderLength, len - RtcpHeaderLength))
            return SrtpErrorStatus.CipherFail;
        // RFC 3711 layout: ciphertext, E‖index, then the tag over everything before it.
        WriteBe32(p + len, trailer);
        byte* mac = stackalloc byte[KeyedHmacSha1.Length];
        _rtcpAuth!.Compute(p, len + SrtcpIndexLength, null, 0, mac);
        Unsafe.CopyBlockUnaligned(p + len + SrtcpIndexLength, mac, (uint)_rtcpTagLength);
        length = len + SrtcpIndexLength + _rtcpTagLength;
        return SrtpErrorStatus.Ok;
    }

    public SrtpErrorStatus UnprotectRtcp(byte* p, ref int length)
    {
        int len = length;
        if (_disposed)
            return SrtpErrorStatus.NoCtx;
        if (len < RtcpHeaderLength + _rtcpTagLength + SrtcpIndexLength)
            return SrtpErrorStatus.BadParam;

        uint ssrc = ReadBe32(p + 4);
        uint trailer;
        int body; // header + (encrypted) payload
        if (_aead)
        {
            trailer = ReadBe32(p + len - SrtcpIndexLength);
            body = len - SrtcpIndexLength - AesGcm.TagLength;
        }
        else
        {
            trailer = ReadBe32(p + len - _rtcpTagLength - SrtcpIndexLength);
            body = len - _rtcpTagLength - SrtcpIndexLength;
        }
        uint index = trailer & MaxSrtcpIndex;
        bool encrypted = (trailer & SrtcpEncryptedFlag) != 0;

        Stream? stream = FindStream(ssrc);
        long delta = (long)index - (long)(stream?.Rtcp.Highest ?? 0);
        if (stream != null)
        {
            SrtpErrorStatus replay = stream.Rtcp.Check(index, delta);
            if (replay != SrtpErrorStatus.Ok)
                return replay;
        }

        if (_aead)
        {
            byte* iv = stackalloc byte[AesGcm.IvLength];
            GcmIv(iv, _rtcpSaltHigh, _rtcpSaltLow, (ulong)ssrc << 16, index);
            byte* trailerBytes = p + len - SrtcpIndexLength;
            bool ok = encrypted
                ? _rtcpGcm!.Open(iv, p, RtcpHeaderLength, trailerBytes, SrtcpIndexLength, p + RtcpHeaderLength, body - RtcpHeaderLength, p + body)
                // Not encrypted: the whole packet is authenticated data (RFC 7714 §9.2).
                : _rtcpGcm!.Open(iv, p, body, trailerBytes, SrtcpIndexLength, p + body, 0, p + body);
            if (!ok)
                return SrtpErrorStatus.AuthFail;
        }
        else
        {
            byte* mac = stackalloc byte[KeyedHmacSha1.Length];
            _rtcpAuth!.Compute(p, body + SrtcpIndexLength, null, 0, mac);
            if (LibCrypto.CRYPTO_memcmp(mac, p + body + SrtcpIndexLength, (nuint)_rtcpTagLength) != 0)
                return SrtpErrorStatus.AuthFail;
            if (encrypted)
            {
                byte* ctrIv = stackalloc byte[16];
                CounterIv(ctrIv, _rtcpSaltHigh, _rtcpSaltLow, ssrc, index);
                if (!_rtcpCtr!.Apply(ctrIv, p + RtcpHeaderLength, body - RtcpHeaderLength))
                    return SrtpErrorStatus.CipherFail;
            }
        }

        stream ??= CreateStream(ssrc);
        stream.Rtcp.Add(index, delta);
        length = body;
        return SrtpErrorStatus.Ok;
    }

    public void RemoveStream(uint ssrc)
    {
        if (!_streams.Remove(ssrc, out Stream? stream))
            return;
        if (_lastStream == stream)
            _lastStream = null;
        // Keep a few for reuse: SSRCs come and go with consumers, the state is ~300 bytes.
        if (_spareStreams.Count < MaxSpareStreams)
            _spareStreams.Push(stream);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _streams.Clear();
        _lastStream = null;
        DisposeCiphers();
    }

    // ------------------------------------------------------------------ helpers

    private sealed class Stream(int rtpWindowSize)
    {
        public uint Ssrc;
        public readonly SrtpReplayWindow Rtp = new(rtpWindowSize);
        public readonly SrtpReplayWindow Rtcp = new(RtcpReplayWindowSize);
        public uint RtcpSendIndex;

        public void Reset(uint ssrc)
        {
            Ssrc = ssrc;
            Rtp.Reset();
            Rtcp.Reset();
            RtcpSendIndex = 0;
        }
    }

    private Stream? FindStream(uint ssrc)
    {
        Stream? last = _lastStream;
        if (last != null && last.Ssrc == ssrc)
            return last;
        if (_streams.TryGetValue(ssrc, out Stream? stream))
            _lastStream = stream;
        return stream;
    }

    private Stream GetOrCreateStream(uint ssrc) => FindStream(ssrc) ?? CreateStream(ssrc);

    private Stream CreateStream(uint ssrc)
    {
        Stream stream = _spareStreams.Count > 0 ? _spareStreams.Pop() : new Stream(_rtpWindowSize);
        stream.Reset(ssrc);
        _streams[ssrc] = stream;
        _lastStream = stream;
        return stream;
    }

    /// <summary>Fixed header + CSRCs + extension block; -1 when they do not fit in <paramref name="length"/>.</summary>
    private static int RtpHeaderSize(byte* p, int length)
    {
        int size = RtpHeaderLength + 4 * (p[0] & 0x0F);
        if ((p[0] & 0x10) != 0)
        {
            if (size + 4 > length)
                return -1;
            size += 4 + 4 * ReadBe16(p + size + 2);
        }
        return size <= length ? size : -1;
    }

    // RFC 3711 §4.2: HMAC over the authenticated portion followed by the rollover counter.
    private void RtpTag(byte* packet, int length, uint roc, byte* mac)
    {
        byte* rocBytes = stackalloc byte[4];
        WriteBe32(rocBytes, roc);
        _rtpAuth!.Compute(packet, length, rocBytes, 4, mac);
    }

    // RFC 7714 §8.1: 00 00 ‖ SSRC ‖ ROC ‖ SEQ, XOR the salt.
    private void RtpGcmIv(byte* iv, uint ssrc, uint roc, ushort seq) =>
        GcmIv(iv, _rtpSaltHigh, _rtpSaltLow, ((ulong)ssrc << 16) | (roc >> 16), (roc << 16) | seq);

    // AES-CM IV (RFC 3711 §4.1.1): salt·2^16 ⊕ SSRC·2^64 ⊕ index·2^16.
    private static void CounterIv(byte* iv, ulong saltHigh, ulong saltLow, uint ssrc, ulong index)
    {
        WriteBe64(iv, saltHigh ^ ssrc);
        WriteBe64(iv + 8, saltLow ^ (index << 16));
    }

    // GCM IV (RFC 7714 §8.1, §9.1): the 12-byte salt ⊕ the 12 bytes given as 8 + 4.
    private static void GcmIv(byte* iv, ulong saltHigh, ulong saltLow, ulong high, uint low)
    {
        WriteBe64(iv, saltHigh ^ high);
        WriteBe32(iv + 8, (uint)(saltLow >> 32) ^ low);
    }

    private static void ReadSalt(ReadOnlySpan<byte> salt16, out ulong high, out ulong low)
    {
        high = BinaryPrimitives.ReadUInt64BigEndian(salt16);
        low = BinaryPrimitives.ReadUInt64BigEndian(salt16[8..]);
    }

    private static AesGcm DeriveGcm(AesCtr prf, ReadOnlySpan<byte> masterSalt, byte keyLabel, byte saltLabel,
        Span<byte> key, Span<byte> salt, out ulong saltHigh, out ulong saltLow)
    {
        SrtpKeyDerivation.Derive(prf, masterSalt, keyLabel, key);
        Span<byte> salt16 = stackalloc byte[16];
        salt16.Clear();
        SrtpKeyDerivation.Derive(prf, masterSalt, saltLabel, salt);
        salt.CopyTo(salt16);
        ReadSalt(salt16, out saltHigh, out saltLow);
        salt16.Clear();
        return new AesGcm(key);
    }

    private void DisposeCiphers()
    {
        _rtpCtr?.Dispose();
        _rtcpCtr?.Dispose();
        _rtpGcm?.Dispose();
        _rtcpGcm?.Dispose();
    }

    private static ushort ReadBe16(byte* p) => (ushort)((p[0] << 8) | p[1]);

    private static uint ReadBe32(byte* p) => BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(p));

    private static void WriteBe32(byte* p, uint value) => Unsafe.WriteUnaligned(p, BinaryPrimitives.ReverseEndianness(value));

    private static void WriteBe64(byte* p, ulong value) => Unsafe.WriteUnaligned(p, BinaryPrimitives.ReverseEndianness(value));
}
