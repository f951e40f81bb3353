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
/// Worker (as WorkerRunner wires it, over pipes): every input is one frame payload. Responses
/// are drained and discarded. The worker is rebuilt every <see cref="RebuildEvery"/> inputs and
/// whenever a request closed it, so state (routers, transports, sockets) stays bounded.
/// </summary>
internal sealed unsafe class ChannelTarget : IFuzzTarget
{
    private const int RebuildEvery = 500;

    private Harness? _harness;
    private int _runs;
    private readonly byte[] _frame = new byte[70_000];
    private readonly byte[] _drain = new byte[65_536];

    public string Name => "channel";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (_harness == null || _harness.Worker.IsClosed || ++_runs % RebuildEvery == 0)
        {
            _harness?.Dispose();
            _harness = new Harness();
        }
        input.CopyTo(_frame);
        ((IChannelSocketListener)_harness.Channel).OnChannelFrame(_frame, 0, input.Length);
        _harness.Loop.RunOnce(0);
        fixed (byte* p = _drain)
        {
            while (Libc.Read(_harness.HostReadFd, p, _drain.Length) > 0)
            {
            }
        }
    }

    private sealed class Harness : IDisposable
    {
        private readonly int[] _fds = new int[4];

        public Harness()
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
            Context = new WorkerContext(Loop, Channel, logger, new WorkerSettings(), DtlsCertificate.Generate(), new Random(1));
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

    public IEnumerable<byte[]> Seeds()
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
