using System;
using System.Buffers.Binary;
using Mediasoup.Interop.LibSrtp;

namespace Mediasoup.Srtp;

internal enum SrtpDirection : byte
{
    /// <summary>Unprotects what the remote sends (any SSRC).</summary>
    Inbound = 1,
    /// <summary>Protects what we send (any SSRC).</summary>
    Outbound = 2,
}

/// <summary>
/// The SRTP context for one direction of a transport, keyed with one master key‖salt for
/// every SSRC. Per-packet calls work in place, never allocate and never throw: a packet that
/// cannot be processed returns false and is counted, with the reason kept in
/// <see cref="LastError"/> for the caller's log line. The transforms come from an
/// <see cref="ISrtpEngine"/> (our OpenSSL one by default, libsrtp2 on request). Not thread-safe.
/// </summary>
internal sealed unsafe class SrtpSession : IDisposable
{
    /// <summary>
    /// The most any suite appends (SRTCP with a 16-byte GCM tag + 4-byte index; no MKI):
    /// a send buffer with this much room past the packet always suffices.
    /// </summary>
    internal const int MaxTrailerLength = LibSrtp.MaxTagLength + LibSrtp.SrtcpIndexLength;

    // The reference uses a 1024-packet replay window instead of libsrtp's default 128;
    // matched so that the same late (reordered) packets are accepted.
    internal const int ReplayWindowSize = 1024;

    private ISrtpEngine? _engine;

    /// <param name="keyAndSalt">Master key followed by master salt, <see cref="SrtpCryptoSuites.KeyAndSaltLength"/> bytes.</param>
    /// <exception cref="ArgumentException">Unknown suite or wrong key length (a caller bug: lengths are validated at the control plane).</exception>
    /// <exception cref="SrtpException">libsrtp refused the policy.</exception>
    public SrtpSession(SrtpDirection direction, SrtpCryptoSuite suite, ReadOnlySpan<byte> keyAndSalt,
        SrtpEngineKind engine = SrtpEngineKind.OpenSsl)
    {
        if (direction is not (SrtpDirection.Inbound or SrtpDirection.Outbound))
            throw new ArgumentOutOfRangeException(nameof(direction));
        if (!suite.IsValid())
            throw new ArgumentOutOfRangeException(nameof(suite));
        if (keyAndSalt.Length != suite.KeyAndSaltLength())
            throw new ArgumentException(
                $"{suite.ToName()} needs {suite.KeyAndSaltLength()} bytes of key and salt, got {keyAndSalt.Length}",
                nameof(keyAndSalt));

        _engine = engine == SrtpEngineKind.LibSrtp
            ? new LibSrtpEngine(direction, suite, keyAndSalt, ReplayWindowSize)
            : new OpenSslSrtpEngine(suite, keyAndSalt, ReplayWindowSize);
        Direction = direction;
        CryptoSuite = suite;
        Engine = engine;
        RtpTrailerLength = _engine.RtpTrailerLength;
        RtcpTrailerLength = _engine.RtcpTrailerLength;
    }

    public SrtpEngineKind Engine { get; }

    public SrtpDirection Direction { get; }
    public SrtpCryptoSuite CryptoSuite { get; }

    /// <summary>Bytes ProtectRtp appends: the auth tag (16 GCM, 10 SHA1_80, 4 SHA1_32).</summary>
    public int RtpTrailerLength { get; }

    /// <summary>Bytes ProtectRtcp appends: E flag + SRTCP index (4) and the auth tag (20 GCM, 14 otherwise).</summary>
    public int RtcpTrailerLength { get; }

    /// <summary>Packets this session refused (any operation).</summary>
    public ulong FailedPackets { get; private set; }

    /// <summary>Why the most recent refused packet was refused; Ok if none yet.</summary>
    public SrtpErrorStatus LastError { get; private set; }

    public bool IsDisposed => _engine == null;

