namespace Mediasoup.Bwe;

/// <summary>The fields of the 'bwe' trace event (FBS.Transport.BweTraceInfo), bit/s.</summary>
internal readonly record struct BweTrace(
    long DesiredBitrate,
    long EffectiveDesiredBitrate,
    long MinBitrate,
    long MaxBitrate,
    long StartBitrate,
    long MaxPaddingBitrate,
    long AvailableBitrate);
