using System.Buffers.Binary;
using Google.FlatBuffers;
using Mediasoup.Channel;
using Mediasoup.Dtls;
using Mediasoup.Logging;
using Mediasoup.Loop;
using Mediasoup.Settings;
using Mediasoup.Tests.Loop;
using Mediasoup.Worker;
using Xunit;
using ChannelImpl = Mediasoup.Channel.Channel;
using Method = FBS.Request.Method;
using WorkerImpl = Mediasoup.Worker.Worker;

namespace Mediasoup.Tests.Channel;

/// <summary>
/// A worker wired like WorkerRunner does it, talking to a fake host over two pipes on the
/// test thread: the test writes requests, pumps the loop and parses what comes back.
/// </summary>
internal sealed class WorkerHarness : IDisposable
{
    private const int DeadlineMs = 3000;

    private readonly TestPipe _hostToWorker = new();
    private readonly TestPipe _workerToHost = new();
    private readonly List<byte> _rx = new();
    private uint _nextId = 1;

    public WorkerHarness(LoopBackendKind backend = LoopBackendKind.Epoll)
    {
        Loop = EventLoop.Create(backend, out _);
        Socket = new ChannelSocket(Loop, _hostToWorker.ReadFd, _workerToHost.WriteFd);
        Channel = new ChannelImpl(Socket);
        Logger = new Logger(LogLevel.Error, LogTags.None);
        Logger.SetSink(Channel);
        Certificate = DtlsCertificate.Generate();
        Context = new WorkerContext(Loop, Channel, Logger, new WorkerSettings(), Certificate, new Random(1));
        Worker = new WorkerImpl(Context, Socket, handleSignals: false);
        Worker.Start();
    }

    public EventLoop Loop { get; }
    public ChannelSocket Socket { get; }
    public ChannelImpl Channel { get; }
    public Logger Logger { get; }
    public DtlsCertificate Certificate { get; }
    public WorkerContext Context { get; }
    public WorkerImpl Worker { get; }

    /// <summary>Everything received from the worker, in order.</summary>
    public List<FBS.Message.MessageT> Received { get; } = new();

    public IEnumerable<string> Logs =>
        Received.Where(m => m.Data.Type == FBS.Message.Body.Log).Select(m => m.Data.AsLog().Data);

    public static byte[] Encode(FBS.Message.MessageT message)
    {
        var b = new FlatBufferBuilder(256);
        b.FinishSizePrefixed(FBS.Message.Message.Pack(b, message).Value);
        return b.SizedByteArray();
    }

    public static byte[] EncodeRequest(uint id, Method method, string handlerId, FBS.Request.BodyUnion? body = null) =>
        Encode(new FBS.Message.MessageT
        {
            Data = FBS.Message.BodyUnion.FromRequest(new FBS.Request.RequestT
            {
                Id = id,
                Method = method,
                HandlerId = handlerId,
                Body = body ?? new FBS.Request.BodyUnion(),
            }),
        });

    public static byte[] EncodeNotification(FBS.Notification.Event ev, string handlerId) =>
        Encode(new FBS.Message.MessageT
        {
            Data = FBS.Message.BodyUnion.FromNotification(new FBS.Notification.NotificationT
            {
                HandlerId = handlerId,
                Event = ev,
                Body = new FBS.Notification.BodyUnion(),
            }),
        });

    public uint NextId() => _nextId++;

    /// <summary>Writes raw bytes to the worker, pumping the loop while the pipe is full.</summary>
    public void WriteRaw(ReadOnlySpan<byte> data, bool readHost = true)
    {
        long deadline = Environment.TickCount64 + DeadlineMs;
        while (!data.IsEmpty)
        {
            int n = WriteSome(data);
            if (n > 0)
            {
                data = data[n..];
                continue;
            }
            Assert.True(Environment.TickCount64 < deadline, "host could not write: worker not reading");
            Pump(readHost);
        }
    }

