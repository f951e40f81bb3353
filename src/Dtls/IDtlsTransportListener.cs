using System;
using Mediasoup.Srtp;

namespace Mediasoup.Dtls;

/// <summary>
/// What a <see cref="DtlsTransport"/> reports. Called synchronously from within the
/// transport's methods, never from inside OpenSSL. Spans are valid only during the call.
/// </summary>
internal interface IDtlsTransportListener
{
    /// <summary>The handshake is starting (Run). Incoming media may flow.</summary>
    void OnDtlsConnecting(DtlsTransport transport);

    /// <summary>
    /// Handshake done, remote fingerprint verified, SRTP profile negotiated. Keys are
    /// master key followed by master salt: local protects what we send, remote unprotects
    /// what we receive.
    /// </summary>
    void OnDtlsConnected(
        DtlsTransport transport,
        SrtpCryptoSuite srtpCryptoSuite,
        ReadOnlySpan<byte> localKeyAndSalt,
        ReadOnlySpan<byte> remoteKeyAndSalt,
        string remoteCertificatePem);

    /// <summary>Handshake or fingerprint failure, fatal alert, or timeout.</summary>
    void OnDtlsFailed(DtlsTransport transport);

    /// <summary>The peer sent close_notify while connected.</summary>
    void OnDtlsClosed(DtlsTransport transport);

    /// <summary>One datagram (one or more whole DTLS records) to send to the peer.</summary>
    void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram);

    /// <summary>One application data record (e.g. an SCTP packet) from the peer.</summary>
    void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data);
}
