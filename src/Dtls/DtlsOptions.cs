using System;
using Mediasoup.Srtp;

namespace Mediasoup.Dtls;

/// <summary>
/// Knobs of a <see cref="DtlsContext"/>. The defaults are the reference worker's; the
/// others exist for tests (one SRTP profile, fast retransmission timers).
/// </summary>
internal sealed class DtlsOptions
{
    public static DtlsOptions Default { get; } = new();

    /// <summary>use_srtp profiles offered, in preference order.</summary>
    public SrtpCryptoSuite[] SrtpProfiles { get; init; } = SrtpCryptoSuites.All.ToArray();

    /// <summary>Largest datagram we send (SSL_set_mtu and DTLS_set_link_mtu).</summary>
    public int Mtu { get; init; } = 1350;

    /// <summary>First handshake retransmission timeout.</summary>
    public int InitialRetransmitMs { get; init; } = 100;

    /// <summary>
    /// Retransmission timeouts double until they reach this, then stay at it. (Like the
    /// reference, a timeout just below the cap still doubles once: 3.2 s becomes 6.4 s.)
    /// </summary>
    public int RetransmitCapMs { get; init; } = 4000;

    /// <summary>Fail instead of arming a timeout this long or longer.</summary>
    public int GiveUpTimeoutMs { get; init; } = 30000;

    internal void Validate()
    {
        if (SrtpProfiles is null || SrtpProfiles.Length == 0)
            throw new ArgumentException("at least one SRTP crypto suite is needed");
        foreach (SrtpCryptoSuite suite in SrtpProfiles)
        {
            if (!suite.IsValid())
                throw new ArgumentOutOfRangeException(nameof(SrtpProfiles));
        }
        // 256 is OpenSSL's smallest DTLS MTU; 65507 the largest UDP payload.
        if (Mtu is < 256 or > 65507)
            throw new ArgumentOutOfRangeException(nameof(Mtu));
        // Timer values go to OpenSSL in microseconds as an unsigned int.
        if (InitialRetransmitMs is < 1 or > 600_000)
            throw new ArgumentOutOfRangeException(nameof(InitialRetransmitMs));
        if (RetransmitCapMs < InitialRetransmitMs || RetransmitCapMs > 600_000)
            throw new ArgumentOutOfRangeException(nameof(RetransmitCapMs));
        if (GiveUpTimeoutMs < 1)
            throw new ArgumentOutOfRangeException(nameof(GiveUpTimeoutMs));
    }
}
