using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Interop.Libc;
using Mediasoup.Logging;
using Mediasoup.Settings;

namespace Mediasoup.Worker;

/// <summary>
/// The root object: answers worker-level requests, owns Routers and WebRtcServers,
/// forwards every other request to its handler by id, and closes everything on
/// WORKER_CLOSE, on EOF from the host, or on SIGINT/SIGTERM.
/// </summary>
internal sealed unsafe class Worker : IChannelListener
{
    private const int FlushTimeoutMs = 1000;

    private readonly WorkerContext _ctx;
    private readonly IChannelTransport _socket;
    private readonly Dictionary<string, Router.Router> _routers = new();
    private readonly Dictionary<string, WebRtcServer.WebRtcServer> _webRtcServers = new();
    private readonly int _pid;
    private SignalWatcher? _signals;
    private bool _closed;

    public Worker(WorkerContext ctx, IChannelTransport socket, bool handleSignals, ShutdownWatchdog? watchdog = null)
    {
        _ctx = ctx;
        _socket = socket;
        _pid = Libc.GetPid();
        if (handleSignals)
            _signals = new SignalWatcher(ctx.Loop, OnSignal, watchdog);
        _trimmer = new MemoryTrimmer(ctx.Loop, ctx.Net.Pool, () => _routers.Count == 0 && !_closed);
    }

    private readonly MemoryTrimmer _trimmer;

    public bool IsClosed => _closed;

    /// <summary>Starts reading the channel and tells the host we are running.</summary>
    public void Start()
    {
        _ctx.Channel.Start(this, _ctx.Logger);
        _ctx.Channel.SendNotification(_pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            FBS.Notification.Event.WORKER_RUNNING);
    }

    public void HandleRequest(ChannelRequest request)
    {
        switch (request.Method)
        {
            case FBS.Request.Method.WORKER_DUMP:
                Dump(request);
                break;

            case FBS.Request.Method.WORKER_GET_RESOURCE_USAGE:
                ResourceUsage(request);
                break;

            case FBS.Request.Method.WORKER_UPDATE_SETTINGS:
                UpdateSettings(request);
                break;

            case FBS.Request.Method.WORKER_CREATE_WEBRTCSERVER:
            {
                var body = request.Body<FBS.Worker.CreateWebRtcServerRequest>(FBS.Request.Body.Worker_CreateWebRtcServerRequest);
                string id = body.WebRtcServerId ?? throw new MediasoupTypeError("missing webRtcServerId");
                if (_webRtcServers.ContainsKey(id))
                    throw new MediasoupError($"a WebRtcServer with same webRtcServerId already exists [method:{request.MethodName}]");
                // Grown element by element: a garbage length fails on the first out-of-range
                // read instead of sizing an allocation.
                var infos = new List<FBS.Transport.ListenInfo?>();
                for (int i = 0; i < body.ListenInfosLength; i++)
                    infos.Add(body.ListenInfos(i));
                _webRtcServers.Add(id, new WebRtcServer.WebRtcServer(_ctx, id, infos));
                request.Accept();
                break;
            }

            case FBS.Request.Method.WORKER_WEBRTCSERVER_CLOSE:
            {
                var body = request.Body<FBS.Worker.CloseWebRtcServerRequest>(FBS.Request.Body.Worker_CloseWebRtcServerRequest);
                string id = body.WebRtcServerId ?? "";
                if (!_webRtcServers.Remove(id, out WebRtcServer.WebRtcServer? server))
                    throw new MediasoupNotFoundError($"WebRtcServer not found [method:{request.MethodName}]");
                server.Close();
                request.Accept();
                break;
            }

            case FBS.Request.Method.WORKER_CREATE_ROUTER:
            {
                var body = request.Body<FBS.Worker.CreateRouterRequest>(FBS.Request.Body.Worker_CreateRouterRequest);
                string id = body.RouterId ?? throw new MediasoupTypeError("missing routerId");
                if (_routers.ContainsKey(id))
                    throw new MediasoupError($"a Router with same routerId already exists [method:{request.MethodName}]");
                _routers.Add(id, new Router.Router(_ctx, id, FindWebRtcServer));
                request.Accept();
                break;
            }

            case FBS.Request.Method.WORKER_CLOSE_ROUTER:
            {
                var body = request.Body<FBS.Worker.CloseRouterRequest>(FBS.Request.Body.Worker_CloseRouterRequest);
                string id = body.RouterId ?? "";
                if (!_routers.Remove(id, out Router.Router? router))
                    throw new MediasoupNotFoundError($"Router not found [method:{request.MethodName}]");
                router.Close();
                request.Accept();
                if (_routers.Count == 0)
                    _trimmer.OnMaybeIdle();
                break;
            }

            default:
            {
                IRequestHandler handler = _ctx.Registry.GetRequestHandler(request.HandlerId)
                    ?? throw new MediasoupNotFoundError(
                        $"Channel request handler with ID {request.HandlerId} not found [method:{request.MethodName}]");
                handler.HandleRequest(request);
                break;
            }
        }
    }

    private WebRtcServer.WebRtcServer? FindWebRtcServer(string id) =>
        _webRtcServers.TryGetValue(id, out WebRtcServer.WebRtcServer? s) ? s : null;

