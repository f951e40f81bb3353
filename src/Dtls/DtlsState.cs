namespace Mediasoup.Dtls;

/// <summary>Same numbering as FBS.WebRtcTransport.DtlsState, so it casts across.</summary>
internal enum DtlsState : byte
{
    New = 0,
    Connecting = 1,
    Connected = 2,
    /// <summary>Handshake error, fatal alert, fingerprint mismatch, no SRTP profile, or timeout.</summary>
    Failed = 3,
    /// <summary>The peer sent close_notify after we were connected (or we closed locally).</summary>
    Closed = 4,
}
