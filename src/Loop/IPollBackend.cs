using System;

namespace Mediasoup.Loop;

/// <summary>How the loop waits for fds. Edge-triggered: an fd is reported when it
/// becomes ready, not while it stays ready.</summary>
internal interface IPollBackend : IDisposable
{
    string Name { get; }

    /// <summary>Starts watching fd; errors throw LoopException.</summary>
    void Add(int fd, IoEvents interest, ulong token);

    void Remove(int fd, ulong token);

    /// <summary>Waits up to timeoutMs (-1 forever, 0 poll) and fills ready; returns the count.</summary>
    int Wait(Span<ReadyEvent> ready, int timeoutMs);
}

public sealed class LoopException(string message) : Exception(message);
