using Google.FlatBuffers;
using Mediasoup.Channel;
using Mediasoup.Dtls;
using Mediasoup.Interop.Libc;
using Mediasoup.Logging;
using Mediasoup.Loop;
using Mediasoup.Settings;
using Mediasoup.Worker;
using Method = FBS.Request.Method;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// The channel's FlatBuffers requests and notifications, decoded and dispatched by a real
/// Worker (as WorkerRunner wires it, over pipes). An input is a sequence of frames, each
/// behind a 4-byte little-endian length as on the channel (the last one takes what is left),
/// so one input can create a router, a transport in it, and act on both. Every input meets a
/// fresh worker (only the DTLS certificate is shared), so no state is carried from one input to
/// the next. Responses are drained and discarded.
/// </summary>
internal sealed unsafe class ChannelTarget : IFuzzTarget
{
    private const int MaxFrames = 16;

    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private readonly byte[] _frame = new byte[70_000];
    private readonly byte[] _drain = new byte[65_536];

    public string Name => "channel";

    public void Run(ReadOnlySpan<byte> input)
    {
        using var harness = new Harness(_certificate);
        for (int frames = 0; frames < MaxFrames && input.Length >= 4 && !harness.Worker.IsClosed; frames++)
        {
            int length = (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(input), (uint)(input.Length - 4));
            input.Slice(4, length).CopyTo(_frame);
            input = input[(4 + length)..];
            ((IChannelSocketListener)harness.Channel).OnChannelFrame(_frame, 0, length);
            harness.Loop.RunOnce(0);
            fixed (byte* p = _drain)
            {
                while (Libc.Read(harness.HostReadFd, p, _drain.Length) > 0)
                {
                }
            }
        }
    }

    private sealed class Harness : IDisposable
    {
        private readonly int[] _fds = new int[4];

        public Harness(DtlsCertificate certificate)
        {
            fixed (int* f = _fds)
            {
                // O_NONBLOCK | O_CLOEXEC
                if (Libc.Pipe2(f, 0x800 | 0x80000) != 0 || Libc.Pipe2(f + 2, 0x800 | 0x80000) != 0)
                    throw new InvalidOperationException("pipe2");
            }
            Loop = EventLoop.Create(LoopBackendKind.Epoll, out _);
            Socket = new ChannelSocket(Loop, _fds[0], _fds[3]);
            Channel = new Mediasoup.Channel.Channel(Socket);
            var logger = new Logger(LogLevel.Error, LogTags.None);
            logger.SetSink(Channel);
            Context = new WorkerContext(Loop, Channel, logger, new WorkerSettings(), certificate, new Random(1));
            Worker = new Mediasoup.Worker.Worker(Context, Socket, handleSignals: false);
            Worker.Start();
        }

        public EventLoop Loop { get; }
        public ChannelSocket Socket { get; }
        public Mediasoup.Channel.Channel Channel { get; }
        public WorkerContext Context { get; }
        public Mediasoup.Worker.Worker Worker { get; }
        public int HostReadFd => _fds[2];

        public void Dispose()
        {
            Worker.Close();
            for (int i = 0; i < 20 && !Loop.IsStopping; i++)
                Loop.RunOnce(0);
            Context.Dispose();
            Socket.Dispose();
            Loop.Dispose();
            foreach (int fd in _fds)
                Libc.Close(fd);
        }
    }

    private static byte[] Request(uint id, Method method, string handlerId, FBS.Request.BodyUnion? body = null)
    {
        var b = new FlatBufferBuilder(256);
        var message = new FBS.Message.MessageT
        {
            Data = FBS.Message.BodyUnion.FromRequest(new FBS.Request.RequestT
            {
                Id = id,
                Method = method,
                HandlerId = handlerId,
                Body = body ?? new FBS.Request.BodyUnion(),
            }),
        };
        b.Finish(FBS.Message.Message.Pack(b, message).Value);
        return b.SizedByteArray();
    }

    /// <summary>Frames behind their 4-byte little-endian lengths: one input.</summary>
    public static byte[] Frames(IEnumerable<byte[]> frames)
    {
        var input = new List<byte>();
        foreach (byte[] f in frames)
        {
            input.AddRange(BitConverter.GetBytes(f.Length));
            input.AddRange(f);
        }
        return [.. input];
    }

    public IEnumerable<byte[]> Seeds()
    {
        byte[][] requests = [.. Requests()];
        foreach (byte[] r in requests)
            yield return Frames([r]);
        yield return Frames(requests);
    }

    private static IEnumerable<byte[]> Requests()
    {
        yield return Request(1, Method.WORKER_DUMP, "");
        yield return Request(2, Method.WORKER_GET_RESOURCE_USAGE, "");
        yield return Request(3, Method.WORKER_CREATE_ROUTER, "",
            FBS.Request.BodyUnion.FromWorker_CreateRouterRequest(new FBS.Worker.CreateRouterRequestT { RouterId = "r" }));
        yield return Request(4, Method.ROUTER_CREATE_PLAINTRANSPORT, "r",
            FBS.Request.BodyUnion.FromRouter_CreatePlainTransportRequest(new FBS.Router.CreatePlainTransportRequestT
            {
                TransportId = "t",
                Options = new FBS.PlainTransport.PlainTransportOptionsT
                {
                    Base = new FBS.Transport.OptionsT { EnableSctp = true, MaxReceiveMessageSize = 262144, MaxSendMessageSize = 262144, SctpSendBufferSize = 262144 },
                    ListenInfo = new FBS.Transport.ListenInfoT { Protocol = FBS.Transport.Protocol.UDP, Ip = "127.0.0.1", PortRange = new FBS.Transport.PortRangeT(), Flags = new FBS.Transport.SocketFlagsT() },
                    RtcpMux = true,
                    Comedia = true,
                },
            }));
        yield return Request(5, Method.ROUTER_DUMP, "r");
        yield return Request(6, Method.WORKER_CLOSE_ROUTER, "",
            FBS.Request.BodyUnion.FromWorker_CloseRouterRequest(new FBS.Worker.CloseRouterRequestT { RouterId = "r" }));
    }
}
