using System;

namespace Mediasoup.Net;

/// <summary>
/// How UDP sockets move datagrams on this worker's loop, chosen by <see cref="NetIo"/> for the
/// loop backend: readiness + recvmmsg/sendmmsg (<see cref="ReadinessDatagramIo"/>), or io_uring
/// multishot receives into a provided-buffer ring and sendmsg requests (<see cref="UringDatagramIo"/>).
/// The socket keeps its send queue; the strategy decides how it leaves.
/// </summary>
internal interface IDatagramIo : IDisposable
{
    string Name { get; }

    /// <summary>Starts receiving for socket (called once, from its constructor).</summary>
    void Open(UdpSocket socket);

    /// <summary>Stops receiving. The socket's fd is closed right after, so anything that
    /// still refers to the fd number must reach the kernel now.</summary>
    void Close(UdpSocket socket);

    /// <summary>Sends (or hands to the kernel) the socket's queued datagrams and empties its queue.</summary>
    void Send(UdpSocket socket);

    /// <summary>End of a loop iteration, after all sockets flushed.</summary>
    void EndIteration();
}
