using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mediasoup.Interop.OpenSsl;
using Mediasoup.Logging;
using Mediasoup.Srtp;

namespace Mediasoup.Dtls;

/// <summary>
/// The DTLS side of one WebRtcTransport, sans-IO: datagrams in through
/// <see cref="ProcessDtlsData"/>, datagrams out through the listener, time passed in.
/// OpenSSL works on two memory BIOs; what it writes is cut into datagrams of whole records
/// no larger than the MTU. Handshake retransmission follows OpenSSL's DTLS timer, which
/// runs on the real clock: <see cref="NextTimeoutMs"/> is that timer translated to the
/// caller's clock, and <see cref="OnTimer"/> asks OpenSSL to act on it.
/// Not thread-safe (one worker loop).
/// </summary>
internal sealed unsafe class DtlsTransport : IDisposable
{
    /// <summary>Largest plaintext of one record (2^14): what one SSL_read can return.</summary>
    private const int MaxRecordPlaintext = 16384;
    private const int RecordHeaderLength = 13;
    private const int SendScratchLength = 2048;
    // Bounds the "already expired" loop in SetTimeout (OpenSSL gives up after 12 anyway).
    private const int MaxImmediateTimeouts = 16;

    private static ReadOnlySpan<byte> SrtpExporterLabel => "EXTRACTOR-dtls_srtp"u8;

    private readonly DtlsContext _context;
    private readonly IDtlsTransportListener _listener;
    private readonly Logger _logger;
    private readonly GCHandle _self;

    private SafeSslHandle? _ssl;
    private IntPtr _sslPtr;
    private IntPtr _rbio; // what OpenSSL reads (owned by the SSL)
    private IntPtr _wbio; // what OpenSSL writes (owned by the SSL)
    // Bumped whenever the SSL is replaced or closed, so loops notice re-entrant resets.
    private int _generation;

    private DtlsFingerprint? _remoteFingerprint;
    private bool _handshakeDone;
    private bool _handshakeDoneNow;
    private bool _closedLocally;