    private unsafe int WriteSome(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            nint n = Interop.Libc.Libc.Write(_hostToWorker.WriteFd, p, data.Length);
            return n > 0 ? (int)n : 0;
        }
    }

    /// <summary>One loop iteration plus reading whatever the worker wrote.</summary>
    public void Pump(bool readHost = true, int waitMs = 5)
    {
        if (!Loop.IsStopping)
            Loop.RunOnce(waitMs);
        if (readHost)
            ReadHost();
    }

    public void ReadHost()
    {
        var buf = new byte[65536];
        while (true)
        {
            int n = _workerToHost.Read(buf);
            if (n <= 0)
                break;
            _rx.AddRange(buf.AsSpan(0, n));
        }
        while (_rx.Count >= 4)
        {
            int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(_rx.GetRange(0, 4).ToArray());
            if (_rx.Count < 4 + len)
                break;
            byte[] payload = _rx.GetRange(4, len).ToArray();
            _rx.RemoveRange(0, 4 + len);
            Received.Add(FBS.Message.Message.GetRootAsMessage(new ByteBuffer(payload)).UnPack());
        }
    }

    /// <summary>Pumps until a received message satisfies the predicate; fails after the deadline.</summary>
    public FBS.Message.MessageT WaitFor(Func<FBS.Message.MessageT, bool> predicate, string what)
    {
        long deadline = Environment.TickCount64 + DeadlineMs;
        while (true)
        {
            FBS.Message.MessageT? m = Received.FirstOrDefault(predicate);
            if (m != null)
                return m;
            Assert.True(Environment.TickCount64 < deadline, $"timed out waiting for {what}");
            Pump();
        }
    }

    public FBS.Response.ResponseT WaitForResponse(uint id) =>
        WaitFor(m => m.Data.Type == FBS.Message.Body.Response && m.Data.AsResponse().Id == id, $"response {id}")
            .Data.AsResponse();

    public FBS.Response.ResponseT Request(Method method, string handlerId = "", FBS.Request.BodyUnion? body = null)
    {
        uint id = NextId();
        WriteRaw(EncodeRequest(id, method, handlerId, body));
        return WaitForResponse(id);
    }

    public FBS.Worker.DumpResponseT Dump()
    {
        FBS.Response.ResponseT r = Request(Method.WORKER_DUMP);
        Assert.True(r.Accepted, $"dump failed: {r.Error} {r.Reason}");
        Assert.Equal(FBS.Response.Body.Worker_DumpResponse, r.Body.Type);
        return r.Body.AsWorker_DumpResponse();
    }

    public void CloseHostWrite() => _hostToWorker.CloseWrite();

    /// <summary>Pumps until the loop was asked to stop (worker closed).</summary>
    public void PumpUntilStopped()
    {
        long deadline = Environment.TickCount64 + DeadlineMs;
        while (!Loop.IsStopping)
        {
            Assert.True(Environment.TickCount64 < deadline, "worker did not stop the loop");
            Loop.RunOnce(5);
        }
        ReadHost();
    }

    public void Dispose()
    {
        if (!Worker.IsClosed)
            Worker.Close();
        Context.Dispose();
        Socket.Dispose();
        Loop.Dispose();
        Certificate.Dispose();
        _hostToWorker.Dispose();
        _workerToHost.Dispose();
    }
}

public sealed class ChannelDispatchTests : IDisposable
{
    private readonly WorkerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static FBS.Request.BodyUnion CreateRouterBody(string id) =>
        FBS.Request.BodyUnion.FromWorker_CreateRouterRequest(new FBS.Worker.CreateRouterRequestT { RouterId = id });

    private static FBS.Request.BodyUnion CloseRouterBody(string id) =>
        FBS.Request.BodyUnion.FromWorker_CloseRouterRequest(new FBS.Worker.CloseRouterRequestT { RouterId = id });

    private static void AssertFailure(FBS.Response.ResponseT r, string error, string? reason = null)
    {
        Assert.False(r.Accepted);
        Assert.Equal(error, r.Error);
        Assert.False(string.IsNullOrEmpty(r.Reason));
        if (reason != null)
            Assert.Equal(reason, r.Reason);
    }

