using System.Runtime.InteropServices;
using Mediasoup.Channel;
using Mediasoup.Interop.Wake;
using Mediasoup.Loop;
using Xunit;

namespace Mediasoup.Tests.Channel;

/// <summary>
/// The library-mode channel against a fake host written in C# with the C callback signatures
/// of mediasoup-sys: the first readFn call comes unprompted with the handle, a wake-up from
/// another thread drains every queued message (each given back through the free function),
/// frames go out whole through writeFn, and the handle is dead once the channel is disposed.
/// </summary>
public sealed unsafe class ChannelCallbacksTests
{
    private sealed class FakeHost : IChannelSocketListener
    {
        public readonly Queue<byte[]> ToWorker = new();
        public readonly List<byte[]> Delivered = new();
        public readonly List<byte[]> Written = new();
        public readonly object Lock = new();
        public nint Handle;
        public int Reads;
        public int Outstanding;
        public readonly Dictionary<nint, GCHandle> Pinned = new();

        public void OnChannelFrame(byte[] buffer, int offset, int length) => Delivered.Add(buffer.AsSpan(offset, length).ToArray());

        public void OnChannelClosed() => throw new InvalidOperationException("callback channels have no EOF");
    }

    private static FakeHost Host(void* ctx) => (FakeHost)GCHandle.FromIntPtr((nint)ctx).Target!;

    [UnmanagedCallersOnly]
    private static nint Read(byte** msg, uint* len, nuint* msgCtx, void* handle, void* ctx)
    {
        FakeHost host = Host(ctx);
        lock (host.Lock)
        {
            host.Reads++;
            host.Handle = (nint)handle;
            if (!host.ToWorker.TryDequeue(out byte[]? next))
                return 0;
            GCHandle pin = GCHandle.Alloc(next, GCHandleType.Pinned);
            *msg = (byte*)pin.AddrOfPinnedObject();
            *len = (uint)next.Length;
            *msgCtx = (nuint)(nint)ctx;
            host.Pinned[pin.AddrOfPinnedObject()] = pin;
            host.Outstanding++;
        }
        return (nint)(delegate* unmanaged<byte*, uint, nuint, void>)&Free;
    }

    [UnmanagedCallersOnly]
    private static void Free(byte* msg, uint len, nuint msgCtx)
    {
        FakeHost host = Host((void*)msgCtx);
        lock (host.Lock)
        {
            host.Pinned.Remove((nint)msg, out GCHandle pin);
            pin.Free();
            host.Outstanding--;
        }
    }

    [UnmanagedCallersOnly]
    private static void Write(byte* msg, uint len, void* ctx) => Host(ctx).Written.Add(new ReadOnlySpan<byte>(msg, (int)len).ToArray());

    [Fact]
    public void FirstReadUnprompted_WakeUpDrainsTheQueue_WritesWholeFrames_DeadHandleAfterDispose()
    {
        var host = new FakeHost();
        GCHandle self = GCHandle.Alloc(host);
        try
        {
            using EventLoop loop = EventLoop.Create(LoopBackendKind.Epoll, out _);
            var channel = new ChannelCallbacks(loop,
                (nint)(delegate* unmanaged<byte**, uint*, nuint*, void*, void*, nint>)&Read, GCHandle.ToIntPtr(self),
                (nint)(delegate* unmanaged<byte*, uint, void*, void>)&Write, GCHandle.ToIntPtr(self));
            channel.Start(host);
            Assert.Equal(0, host.Reads);
            loop.RunOnce(0);
            Assert.Equal(1, host.Reads);
            Assert.Equal(channel.Handle, host.Handle);

            // The host queues from another thread and wakes the worker there.
            var messages = Enumerable.Range(1, 100).Select(i => Enumerable.Repeat((byte)i, i * 3).ToArray()).ToList();
            var sender = new Thread(() =>
            {
                foreach (byte[] m in messages)
                {
                    lock (host.Lock)
                        host.ToWorker.Enqueue(m);
                    Assert.Equal(0, Wake.Send(host.Handle));
                }
            });
            sender.Start();
            sender.Join();
            long deadline = Environment.TickCount64 + 5000;
            while (host.Delivered.Count < messages.Count && Environment.TickCount64 < deadline)
                loop.RunOnce(10);
            Assert.Equal(messages, host.Delivered);
            Assert.Equal(0, host.Outstanding);

            byte[] frame = [4, 0, 0, 0, 9, 8, 7, 6];
            channel.Send(frame);
            Assert.Equal(frame, Assert.Single(host.Written));
            Assert.True(channel.TryFlush());

            nint handle = channel.Handle;
            channel.Dispose();
            Assert.True(Wake.Send(handle) < 0);
            channel.Send(frame);
            Assert.Single(host.Written);
        }
        finally
        {
            self.Free();
        }
    }

    [Fact]
    public void HandlesAreNeverReused_AndUnknownOnesAreRejected()
    {
        using EventLoop loop = EventLoop.Create(LoopBackendKind.Epoll, out _);
        var seen = new HashSet<nint>();
        nint fake = (nint)(delegate* unmanaged<byte**, uint*, nuint*, void*, void*, nint>)&Read;
        nint write = (nint)(delegate* unmanaged<byte*, uint, void*, void>)&Write;
        for (int i = 0; i < 20; i++)
        {
            using var channel = new ChannelCallbacks(loop, fake, 0, write, 0);
            Assert.True(seen.Add(channel.Handle));
        }
        foreach (nint h in seen)
            Assert.True(Wake.Send(h) < 0);
        Assert.True(Wake.Send(0) < 0);
        Assert.True(Wake.Send(12345) < 0);
    }
}