    public DtlsTransport(DtlsContext context, IDtlsTransportListener listener)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(listener);
        _context = context;
        _listener = listener;
        _logger = context.Logger;
        // Weak: an undisposed transport can still be collected (its SSL is then freed by
        // the SafeHandle). While OpenSSL calls back, the transport is on the stack.
        _self = GCHandle.Alloc(this, GCHandleType.Weak);
        try
        {
            CreateSsl();
        }
        catch
        {
            _self.Free();
            throw;
        }
    }

    ~DtlsTransport()
    {
        if (_self.IsAllocated)
            _self.Free();
    }

    public DtlsState State { get; private set; } = DtlsState.New;

    /// <summary>Client or server once <see cref="Run"/> was called; null before and after a reset.</summary>
    public DtlsRole? LocalRole { get; private set; }

    public DtlsFingerprint? RemoteFingerprint => _remoteFingerprint;

    /// <summary>The handshake finished (maybe still waiting for the remote fingerprint).</summary>
    public bool IsHandshakeDone => _handshakeDone;

    /// <summary>Set when connected.</summary>
    public SrtpCryptoSuite? SrtpCryptoSuite { get; private set; }

    /// <summary>The peer's certificate in PEM, set when connected.</summary>
    public string? RemoteCertificatePem { get; private set; }

    /// <summary>When <see cref="OnTimer"/> should next be called (caller's clock, ms); null for never.</summary>
    public long? NextTimeoutMs { get; private set; }

    private bool IsRunning => State is DtlsState.Connecting or DtlsState.Connected;

    /// <summary>RFC 7983 demultiplexing: a DTLS record starts with 20..63 and is at least 13 bytes.</summary>
    public static bool IsDtls(ReadOnlySpan<byte> data) =>
        data.Length >= RecordHeaderLength && data[0] > 19 && data[0] < 64;

    /// <summary>
    /// Starts the handshake as client or server. Calling it again with the other role
    /// resets the connection first (the reference's behaviour when connect() picks client
    /// after we started as server); with the same role it does nothing.
    /// </summary>
    public void Run(DtlsRole role, long nowMs)
    {
        ThrowIfDisposed();
        if (role is not (DtlsRole.Client or DtlsRole.Server))
            throw new ArgumentOutOfRangeException(nameof(role), "local DTLS role must be client or server");
        if (_closedLocally)
        {
            _logger.Error("cannot run a closed DTLS transport");
            return;
        }
        if (LocalRole == role)
        {
            _logger.Error("same local DTLS role provided, doing nothing");
            return;
        }
        if (LocalRole is not null)
        {
            _logger.Debug(LogTags.Dtls, $"resetting DTLS due to local role change");
            Reset();
        }

        LocalRole = role;
        int generation = _generation;
        SetState(DtlsState.Connecting);
        if (generation != _generation)
            return;

        IntPtr ssl = _sslPtr;
        LibCrypto.ERR_clear_error();
        if (role == DtlsRole.Client)
        {
            _logger.Debug(LogTags.Dtls, $"running [role:client]");
            LibSsl.SSL_set_connect_state(ssl);
        }
        else
        {
            _logger.Debug(LogTags.Dtls, $"running [role:server]");
            LibSsl.SSL_set_accept_state(ssl);
        }
        int ret = LibSsl.SSL_do_handshake(ssl);
        int error = LibSsl.SSL_get_error(ssl, ret);
        FlushOutgoing();
        if (generation != _generation)
            return;
        if (!CheckStatus(error) || generation != _generation)
            return;
        SetTimeout(nowMs);
    }

    /// <summary>
    /// The fingerprint from signalling. Checked when the handshake completes, or right
    /// now if it already has (then false means the check failed and the state is failed).
    /// </summary>
    public bool SetRemoteFingerprint(DtlsFingerprint fingerprint)
    {
        ThrowIfDisposed();
        if (!Enum.IsDefined(fingerprint.Algorithm))
            throw new ArgumentOutOfRangeException(nameof(fingerprint));
        ArgumentNullException.ThrowIfNull(fingerprint.Value, nameof(fingerprint));

        _remoteFingerprint = fingerprint;
        if (_handshakeDone && State == DtlsState.Connecting)
        {
            _logger.Debug(LogTags.Dtls, $"handshake already done, processing it right now");
            return ProcessHandshake();
        }
        return true;
    }

    /// <summary>One received datagram (records already known to be DTLS by the caller).</summary>
    [SkipLocalsInit]
    public void ProcessDtlsData(ReadOnlySpan<byte> datagram, long nowMs)
    {
        ThrowIfDisposed();
        if (!IsRunning)
        {
            _logger.Error("cannot process data while not running");
            return;
        }
        if (datagram.IsEmpty)
            return;

        LibCrypto.ERR_clear_error();
        // Each BIO read must see exactly one datagram, as on a UDP socket.
        if (LibCrypto.BIO_ctrl(_rbio, LibCrypto.BIO_CTRL_PENDING, 0, null) > 0)
            LibCrypto.BIO_ctrl(_rbio, LibCrypto.BIO_CTRL_RESET, 0, null);

        int written;
        fixed (byte* data = datagram)
            written = LibCrypto.BIO_write(_rbio, data, datagram.Length);
        if (written != datagram.Length)
        {
            _logger.Warn(LogTags.Dtls,
                $"OpenSSL BIO_write() wrote less ({written} bytes) than given data ({datagram.Length} bytes)");
        }

        int generation = _generation;
        IntPtr ssl = _sslPtr;
        byte* buffer = stackalloc byte[MaxRecordPlaintext];
        while (true)
        {
            int read = LibSsl.SSL_read(ssl, buffer, MaxRecordPlaintext);
            int error = read > 0 ? LibSsl.SSL_ERROR_NONE : LibSsl.SSL_get_error(ssl, read);
            FlushOutgoing();
            if (generation != _generation)
                return;
            if (!CheckStatus(error) || generation != _generation)
                return;
            if (read <= 0)
                break;

            // Data may come once the handshake is done, before the fingerprint is checked.
            if (!_handshakeDone)
            {
                _logger.Warn(LogTags.Dtls, $"ignoring application data received while DTLS handshake not done");
                continue;
            }
            _listener.OnDtlsApplicationData(this, new ReadOnlySpan<byte>(buffer, read));
            if (generation != _generation || !IsRunning)
                return;
        }

        // Never let a leftover be glued to the next datagram.
        if (LibCrypto.BIO_ctrl(_rbio, LibCrypto.BIO_CTRL_PENDING, 0, null) > 0)
            LibCrypto.BIO_ctrl(_rbio, LibCrypto.BIO_CTRL_RESET, 0, null);
        LibCrypto.ERR_clear_error();

        SetTimeout(nowMs);
    }

    /// <summary>Sends one application data record (at most 16384 bytes). False if not connected or it failed.</summary>
    public bool SendApplicationData(ReadOnlySpan<byte> data)
    {
        ThrowIfDisposed();
        if (State != DtlsState.Connected)
        {
            _logger.Warn(LogTags.Dtls, $"cannot send application data while DTLS is not fully connected");
            return false;
        }
        if (data.IsEmpty)
        {
            _logger.Warn(LogTags.Dtls, $"ignoring 0 length data");
            return false;
        }
        // OpenSSL would fail the write and the connection with it; a caller bug should not.
        if (data.Length > MaxRecordPlaintext)
        {
            _logger.Warn(LogTags.Dtls, $"ignoring too large data ({data.Length} bytes, max {MaxRecordPlaintext})");
            return false;
        }

        IntPtr ssl = _sslPtr;
        int generation = _generation;
        LibCrypto.ERR_clear_error();
        int written;
        fixed (byte* p = data)
            written = LibSsl.SSL_write(ssl, p, data.Length);
        int error = written > 0 ? LibSsl.SSL_ERROR_NONE : LibSsl.SSL_get_error(ssl, written);
        if (written <= 0)
            LogOpenSslErrors("SSL_write() failed");
        FlushOutgoing();
        if (generation != _generation)
            return false;

        if (written <= 0)
        {
            CheckStatus(error);
            return false;
        }
        if (written != data.Length)
        {
            _logger.Warn(LogTags.Dtls,
                $"OpenSSL SSL_write() wrote less ({written} bytes) than given data ({data.Length} bytes)");
            return false;
        }
        return true;
    }

    /// <summary>
    /// Handshake retransmission: call when the caller's clock reaches
    /// <see cref="NextTimeoutMs"/>. Early or spurious calls are harmless.
    /// </summary>
    public void OnTimer(long nowMs)
    {
        ThrowIfDisposed();
        if (!IsRunning || NextTimeoutMs is not long due || nowMs < due)
            return;
        NextTimeoutMs = null;
        // Retransmission after the handshake is OpenSSL's business (it answers the peer's).
        if (_handshakeDone)
            return;
        if (HandleOpenSslTimeout())
            SetTimeout(nowMs);
    }

    /// <summary>
    /// Sends close_notify if running and stops for good, without an event (the owner is
    /// closing). <see cref="Dispose"/> also does this.
    /// </summary>
    public void Close()
    {
        if (_closedLocally || _ssl is null)
            return;
        if (IsRunning)
        {
            LibCrypto.ERR_clear_error();
            LibSsl.SSL_shutdown(_sslPtr);
            LibCrypto.ERR_clear_error();
            FlushOutgoing();
        }
        _closedLocally = true;
        _generation++;
        NextTimeoutMs = null;
        State = DtlsState.Closed;
    }

    public void Dispose()
    {
        if (_ssl is null)
            return;
        Close();
        _generation++;
        _ssl.Dispose();
        _ssl = null;
        _sslPtr = _rbio = _wbio = IntPtr.Zero;
        if (_self.IsAllocated)
            _self.Free();
        GC.SuppressFinalize(this);
    }

    // ------------------------------------------------------------------ internals

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_ssl is null, this);

    private void CreateSsl()
    {
        SafeSslHandle ssl = LibSsl.SSL_new(_context.Handle);
        if (ssl.IsInvalid)
        {
            ssl.Dispose();
            throw DtlsException.FromOpenSsl("SSL_new() failed");
        }

        IntPtr p = ssl.DangerousGetHandle();
        IntPtr rbio = LibCrypto.BIO_new_raw(LibCrypto.BIO_s_mem());
        IntPtr wbio = LibCrypto.BIO_new_raw(LibCrypto.BIO_s_mem());
        if (rbio == IntPtr.Zero || wbio == IntPtr.Zero)
        {
            if (rbio != IntPtr.Zero)
                LibCrypto.BIO_free(rbio);
            if (wbio != IntPtr.Zero)
                LibCrypto.BIO_free(wbio);
            ssl.Dispose();
            throw DtlsException.FromOpenSsl("BIO_new() failed");
        }
        // From here the SSL owns the BIOs.
        LibSsl.SSL_set_bio(p, rbio, wbio);
        LibSsl.SSL_set_ex_data(p, 0, GCHandle.ToIntPtr(_self));

        int mtu = _context.Options.Mtu;
        LibSsl.SSL_ctrl(p, LibSsl.SSL_CTRL_SET_MTU, mtu, null);
        LibSsl.SSL_ctrl(p, LibSsl.DTLS_CTRL_SET_LINK_MTU, mtu, null);
        LibSsl.SSL_set_info_callback(p, &OnSslInfo);
        LibSsl.DTLS_set_timer_cb(p, &OnDtlsTimer);
        LibCrypto.ERR_clear_error();

        _ssl = ssl;
        _sslPtr = p;
        _rbio = rbio;
        _wbio = wbio;
    }

    /// <summary>
    /// Back to New with a fresh SSL (more predictable than SSL_clear after errors). Like the
    /// reference, a completed connection gets close_notify on the way.
    /// </summary>
    /// <returns>False if not running, or if a re-entrant call took over meanwhile.</returns>
    private bool Reset()
    {
        if (!IsRunning)
            return false;

        _logger.Warn(LogTags.Dtls, $"resetting DTLS transport");
        NextTimeoutMs = null;

        LibCrypto.ERR_clear_error();
        LibSsl.SSL_shutdown(_sslPtr);
        LibCrypto.ERR_clear_error();
        int generation = _generation;
        FlushOutgoing();
        if (generation != _generation || _ssl is null)
            return false;

        LocalRole = null;
        State = DtlsState.New;
        _handshakeDone = false;
        _handshakeDoneNow = false;
        SrtpCryptoSuite = null;
        RemoteCertificatePem = null;

        _generation++;
        SafeSslHandle old = _ssl;
        _ssl = null;
        old.Dispose();
        CreateSsl();
        return true;
    }

    /// <summary>Acts on the result of an SSL call. False when the transport failed or closed.</summary>
    private bool CheckStatus(int error)
    {
        bool wasHandshakeDone = _handshakeDone;
        switch (error)
        {
            case LibSsl.SSL_ERROR_NONE:
            case LibSsl.SSL_ERROR_WANT_READ:
            case LibSsl.SSL_ERROR_ZERO_RETURN:
                break;
            case LibSsl.SSL_ERROR_SSL:
                LogOpenSslErrors("SSL status: SSL_ERROR_SSL");
                break;
            case LibSsl.SSL_ERROR_SYSCALL:
                LogOpenSslErrors("SSL status: SSL_ERROR_SYSCALL");
                break;
            case LibSsl.SSL_ERROR_WANT_WRITE:
                _logger.Warn(LogTags.Dtls, $"SSL status: SSL_ERROR_WANT_WRITE");
                break;
            case LibSsl.SSL_ERROR_WANT_X509_LOOKUP:
                _logger.Debug(LogTags.Dtls, $"SSL status: SSL_ERROR_WANT_X509_LOOKUP");
                break;
            default:
                _logger.Warn(LogTags.Dtls, $"SSL status: unknown error {error}");
                break;
        }
        LibCrypto.ERR_clear_error();

        if (_handshakeDoneNow)
        {
            _handshakeDoneNow = false;
            _handshakeDone = true;
            NextTimeoutMs = null;
            // Only the first handshake counts (renegotiations are ignored).
            if (!wasHandshakeDone && _remoteFingerprint is not null)
                return ProcessHandshake();
            return true;
        }

        if ((LibSsl.SSL_get_shutdown(_sslPtr) & LibSsl.SSL_RECEIVED_SHUTDOWN) != 0
            || error == LibSsl.SSL_ERROR_SSL || error == LibSsl.SSL_ERROR_SYSCALL)
        {
            if (State == DtlsState.Connected)
            {
                _logger.Debug(LogTags.Dtls, $"disconnected");
                Fail(DtlsState.Closed);
            }
            else
            {
                _logger.Warn(LogTags.Dtls, $"connection failed");
                Fail(DtlsState.Failed);
            }
            return false;
        }
        return true;
    }

    /// <summary>Reset, then report <paramref name="state"/> (failed or closed).</summary>
    private void Fail(DtlsState state)
    {
        // A re-entrant call during the reset's close_notify may have moved on already.
        if (Reset())
            SetState(state);
    }

    /// <summary>Arms <see cref="NextTimeoutMs"/> from OpenSSL's timer. False when it gave up.</summary>
    private bool SetTimeout(long nowMs)
    {
        if (!IsRunning)
            return false;
        if (_handshakeDone)
        {
            NextTimeoutMs = null;
            return true;
        }

        for (int i = 0; i < MaxImmediateTimeouts; i++)
        {
            LibSsl.TimeVal remaining = default;
            if (LibSsl.SSL_ctrl(_sslPtr, LibSsl.DTLS_CTRL_GET_TIMEOUT, 0, &remaining) == 0)
            {
                NextTimeoutMs = null; // no flight in the air
                return true;
            }

            long timeoutMs = remaining.Seconds * 1000L + remaining.Microseconds / 1000;
            if (timeoutMs <= 0)
            {
                // Already due: retransmit now.
                if (!HandleOpenSslTimeout())
                    return false;
                continue;
            }
            if (timeoutMs >= _context.Options.GiveUpTimeoutMs)
            {
                _logger.Warn(LogTags.Dtls, $"DTLS timeout too high ({timeoutMs}ms), resetting DLTS");
                Fail(DtlsState.Failed);
                return false;
            }

            NextTimeoutMs = nowMs + timeoutMs;
            return true;
        }

        // OpenSSL keeps reporting an expired timer: try again very soon.
        NextTimeoutMs = nowMs + 1;
        return true;
    }

    /// <summary>DTLSv1_handle_timeout. False when the transport failed (or was reset meanwhile).</summary>
    private bool HandleOpenSslTimeout()
    {
        int generation = _generation;
        LibCrypto.ERR_clear_error();
        // 1: retransmitted; 0: not expired on OpenSSL's clock; -1: gave up.
        nint ret = LibSsl.SSL_ctrl(_sslPtr, LibSsl.DTLS_CTRL_HANDLE_TIMEOUT, 0, null);
        if (ret < 0)
            LogOpenSslErrors("DTLSv1_handle_timeout() failed");
        LibCrypto.ERR_clear_error();
        FlushOutgoing();
        if (generation != _generation)
            return false;
        if (ret < 0)
        {
            Fail(DtlsState.Failed);
            return false;
        }
        return true;
    }

    private bool ProcessHandshake()
    {
        if (!CheckRemoteFingerprint(out string? pem))
        {
            Fail(DtlsState.Failed);
            return false;
        }

        LibSsl.SrtpProtectionProfile* profile = LibSsl.SSL_get_selected_srtp_profile(_sslPtr);
        if (profile == null || !DtlsSrtpProfiles.TryFromProfileId(profile->Id, out SrtpCryptoSuite suite))
        {
            // use_srtp is required even when no media is planned, as in the reference.
            _logger.Warn(LogTags.Dtls, $"SRTP crypto suite not negotiated");
            Fail(DtlsState.Failed);
            return false;
        }
        if (_logger.IsDebugEnabled(LogTags.Dtls))
        {
            _logger.Debug(LogTags.Dtls,
                $"chosen SRTP crypto suite: {suite.ToName()} [{PtrToString(LibSsl.SSL_get_version(_sslPtr))}, cipher:{PtrToString(LibSsl.SSL_CIPHER_get_name(LibSsl.SSL_get_current_cipher(_sslPtr)))}]");
        }

        return ExtractSrtpKeysAndConnect(suite, pem!);
    }

    private bool CheckRemoteFingerprint(out string? pem)
    {
        pem = null;
        DtlsFingerprint expected = _remoteFingerprint!.Value;
        using SafeX509Handle certificate = LibSsl.SSL_get1_peer_certificate(_sslPtr);
        if (certificate.IsInvalid)
        {
            _logger.Warn(LogTags.Dtls, $"no certificate was provided by the peer");
            return false;
        }

        string actual;
        try
        {
            actual = DtlsCertificate.ComputeFingerprint(certificate, expected.Algorithm);
        }
        catch (DtlsCertificateException error)
        {
            _logger.Error($"X509_digest() failed: {error.Message}");
            return false;
        }
        // Exact comparison, as the reference (signalling uses uppercase hex).
        if (!string.Equals(actual, expected.Value, StringComparison.Ordinal))
        {
            _logger.Warn(LogTags.Dtls,
                $"fingerprint in the remote certificate ({actual}) does not match the announced one ({expected.Value})");
            return false;
        }
        _logger.Debug(LogTags.Dtls, $"valid remote fingerprint");

        try
        {
            pem = DtlsCertificate.ToPem(certificate);
        }
        catch (DtlsCertificateException error)
        {
            _logger.Error($"PEM_write_bio_X509() failed: {error.Message}");
            return false;
        }
        return true;
    }

    [SkipLocalsInit]
    private bool ExtractSrtpKeysAndConnect(SrtpCryptoSuite suite, string pem)
    {
        int keyLength = suite.KeyLength();
        int saltLength = suite.SaltLength();
        int total = keyLength + saltLength;

        // RFC 5764 §4.2: client key, server key, client salt, server salt.
        Span<byte> material = stackalloc byte[2 * total];
        Span<byte> local = stackalloc byte[total];
        Span<byte> remote = stackalloc byte[total];
        int ok;
        fixed (byte* output = material)
        fixed (byte* label = SrtpExporterLabel)
        {
            ok = LibSsl.SSL_export_keying_material(_sslPtr, output, (nuint)material.Length,
                label, (nuint)SrtpExporterLabel.Length, null, 0, 0);
        }
        if (ok != 1)
        {
            LogOpenSslErrors("SSL_export_keying_material() failed");
            Fail(DtlsState.Failed);
            return false;
        }

        Span<byte> clientKey = material[..keyLength];
        Span<byte> serverKey = material.Slice(keyLength, keyLength);
        Span<byte> clientSalt = material.Slice(2 * keyLength, saltLength);
        Span<byte> serverSalt = material.Slice(2 * keyLength + saltLength, saltLength);
        bool isClient = LocalRole == DtlsRole.Client;
        (isClient ? clientKey : serverKey).CopyTo(local);
        (isClient ? clientSalt : serverSalt).CopyTo(local[keyLength..]);
        (isClient ? serverKey : clientKey).CopyTo(remote);
        (isClient ? serverSalt : clientSalt).CopyTo(remote[keyLength..]);
        material.Clear();

        int generation = _generation;
        SrtpCryptoSuite = suite;
        RemoteCertificatePem = pem;
        State = DtlsState.Connected;
        try
        {
            _listener.OnDtlsConnected(this, suite, local, remote, pem);
        }
        finally
        {
            local.Clear();
            remote.Clear();
        }
        return generation == _generation && IsRunning;
    }

    private void SetState(DtlsState state)
    {
        State = state;
        switch (state)
        {
            case DtlsState.Connecting:
                _listener.OnDtlsConnecting(this);
                break;
            case DtlsState.Failed:
                _listener.OnDtlsFailed(this);
                break;
            case DtlsState.Closed:
                _listener.OnDtlsClosed(this);
                break;
        }
    }

    /// <summary>Hands everything OpenSSL wrote to the listener, one datagram at a time.</summary>
    [SkipLocalsInit]
    private void FlushOutgoing()
    {
        int generation = _generation;
        IntPtr wbio = _wbio;
        int mtu = _context.Options.Mtu;
        byte* scratch = stackalloc byte[SendScratchLength];
        while (generation == _generation)
        {
            byte* pending = null;
            nint length = LibCrypto.BIO_ctrl(wbio, LibCrypto.BIO_CTRL_INFO, 0, &pending);
            if (length <= 0 || pending == null)
                return;

            int size = NextDatagramLength(new ReadOnlySpan<byte>(pending, (int)Math.Min(length, int.MaxValue)), mtu);
            byte[]? rented = size > SendScratchLength ? ArrayPool<byte>.Shared.Rent(size) : null;
            try
            {
                fixed (byte* pinned = rented)
                {
                    byte* target = rented is null ? scratch : pinned;
                    // Copied out before calling back: a re-entrant write may reallocate the BIO.
                    int read = LibCrypto.BIO_read(wbio, target, size);
                    if (read <= 0)
                        return;
                    _listener.OnDtlsSendData(this, new ReadOnlySpan<byte>(target, read));
                }
            }
            finally
            {
                if (rented is not null)
                    ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Length of the first datagram in <paramref name="pending"/>: as many whole records as
    /// fit in <paramref name="mtu"/>, at least one (OpenSSL already sized each to the MTU).
    /// </summary>
    internal static int NextDatagramLength(ReadOnlySpan<byte> pending, int mtu)
    {
        int offset = 0;
        while (pending.Length - offset >= RecordHeaderLength)
        {
            int record = RecordHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(pending.Slice(offset + 11, 2));
            if (record > pending.Length - offset)
                return pending.Length; // not a whole record: cannot happen with OpenSSL, send as is
            if (offset > 0 && offset + record > mtu)
                return offset;
            offset += record;
        }
        // A stray tail shorter than a record header stays with what precedes it.
        return pending.Length;
    }

    private void LogOpenSslErrors(string what)
    {
        string errors = OpenSslErrors.Take();
        if (errors.Length == 0)
            _logger.Error($"OpenSSL error [desc:'{what}']");
        else
            _logger.Error($"OpenSSL error [desc:'{what}', error:'{errors}']");
    }

    private static string PtrToString(IntPtr text) => Marshal.PtrToStringUTF8(text) ?? "";

    private static DtlsTransport? FromSsl(IntPtr ssl)
    {
        IntPtr handle = LibSsl.SSL_get_ex_data(ssl, 0);
        return handle == IntPtr.Zero ? null : GCHandle.FromIntPtr(handle).Target as DtlsTransport;
    }

    // ------------------------------------------------------------------ OpenSSL callbacks

    [UnmanagedCallersOnly]
    private static void OnSslInfo(IntPtr ssl, int where, int ret)
    {
        try
        {
            FromSsl(ssl)?.HandleSslInfo(ssl, where, ret);
        }
        catch
        {
            // Nothing may unwind through OpenSSL.
        }
    }

    private void HandleSslInfo(IntPtr ssl, int where, int ret)
    {
        if ((where & LibSsl.SSL_CB_HANDSHAKE_DONE) != 0)
            _handshakeDoneNow = true;

        if (!_logger.IsDebugEnabled(LogTags.Dtls) && !_logger.IsWarnEnabled(LogTags.Dtls))
            return;

        string role = (where & LibSsl.SSL_ST_CONNECT) != 0 ? "client"
            : (where & LibSsl.SSL_ST_ACCEPT) != 0 ? "server"
            : "undefined";
        if ((where & LibSsl.SSL_CB_LOOP) != 0)
        {
            _logger.Debug(LogTags.Dtls, $"[role:{role}, action:'{PtrToString(LibSsl.SSL_state_string_long(ssl))}']");
        }
        else if ((where & LibSsl.SSL_CB_ALERT) != 0)
        {
            string type = PtrToString(LibSsl.SSL_alert_type_string(ret)) switch
            {
                "W" => "warning",
                "F" => "fatal",
                _ => "undefined",
            };
            string description = PtrToString(LibSsl.SSL_alert_desc_string_long(ret));
            if ((where & LibSsl.SSL_CB_READ) != 0)
                _logger.Warn(LogTags.Dtls, $"received DTLS {type} alert: {description}");
            else if ((where & LibSsl.SSL_CB_WRITE) != 0)
                _logger.Debug(LogTags.Dtls, $"sending DTLS {type} alert: {description}");
            else
                _logger.Debug(LogTags.Dtls, $"DTLS {type} alert: {description}");
        }
        else if ((where & LibSsl.SSL_CB_EXIT) != 0)
        {
            if (ret == 0)
                _logger.Debug(LogTags.Dtls, $"[role:{role}, failed:'{PtrToString(LibSsl.SSL_state_string_long(ssl))}']");
            else if (ret < 0)
                _logger.Debug(LogTags.Dtls, $"[role:{role}, waiting:'{PtrToString(LibSsl.SSL_state_string_long(ssl))}']");
        }
        else if ((where & LibSsl.SSL_CB_HANDSHAKE_START) != 0)
        {
            _logger.Debug(LogTags.Dtls, $"DTLS handshake start");
        }
        else if ((where & LibSsl.SSL_CB_HANDSHAKE_DONE) != 0)
        {
            _logger.Debug(LogTags.Dtls, $"DTLS handshake done");
        }
    }

    /// <summary>Next retransmission timeout (µs) after <paramref name="timerUs"/> (0: the first).</summary>
    [UnmanagedCallersOnly]
    private static uint OnDtlsTimer(IntPtr ssl, uint timerUs)
    {
        try
        {
            DtlsOptions options = FromSsl(ssl)?._context.Options ?? DtlsOptions.Default;
            return NextRetransmitUs(timerUs, options);
        }
        catch
        {
            return 1_000_000;
        }
    }

    internal static uint NextRetransmitUs(uint timerUs, DtlsOptions options)
    {
        uint initialUs = (uint)options.InitialRetransmitMs * 1000;
        uint capUs = (uint)options.RetransmitCapMs * 1000;
        if (timerUs == 0)
            return initialUs;
        if (timerUs >= capUs)
            return capUs;
        return timerUs > uint.MaxValue / 2 ? capUs : timerUs * 2;
    }
}
