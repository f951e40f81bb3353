namespace Mediasoup.Ice;

/// <summary>ICE-lite server states; values match FBS.WebRtcTransport.IceState.</summary>
internal enum IceState : byte
{
    New = 0,
    Connected = 1,
    Completed = 2,
    Disconnected = 3,
}
