using System;
using System.Buffers.Binary;
using Mediasoup.Interop.LibSrtp;

namespace Mediasoup.Srtp;

/// <summary>
/// One libsrtp2 session (srtp_t) keyed with one master key‖salt for every SSRC, in one
/// direction (libsrtp templates are either "any inbound" or "any outbound").
/// </summary>
internal sealed unsafe class LibSrtpEngine : ISrtpEngine
{
    private readonly SafeSrtpSessionHandle _handle;
    private IntPtr _session;

    public LibSrtpEngine(SrtpDirection direction, SrtpCryptoSuite suite, ReadOnlySpan<byte> keyAndSalt, int replayWindowSize)
    {
        SrtpLibrary.EnsureInitialized();

        SrtpPolicy policy = default;
        policy.SsrcType = direction == SrtpDirection.Inbound ? SrtpSsrcType.AnyInbound : SrtpSsrcType.AnyOutbound;
        switch (suite)
        {
            case SrtpCryptoSuite.AeadAes256Gcm:
                LibSrtp.srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.Rtp);
                LibSrtp.srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.Rtcp);
                break;
            case SrtpCryptoSuite.AeadAes128Gcm:
                LibSrtp.srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.Rtp);
                LibSrtp.srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.Rtcp);
                break;
            case SrtpCryptoSuite.AesCm128HmacSha1_80:
                LibSrtp.srtp_crypto_policy_set_rtp_default(&policy.Rtp);
                LibSrtp.srtp_crypto_policy_set_rtp_default(&policy.Rtcp);
                break;
            case SrtpCryptoSuite.AesCm128HmacSha1_32:
                LibSrtp.srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.Rtp);
                // RFC 5764 §4.1.2: the _32 profile still uses an 80-bit SRTCP tag.
                LibSrtp.srtp_crypto_policy_set_rtp_default(&policy.Rtcp);
                break;
        }
        policy.WindowSize = (nuint)replayWindowSize;
        // Lets the sender re-protect a packet with a seq it already sent (NACK retransmission
        // without RTX); libsrtp only reads it when protecting.
        policy.AllowRepeatTx = 1;

        SrtpErrorStatus status;
        SafeSrtpSessionHandle handle;
        // libsrtp derives its session keys inside srtp_create and keeps no pointer to ours.
        fixed (byte* key = keyAndSalt)
        {
            policy.Key = key;
            status = LibSrtp.srtp_create(out handle, &policy);
        }
        if (status != SrtpErrorStatus.Ok || handle.IsInvalid)
        {
            handle.Dispose();
            throw new SrtpException("srtp_create() failed", status);
        }

        _handle = handle;
        _session = handle.DangerousGetHandle();
        RtpTrailerLength = policy.Rtp.AuthTagLen;
        RtcpTrailerLength = policy.Rtcp.AuthTagLen + LibSrtp.SrtcpIndexLength;
    }

    public int RtpTrailerLength { get; }
    public int RtcpTrailerLength { get; }

    public SrtpErrorStatus ProtectRtp(byte* data, ref int length) => Call(&LibSrtp.srtp_protect, data, ref length);

    public SrtpErrorStatus UnprotectRtp(byte* data, ref int length) => Call(&LibSrtp.srtp_unprotect, data, ref length);

    public SrtpErrorStatus ProtectRtcp(byte* data, ref int length) => Call(&LibSrtp.srtp_protect_rtcp, data, ref length);

    public SrtpErrorStatus UnprotectRtcp(byte* data, ref int length) => Call(&LibSrtp.srtp_unprotect_rtcp, data, ref length);

    public void RemoveStream(uint ssrc)
    {
        if (_session == IntPtr.Zero)
            return;
        // libsrtp indexes streams by the SSRC as it sits in the packet.
        LibSrtp.srtp_remove_stream(_session, BinaryPrimitives.ReverseEndianness(ssrc));
        GC.KeepAlive(_handle);
    }

    public void Dispose()
    {
        _session = IntPtr.Zero;
        _handle.Dispose();
    }

    private SrtpErrorStatus Call(delegate*<IntPtr, byte*, int*, SrtpErrorStatus> op, byte* data, ref int length)
    {
        if (_session == IntPtr.Zero)
            return SrtpErrorStatus.NoCtx;
        int len = length;
        SrtpErrorStatus status = op(_session, data, &len);
        GC.KeepAlive(_handle);
        if (status == SrtpErrorStatus.Ok)
            length = len;
        return status;
    }
}
