using System;
using Mediasoup.Worker;

namespace Mediasoup;

internal static class Program
{
    /// <summary>The host writes requests to fd 3 and reads our output from fd 4.</summary>
    private const int ConsumerChannelFd = 3;
    private const int ProducerChannelFd = 4;

    private static int Main(string[] args)
    {
        string? version = Environment.GetEnvironmentVariable("MEDIASOUP_VERSION");
        if (version == null)
        {
            // Only a mediasoup host sets it: anything else is not driving us over fds 3/4.
            Console.Error.WriteLine("MEDIASOUP_VERSION is not set: mediasoup-worker must be spawned by a mediasoup host");
            return 41;
        }
        return WorkerRunner.Run(args, version, ConsumerChannelFd, ProducerChannelFd, executable: true);
    }
}