    [Fact]
    public void FirstMessage_IsWorkerRunning_WithPidHandlerId()
    {
        _h.WaitFor(_ => true, "first message");
        FBS.Message.MessageT first = _h.Received[0];
        Assert.Equal(FBS.Message.Body.Notification, first.Data.Type);
        FBS.Notification.NotificationT n = first.Data.AsNotification();
        Assert.Equal(FBS.Notification.Event.WORKER_RUNNING, n.Event);
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), n.HandlerId);
        Assert.Equal(FBS.Notification.Body.NONE, n.Body.Type);
    }

    [Fact]
    public void WorkerDump_FreshWorker_HasPidAndEmptyLists()
    {
        uint id = _h.NextId();
        _h.WriteRaw(WorkerHarness.EncodeRequest(id, Method.WORKER_DUMP, ""));
        FBS.Response.ResponseT r = _h.WaitForResponse(id);

        Assert.Equal(id, r.Id);
        Assert.True(r.Accepted);
        Assert.Null(r.Error);
        Assert.Equal(FBS.Response.Body.Worker_DumpResponse, r.Body.Type);
        FBS.Worker.DumpResponseT dump = r.Body.AsWorker_DumpResponse();
        Assert.Equal((uint)Environment.ProcessId, dump.Pid);
        Assert.Empty(dump.RouterIds);
        Assert.Empty(dump.WebRtcServerIds);
        Assert.NotNull(dump.ChannelMessageHandlers);
        Assert.Empty(dump.ChannelMessageHandlers.ChannelRequestHandlers);
        Assert.Empty(dump.ChannelMessageHandlers.ChannelNotificationHandlers);
    }

    [Fact]
    public void GetResourceUsage_ReturnsPlausibleValues()
    {
        FBS.Response.ResponseT r = _h.Request(Method.WORKER_GET_RESOURCE_USAGE);
        Assert.True(r.Accepted);
        Assert.Equal(FBS.Response.Body.Worker_ResourceUsageResponse, r.Body.Type);
        FBS.Worker.ResourceUsageResponseT usage = r.Body.AsWorker_ResourceUsageResponse();
        Assert.True(usage.RuMaxrss > 0);
        Assert.True(usage.RuUtime + usage.RuStime > 0);
    }

    [Fact]
    public void CreateRouter_ThenDump_ListsRouterAndHandler()
    {
        FBS.Response.ResponseT created = _h.Request(Method.WORKER_CREATE_ROUTER, "", CreateRouterBody("router-1"));
        Assert.True(created.Accepted, created.Reason);
        Assert.Equal(FBS.Response.Body.NONE, created.Body.Type);

        FBS.Worker.DumpResponseT dump = _h.Dump();
        Assert.Equal(["router-1"], dump.RouterIds);
        Assert.Equal(["router-1"], dump.ChannelMessageHandlers.ChannelRequestHandlers);
        Assert.Empty(dump.ChannelMessageHandlers.ChannelNotificationHandlers);

        FBS.Response.ResponseT routerDump = _h.Request(Method.ROUTER_DUMP, "router-1");
        Assert.True(routerDump.Accepted, routerDump.Reason);
        Assert.Equal("router-1", routerDump.Body.AsRouter_DumpResponse().Id);
    }

    [Fact]
    public void DuplicateRouter_IsRejectedWithError()
    {
        Assert.True(_h.Request(Method.WORKER_CREATE_ROUTER, "", CreateRouterBody("r")).Accepted);
        FBS.Response.ResponseT dup = _h.Request(Method.WORKER_CREATE_ROUTER, "", CreateRouterBody("r"));
        AssertFailure(dup, "Error", "a Router with same routerId already exists [method:worker.createRouter]");
        Assert.Equal(["r"], _h.Dump().RouterIds);
    }

    [Fact]
    public void CloseUnknownRouter_IsNotFoundError()
    {
        AssertFailure(_h.Request(Method.WORKER_CLOSE_ROUTER, "", CloseRouterBody("nope")), "NotFoundError");
    }

    [Fact]
    public void CloseRouter_RemovesItAndItsHandler()
    {
        Assert.True(_h.Request(Method.WORKER_CREATE_ROUTER, "", CreateRouterBody("r")).Accepted);
        Assert.True(_h.Request(Method.WORKER_CLOSE_ROUTER, "", CloseRouterBody("r")).Accepted);

        FBS.Worker.DumpResponseT dump = _h.Dump();
        Assert.Empty(dump.RouterIds);
        Assert.Empty(dump.ChannelMessageHandlers.ChannelRequestHandlers);
        AssertFailure(_h.Request(Method.ROUTER_DUMP, "r"), "NotFoundError");
    }

    [Fact]
    public void UnknownHandlerId_IsNotFoundError_NamingIdAndMethod()
    {
        AssertFailure(_h.Request(Method.ROUTER_DUMP, "ghost"), "NotFoundError",
            "Channel request handler with ID ghost not found [method:router.dump]");
    }

    [Fact]
    public void MethodOutsideEnum_IsError_NamingTheValue()
    {
        FBS.Response.ResponseT r = _h.Request((Method)200);
        AssertFailure(r, "Error");
        Assert.Contains("200", r.Reason);
        // The worker keeps serving.
        Assert.Empty(_h.Dump().RouterIds);
    }

    [Fact]
    public void UpdateSettings_InvalidLogLevel_IsTypeError()
    {
        var body = FBS.Request.BodyUnion.FromWorker_UpdateSettingsRequest(
            new FBS.Worker.UpdateSettingsRequestT { LogLevel = "chicken" });
        FBS.Response.ResponseT r = _h.Request(Method.WORKER_UPDATE_SETTINGS, "", body);
        AssertFailure(r, "TypeError");
        Assert.Contains("chicken", r.Reason);
        Assert.Equal(LogLevel.Error, _h.Logger.Level);
    }

    [Fact]
    public void UpdateSettings_ValidValues_AreApplied()
    {
        var body = FBS.Request.BodyUnion.FromWorker_UpdateSettingsRequest(
            new FBS.Worker.UpdateSettingsRequestT { LogLevel = "WARN", LogTags = ["ice", "dtls", "bogus"] });
        FBS.Response.ResponseT r = _h.Request(Method.WORKER_UPDATE_SETTINGS, "", body);
        Assert.True(r.Accepted, r.Reason);
        Assert.Equal(LogLevel.Warn, _h.Logger.Level);
        Assert.Equal(LogTags.Ice | LogTags.Dtls, _h.Logger.Tags);

        // Present but empty tags clear the set; absent tags leave it alone.
        var clear = FBS.Request.BodyUnion.FromWorker_UpdateSettingsRequest(
            new FBS.Worker.UpdateSettingsRequestT { LogTags = [] });
        Assert.True(_h.Request(Method.WORKER_UPDATE_SETTINGS, "", clear).Accepted);
        Assert.Equal(LogTags.None, _h.Logger.Tags);
        Assert.Equal(LogLevel.Warn, _h.Logger.Level);
    }

    [Fact]
    public void WrongBodyType_IsTypeError()
    {
        FBS.Response.ResponseT r = _h.Request(Method.WORKER_CREATE_ROUTER, "", CloseRouterBody("r"));
        AssertFailure(r, "TypeError");
        Assert.Empty(_h.Dump().RouterIds);
    }

    [Fact]
    public void MissingBody_IsTypeError()
    {
        AssertFailure(_h.Request(Method.WORKER_CREATE_ROUTER), "TypeError");
    }

    [Fact]
    public void GarbageFrames_DoNotCrash_AndNextRequestIsAnswered()
    {
        var rng = new Random(2024);
        for (int i = 0; i < 50; i++)
        {
            var payload = new byte[rng.Next(8, 400)];
            rng.NextBytes(payload);
            var frame = new byte[4 + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
            payload.CopyTo(frame, 4);
            _h.WriteRaw(frame);
            _h.Pump();
        }
        Assert.False(_h.Worker.IsClosed);

        FBS.Worker.DumpResponseT dump = _h.Dump();
        Assert.Equal((uint)Environment.ProcessId, dump.Pid);
        Assert.True(_h.Channel.MalformedMessages > 0);
    }

    [Fact]
    public void ShortFrames_0To7Bytes_AreDropped_AndNextRequestIsAnswered()
    {
        var stream = new List<byte>();
        for (int len = 0; len < 8; len++)
        {
            var frame = new byte[4 + len];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)len);
            frame.AsSpan(4).Fill(0xAB);
            stream.AddRange(frame);
        }
        uint id = _h.NextId();
        stream.AddRange(WorkerHarness.EncodeRequest(id, Method.WORKER_DUMP, ""));
        _h.WriteRaw(stream.ToArray());

        FBS.Response.ResponseT r = _h.WaitForResponse(id);
        Assert.True(r.Accepted);
        Assert.Equal(8, _h.Channel.MalformedMessages);
        Assert.Equal(8, _h.Logs.Count(l => l.StartsWith('E') && l.Contains("too short")));
    }

    [Fact]
    public void OversizeFrame_IsSkippedOnTheSocket_AndStreamStaysInSync()
    {
        int oversize = FrameReader.PayloadMaxLen + 1;
        var frame = new byte[4 + oversize];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)oversize);
        // Filled with copies of a valid request: none of them may be answered.
        byte[] decoy = WorkerHarness.EncodeRequest(777, Method.WORKER_DUMP, "");
        for (int off = 4; off + decoy.Length <= frame.Length; off += decoy.Length)
            decoy.CopyTo(frame, off);
        _h.WriteRaw(frame);

        FBS.Worker.DumpResponseT dump = _h.Dump();
        Assert.Equal((uint)Environment.ProcessId, dump.Pid);
        Assert.Equal(1, _h.Socket.OversizedFramesDropped);
        Assert.DoesNotContain(_h.Received, m => m.Data.Type == FBS.Message.Body.Response && m.Data.AsResponse().Id == 777);
    }

    [Fact]
    public void LargeRequestAndResponse_OfSeveralMiB_RoundTrip()
    {
        // A 5 MiB handler id: the read buffer must grow, and the reason echoing it must get out whole.
        string id = new('x', 5 * 1024 * 1024);
        FBS.Response.ResponseT r = _h.Request(Method.ROUTER_DUMP, id);
        AssertFailure(r, "NotFoundError", $"Channel request handler with ID {id} not found [method:router.dump]");
        Assert.Empty(_h.Dump().RouterIds);
    }

    [Fact]
    public void MissingHandlerId_IsTypeError()
    {
        // The generated builders enforce the required field, so the table is built by hand.
        uint id = _h.NextId();
        var b = new FlatBufferBuilder(64);
        b.StartTable(4);
        FBS.Request.Request.AddId(b, id);
        FBS.Request.Request.AddMethod(b, Method.WORKER_DUMP);
        int request = b.EndTable();
        var message = FBS.Message.Message.CreateMessage(b, FBS.Message.Body.Request, request);
        b.FinishSizePrefixed(message.Value);
        byte[] frame = b.SizedByteArray();
        _h.WriteRaw(frame);
        AssertFailure(_h.WaitForResponse(id), "TypeError");
    }

    [Fact]
    public void ResponseSentToWorker_IsDiscarded_AndLogged()
    {
        byte[] wrong = WorkerHarness.Encode(new FBS.Message.MessageT
        {
            Data = FBS.Message.BodyUnion.FromResponse(new FBS.Response.ResponseT { Id = 99, Accepted = true }),
        });
        _h.WriteRaw(wrong);
        _h.Dump();
        Assert.Contains(_h.Logs, l => l == "Ediscarding wrong Channel data");
        Assert.DoesNotContain(_h.Received, m => m.Data.Type == FBS.Message.Body.Response && m.Data.AsResponse().Id == 99);
    }

    [Fact]
    public void PipelinedRequests_InOneWrite_AreAnsweredInOrder_AndSeeEachOther()
    {
        uint create = _h.NextId(), dump = _h.NextId(), close = _h.NextId(), dump2 = _h.NextId();
        byte[] batch =
        [
            .. WorkerHarness.EncodeRequest(create, Method.WORKER_CREATE_ROUTER, "", CreateRouterBody("p")),
            .. WorkerHarness.EncodeRequest(dump, Method.WORKER_DUMP, ""),
            .. WorkerHarness.EncodeRequest(close, Method.WORKER_CLOSE_ROUTER, "", CloseRouterBody("p")),
            .. WorkerHarness.EncodeRequest(dump2, Method.WORKER_DUMP, ""),
        ];
        _h.WriteRaw(batch);
        _h.WaitForResponse(dump2);

        List<uint> order = _h.Received.Where(m => m.Data.Type == FBS.Message.Body.Response)
            .Select(m => m.Data.AsResponse().Id).ToList();
        Assert.Equal([create, dump, close, dump2], order);
        Assert.Equal(["p"], _h.WaitForResponse(dump).Body.AsWorker_DumpResponse().RouterIds);
        Assert.Empty(_h.WaitForResponse(dump2).Body.AsWorker_DumpResponse().RouterIds);
    }

    [Fact]
    public void ManyResponses_WhileHostIsNotReading_AreBufferedNotDropped()
    {
        // More response bytes than a pipe holds: the worker must queue and flush on writability.
        const int count = 3000;
        uint first = _h.NextId();
        for (int i = 1; i < count; i++)
            _h.NextId();
        var batch = new List<byte>();
        for (int i = 0; i < count; i++)
            batch.AddRange(WorkerHarness.EncodeRequest(first + (uint)i, Method.WORKER_DUMP, ""));
        _h.WriteRaw(batch.ToArray(), readHost: false);
        for (int i = 0; i < 20; i++)
            _h.Pump(readHost: false, waitMs: 0);
        Assert.True(_h.Socket.PendingOutput > 0, "expected output to back up while the host is not reading");

        _h.WaitForResponse(first + count - 1);
        List<uint> ids = _h.Received.Where(m => m.Data.Type == FBS.Message.Body.Response)
            .Select(m => m.Data.AsResponse().Id).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => first + (uint)i), ids);
        Assert.Equal(0, _h.Socket.PendingOutput);
    }

    [Fact]
    public void NotificationForUnknownHandler_IsLoggedWithoutResponse()
    {
        _h.WriteRaw(WorkerHarness.EncodeNotification(FBS.Notification.Event.PRODUCER_SEND, "nobody"));
        _h.Dump();
        Assert.Contains(_h.Logs, l => l.StartsWith('E') && l.Contains("nobody") && l.Contains("not found"));
        Assert.Equal(1, _h.Received.Count(m => m.Data.Type == FBS.Message.Body.Response));
    }

    [Fact]
    public void WorkerCloseNotification_ClosesWorkerAndStopsLoop()
    {
        Assert.True(_h.Request(Method.WORKER_CREATE_ROUTER, "", CreateRouterBody("r")).Accepted);
        _h.WriteRaw(WorkerHarness.EncodeNotification(FBS.Notification.Event.WORKER_CLOSE, ""));
        _h.PumpUntilStopped();

        Assert.True(_h.Worker.IsClosed);
        Assert.Empty(_h.Context.Registry.RequestHandlerIds);
        // A request after close is not read any more.
        uint id = _h.NextId();
        _h.WriteRaw(WorkerHarness.EncodeRequest(id, Method.WORKER_DUMP, ""));
        _h.Loop.RunOnce(10);
        _h.ReadHost();
        Assert.DoesNotContain(_h.Received, m => m.Data.Type == FBS.Message.Body.Response && m.Data.AsResponse().Id == id);
    }

    [Fact]
    public void EofOnReadSide_ClosesWorker()
    {
        _h.Dump();
        Assert.False(_h.Worker.IsClosed);
        _h.CloseHostWrite();
        _h.PumpUntilStopped();
        Assert.True(_h.Worker.IsClosed);
    }

    [Fact]
    public void RequestIds_AreEchoed_IncludingMaxUint()
    {
        _h.WriteRaw(WorkerHarness.EncodeRequest(uint.MaxValue, Method.WORKER_DUMP, ""));
        FBS.Response.ResponseT r = _h.WaitForResponse(uint.MaxValue);
        Assert.True(r.Accepted);
    }
}

