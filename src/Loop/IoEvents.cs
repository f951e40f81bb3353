using System;

namespace Mediasoup.Loop;

/// <summary>Readiness bits, numerically equal to epoll's so backends pass them through.</summary>
[Flags]
public enum IoEvents : uint
{
    None = 0,
    Readable = 0x001,
    Writable = 0x004,
    Error = 0x008,
    HangUp = 0x010,
}

/// <summary>Something the loop calls back when its fd becomes ready.</summary>
public interface IIoHandler
{
    /// <summary>Readiness is edge-triggered: drain until EAGAIN, or call
    /// <see cref="IoWatch.Reschedule"/> to be called again on the next iteration.</summary>
    void OnIoReady(IoEvents events);
}

/// <summary>One event returned by a poll backend: readiness of a watched fd, or (io_uring
/// only, token with <see cref="EventLoop.CompletionTokenBit"/>) the completion of a request
/// someone submitted on the ring, with its result and CQE flags.</summary>
public struct ReadyEvent
{
    public ulong Token;
    public IoEvents Events;
    public int Result;
    public uint Flags;
}

/// <summary>Receives completions of requests submitted directly on the io_uring ring.</summary>
internal interface ICompletionHandler
{
    void OnCompletion(ulong token, int result, uint flags);
}
