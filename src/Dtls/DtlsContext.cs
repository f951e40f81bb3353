using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.OpenSsl;
using Mediasoup.Logging;

namespace Mediasoup.Dtls;

/// <summary>
/// One worker's DTLS settings: an SSL_CTX (DTLS 1.0/1.2) holding the worker's certificate
/// and key, the reference's cipher list and use_srtp profiles, peer certificate required
/// (any chain accepted: the fingerprint from signalling is what authenticates), no session
/// cache or tickets. Every <see cref="DtlsTransport"/> of the worker is created from it.
/// </summary>
internal sealed unsafe class DtlsContext : IDisposable
{
    private const string CipherList = "DEFAULT:!NULL:!aNULL:!SHA256:!SHA384:!aECDH:!AESGCM+AES256:!aPSK";

    private readonly SafeSslCtxHandle _ctx;

    public DtlsContext(DtlsCertificate certificate, Logger logger, DtlsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(logger);
        options ??= DtlsOptions.Default;
        options.Validate();

        Certificate = certificate;
        Logger = logger;
        Options = options;

        LibCrypto.ERR_clear_error();
        _ctx = LibSsl.SSL_CTX_new(LibSsl.DTLS_method());
        if (_ctx.IsInvalid)
        {
            _ctx.Dispose();
            throw DtlsException.FromOpenSsl("SSL_CTX_new() failed");
        }

        try
        {
            Configure(certificate, options);
        }
        catch
        {
            _ctx.Dispose();
            throw;
        }
    }

    public DtlsCertificate Certificate { get; }
    public Logger Logger { get; }
    internal DtlsOptions Options { get; }

    internal SafeSslCtxHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_ctx.IsClosed, this);
            return _ctx;
        }
    }

    /// <summary>Transports keep their own reference to the SSL_CTX, so this may precede their disposal.</summary>
    public void Dispose() => _ctx.Dispose();

    private void Configure(DtlsCertificate certificate, DtlsOptions options)
    {
        if (LibSsl.SSL_CTX_use_certificate(_ctx, certificate.CertificateHandle) != 1)
            throw DtlsException.FromOpenSsl("SSL_CTX_use_certificate() failed");
        if (LibSsl.SSL_CTX_use_PrivateKey(_ctx, certificate.PrivateKeyHandle) != 1)
            throw DtlsException.FromOpenSsl("SSL_CTX_use_PrivateKey() failed");
        if (LibSsl.SSL_CTX_check_private_key(_ctx) != 1)
            throw DtlsException.FromOpenSsl("SSL_CTX_check_private_key() failed");

        // SSL_OP_SINGLE_ECDH_USE is 0 (always on) and ECDH curve selection is automatic
        // since OpenSSL 1.1.0, so neither needs a call.
        LibSsl.SSL_CTX_set_options(_ctx,
            LibSsl.SSL_OP_CIPHER_SERVER_PREFERENCE | LibSsl.SSL_OP_NO_TICKET | LibSsl.SSL_OP_NO_QUERY_MTU);
        LibSsl.SSL_CTX_ctrl(_ctx, LibSsl.SSL_CTRL_SET_SESS_CACHE_MODE, LibSsl.SSL_SESS_CACHE_OFF, null);
        LibSsl.SSL_CTX_ctrl(_ctx, LibSsl.SSL_CTRL_SET_READ_AHEAD, 0, null);

        LibSsl.SSL_CTX_set_verify_depth(_ctx, 4);
        LibSsl.SSL_CTX_set_verify(_ctx,
            LibSsl.SSL_VERIFY_PEER | LibSsl.SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &AcceptAnyCertificate);

        if (LibSsl.SSL_CTX_set_cipher_list(_ctx, CipherList) != 1)
            throw DtlsException.FromOpenSsl("SSL_CTX_set_cipher_list() failed");

        string profiles = DtlsSrtpProfiles.ToOpenSslList(options.SrtpProfiles);
        Logger.Debug(LogTags.Dtls, $"setting SRTP crypto suites for DTLS: {profiles}");
        // This one returns 0 on success.
        if (LibSsl.SSL_CTX_set_tlsext_use_srtp(_ctx, profiles) != 0)
            throw DtlsException.FromOpenSsl($"SSL_CTX_set_tlsext_use_srtp('{profiles}') failed");

        LibCrypto.ERR_clear_error();
    }

    /// <summary>Peer certificates are self-signed; their fingerprint is checked after the handshake.</summary>
    [UnmanagedCallersOnly]
    private static int AcceptAnyCertificate(int preverifyOk, IntPtr storeContext) => 1;
}