/// <summary>The same wire exchange on each poll backend (the class above uses epoll only).</summary>
public sealed class ChannelBackendTests
{
    [Theory]
    [InlineData(LoopBackendKind.Epoll)]
    [IoUringData]
    public void RunningDumpBackpressureAndEof_OnBackend(LoopBackendKind kind)
    {
        using var h = new WorkerHarness(kind);
        Assert.Equal(kind == LoopBackendKind.IoUring ? "io_uring" : "epoll", h.Loop.BackendName);

        FBS.Message.MessageT first = h.WaitFor(_ => true, "first message");
        Assert.Equal(FBS.Notification.Event.WORKER_RUNNING, first.Data.AsNotification().Event);
        Assert.Equal((uint)Environment.ProcessId, h.Dump().Pid);

        // Output backs up while the host does not read, then drains in order.
        const int count = 2000;
        uint firstId = h.NextId();
        for (int i = 1; i < count; i++)
            h.NextId();
        var batch = new List<byte>();
        for (int i = 0; i < count; i++)
            batch.AddRange(WorkerHarness.EncodeRequest(firstId + (uint)i, Method.WORKER_DUMP, ""));
        h.WriteRaw(batch.ToArray(), readHost: false);
        h.WaitForResponse(firstId + count - 1);
        Assert.Equal(count, h.Received.Count(m => m.Data.Type == FBS.Message.Body.Response && m.Data.AsResponse().Id >= firstId));

        h.CloseHostWrite();
        h.PumpUntilStopped();
        Assert.True(h.Worker.IsClosed);
    }
}