    public void HandleNotification(ChannelNotification notification)
    {
        if (notification.Event == FBS.Notification.Event.WORKER_CLOSE)
        {
            Close();
            return;
        }
        INotificationHandler handler = _ctx.Registry.GetNotificationHandler(notification.HandlerId)
            ?? throw new MediasoupNotFoundError($"Channel notification handler with ID {notification.HandlerId} not found");
        handler.HandleNotification(notification);
    }

    public void OnChannelClosed()
    {
        Stderr.WriteLine("channel remotely closed, closing myself");
        Close();
    }

    private void OnSignal(int signum)
    {
        if (signum == Libc.SIGINT || signum == Libc.SIGTERM)
            Close();
    }

    /// <summary>Closes routers and servers, flushes what is queued for the host (bounded),
    /// then stops the loop.</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _trimmer.Dispose();
        _signals?.Dispose();
        _signals = null;
        foreach (Router.Router r in _routers.Values)
            r.Close();
        _routers.Clear();
        foreach (WebRtcServer.WebRtcServer s in _webRtcServers.Values)
            s.Close();
        _webRtcServers.Clear();
        _ctx.Logger.SetSink(null);
        _socket.StopReading();

        if (_socket.TryFlush())
        {
            _ctx.Loop.Stop();
            return;
        }
        long deadline = _ctx.Loop.NowMs + FlushTimeoutMs;
        Loop.LoopTimer? timer = null;
        timer = _ctx.Loop.CreateTimer(() =>
        {
            if (_socket.TryFlush() || _ctx.Loop.NowMs >= deadline)
            {
                timer!.Stop();
                _ctx.Loop.Stop();
            }
        });
        timer.Start(5, 5);
    }

    private void Dump(ChannelRequest request)
    {
        var dump = new FBS.Worker.DumpResponseT
        {
            Pid = (uint)_pid,
            WebRtcServerIds = new List<string>(_webRtcServers.Keys),
            RouterIds = new List<string>(_routers.Keys),
            ChannelMessageHandlers = new FBS.Worker.ChannelMessageHandlersT
            {
                ChannelRequestHandlers = new List<string>(_ctx.Registry.RequestHandlerIds),
                ChannelNotificationHandlers = new List<string>(_ctx.Registry.NotificationHandlerIds),
            },
        };
        int offset = FBS.Worker.DumpResponse.Pack(request.Builder, dump).Value;
        request.Accept(FBS.Response.Body.Worker_DumpResponse, offset);
    }

    private static void ResourceUsage(ChannelRequest request)
    {
        Libc.Rusage ru;
        if (Libc.GetRusage(Libc.RUSAGE_SELF, &ru) != 0)
            throw new MediasoupError("getrusage() failed");
        var usage = new FBS.Worker.ResourceUsageResponseT
        {
            RuUtime = (ulong)(ru.Utime.Sec * 1000 + ru.Utime.Usec / 1000),
            RuStime = (ulong)(ru.Stime.Sec * 1000 + ru.Stime.Usec / 1000),
            RuMaxrss = (ulong)ru.Maxrss,
            RuIxrss = (ulong)ru.Ixrss,
            RuIdrss = (ulong)ru.Idrss,
            RuIsrss = (ulong)ru.Isrss,
            RuMinflt = (ulong)ru.Minflt,
            RuMajflt = (ulong)ru.Majflt,
            RuNswap = (ulong)ru.Nswap,
            RuInblock = (ulong)ru.Inblock,
            RuOublock = (ulong)ru.Oublock,
            RuMsgsnd = (ulong)ru.Msgsnd,
            RuMsgrcv = (ulong)ru.Msgrcv,
            RuNsignals = (ulong)ru.Nsignals,
            RuNvcsw = (ulong)ru.Nvcsw,
            RuNivcsw = (ulong)ru.Nivcsw,
        };
        int offset = FBS.Worker.ResourceUsageResponse.Pack(request.Builder, usage).Value;
        request.Accept(FBS.Response.Body.Worker_ResourceUsageResponse, offset);
    }

    private void UpdateSettings(ChannelRequest request)
    {
        var body = request.Body<FBS.Worker.UpdateSettingsRequest>(FBS.Request.Body.Worker_UpdateSettingsRequest);
        string? level = body.LogLevel;
        if (level != null)
        {
            if (!LogNames.TryParseLevel(level, out LogLevel parsed))
                throw new MediasoupTypeError($"invalid value '{level.ToLowerInvariant()}' for logLevel");
            _ctx.Settings.LogLevel = parsed;
            _ctx.Logger.Level = parsed;
        }
        // Present (even empty) log tags replace the whole set.
        if (FbsTables.HasField(body, 1))
        {
            var names = new List<string>();
            for (int i = 0; i < body.LogTagsLength; i++)
                names.Add(body.LogTags(i) ?? "");
            LogTags tags = SettingsParser.ParseTags(names);
            _ctx.Settings.LogTags = tags;
            _ctx.Logger.Tags = tags;
        }
        _ctx.Logger.Debug(LogTags.Info, $"Worker::updateSettings() | logLevel: {LogNames.LevelName(_ctx.Settings.LogLevel)}, logTags: {LogNames.TagsText(_ctx.Settings.LogTags)}");
        request.Accept();
    }
}