    /// <summary>
    /// Encrypts and authenticates the RTP packet at <paramref name="data"/> in place, appending
    /// the tag. <paramref name="capacity"/> is the writable size from <paramref name="data"/>;
    /// it must hold <paramref name="length"/> + <see cref="RtpTrailerLength"/>, else nothing is
    /// written and LastError is BufferSmall. Callers that keep the plaintext (the NACK store)
    /// protect a copy. On failure <paramref name="length"/> is unchanged.
    /// </summary>
    public bool ProtectRtp(byte* data, ref int length, int capacity)
    {
        if (!CheckProtectArgs(data, length, capacity, RtpTrailerLength))
            return false;
        return Complete(_engine!.ProtectRtp(data, ref length));
    }

    /// <summary>
    /// Verifies and decrypts the SRTP packet in place; <paramref name="length"/> shrinks by the
    /// trailer. On failure the length is unchanged and the RTP header is as received (for the
    /// caller's log line), but the payload may already be garbled.
    /// </summary>
    public bool UnprotectRtp(byte* data, ref int length)
    {
        if (!CheckUnprotectArgs(data, length))
            return false;
        return Complete(_engine!.UnprotectRtp(data, ref length));
    }

    /// <summary>As <see cref="ProtectRtp(byte*, ref int, int)"/> for a (compound) RTCP packet; needs <see cref="RtcpTrailerLength"/> spare bytes.</summary>
    public bool ProtectRtcp(byte* data, ref int length, int capacity)
    {
        if (!CheckProtectArgs(data, length, capacity, RtcpTrailerLength))
            return false;
        return Complete(_engine!.ProtectRtcp(data, ref length));
    }

    /// <summary>Verifies and decrypts the SRTCP packet in place; <paramref name="length"/> shrinks by the trailer.</summary>
    public bool UnprotectRtcp(byte* data, ref int length)
    {
        if (!CheckUnprotectArgs(data, length))
            return false;
        return Complete(_engine!.UnprotectRtcp(data, ref length));
    }

    // Span forms: the buffer's length is the capacity; the packet is its first `length` bytes.

    public bool ProtectRtp(Span<byte> buffer, ref int length)
    {
        fixed (byte* p = buffer)
            return ProtectRtp(p, ref length, buffer.Length);
    }

    public bool UnprotectRtp(Span<byte> packet, out int length)
    {
        length = packet.Length;
        fixed (byte* p = packet)
            return UnprotectRtp(p, ref length);
    }

    public bool ProtectRtcp(Span<byte> buffer, ref int length)
    {
        fixed (byte* p = buffer)
            return ProtectRtcp(p, ref length, buffer.Length);
    }

    public bool UnprotectRtcp(Span<byte> packet, out int length)
    {
        length = packet.Length;
        fixed (byte* p = packet)
            return UnprotectRtcp(p, ref length);
    }

    /// <summary>
    /// Frees the per-SSRC state (replay window, rollover counter) libsrtp created for
    /// <paramref name="ssrc"/> when a stream closes; without it a long-lived transport keeps
    /// every SSRC it ever saw. Unknown SSRCs are ignored.
    /// </summary>
    public void RemoveStream(uint ssrc) => _engine?.RemoveStream(ssrc);

    public void Dispose()
    {
        _engine?.Dispose();
        _engine = null;
    }

    private bool CheckProtectArgs(byte* data, int length, int capacity, int trailer)
    {
        if (data == null || length < 0 || _engine == null)
            return Fail(_engine == null ? SrtpErrorStatus.NoCtx : SrtpErrorStatus.BadParam);
        // The engines write the trailer past `length` without knowing the buffer size.
        if (capacity < length || capacity - length < trailer)
            return Fail(SrtpErrorStatus.BufferSmall);
        return true;
    }

    private bool CheckUnprotectArgs(byte* data, int length)
    {
        if (data == null || length < 0 || _engine == null)
            return Fail(_engine == null ? SrtpErrorStatus.NoCtx : SrtpErrorStatus.BadParam);
        return true;
    }

    private bool Complete(SrtpErrorStatus status) => status == SrtpErrorStatus.Ok || Fail(status);

    private bool Fail(SrtpErrorStatus status)
    {
        LastError = status;
        FailedPackets++;
        return false;
    }
}
