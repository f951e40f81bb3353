using System;

namespace Mediasoup.Channel;

/// <summary>
/// How channel frames travel between host and worker: fds (<see cref="ChannelSocket"/>, the
/// executable) or the library host's callbacks (<see cref="ChannelCallbacks"/>). Framing above
/// it is shared: the listener gets one message per call without its length prefix, and
/// <see cref="Send"/> takes one whole frame with its 4-byte size prefix.
/// </summary>
public interface IChannelTransport : IDisposable
{
    void Start(IChannelSocketListener listener);

    /// <summary>One complete frame (prefix included); never dropped while the host is there.</summary>
    void Send(ReadOnlySpan<byte> frame);

    /// <summary>Stops reading. Pending output stays and can still be flushed.</summary>
    void StopReading();

    /// <summary>Tries to hand pending output to the host now; true when nothing is left.</summary>
    bool TryFlush();
}
