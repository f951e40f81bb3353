namespace Mediasoup.Dtls;

/// <summary>Same numbering as FBS.WebRtcTransport.DtlsRole, so it casts across.</summary>
internal enum DtlsRole : byte
{
    Auto = 0,
    Client = 1,
    Server = 2,
}
