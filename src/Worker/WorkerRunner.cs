using System;
using System.Collections.Generic;
using Mediasoup.Channel;
using Mediasoup.Dtls;
using Mediasoup.Logging;
using Mediasoup.Loop;
using Mediasoup.Settings;

namespace Mediasoup.Worker;

/// <summary>Runs one worker to completion on the calling thread: the body of both the
/// executable and the mediasoup_worker_run library entry point (<see cref="LibraryEntry"/>).</summary>
internal static class WorkerRunner
{
    public const int ExitOk = 0;
    public const int ExitSettingsError = 42;
    public const int ExitStartupError = 40;

    /// <summary>How long a graceful close may take after SIGINT/SIGTERM or channel EOF before
    /// the watchdog ends the process (the close flushes for up to 1 s).</summary>
    private const int WatchdogGraceMs = 4000;

    /// <summary>Versions whose channel schema this worker speaks (3.27.0 and 3.27.1 are identical).</summary>
    private static readonly string[] SupportedHostVersions = ["3.27.0", "3.27.1"];

    public static int Run(IReadOnlyList<string> args, string version, int readFd, int writeFd, bool executable) =>
        Run(args, version, loop => new ChannelSocket(loop, readFd, writeFd), executable, executable ? writeFd : -1);

    /// <param name="openChannel">Creates the channel transport on the worker's loop.</param>
    /// <param name="executable">The process is ours: SIGINT/SIGTERM handling, and a warning for
    /// a host version we were not built for. A library host (the Rust crate passes its own
    /// version) owns its process's signals.</param>
    /// <param name="watchdogFd">Executable mode: the channel's write fd, whose hang-up the
    /// shutdown watchdog watches; -1 for none (library mode: the host owns the process).</param>
    public static int Run(IReadOnlyList<string> args, string version, Func<EventLoop, IChannelTransport> openChannel, bool executable,
        int watchdogFd = -1)
    {
        var warnings = new List<string>();
        WorkerSettings settings;
        try
        {
            settings = SettingsParser.Parse(args, warnings);
        }
        catch (SettingsException ex)
        {
            Stderr.WriteLine($"settings error: {ex.Message}");
            return ExitSettingsError;
        }

        string? loopEnv = Environment.GetEnvironmentVariable("MEDIASOUP_WORKER_LOOP");
        using EventLoop loop = EventLoop.Create(EventLoop.KindFromEnvironment(loopEnv), out string? loopFallback);
        using IChannelTransport socket = openChannel(loop);
        var channel = new Channel.Channel(socket);
        var logger = new Logger(settings.LogLevel, settings.LogTags);
        logger.SetSink(channel);

        DtlsCertificate? certificate = null;
        if (settings.DtlsCertificateFile != null)
        {
            try
            {
                certificate = DtlsCertificate.LoadPem(settings.DtlsCertificateFile, settings.DtlsPrivateKeyFile!);
            }
            catch (DtlsCertificateException ex)
            {
                Stderr.WriteLine($"DTLS certificate error: {ex.Message}");
                return ExitStartupError;
            }
        }

        {
            // MEDIASOUP_WORKER_URING_SEND=sqe: on io_uring, one sendmsg request per datagram
            // instead of sendmmsg per socket (kept selectable for measurements elsewhere).
            bool uringSendRequests = Environment.GetEnvironmentVariable("MEDIASOUP_WORKER_URING_SEND")?.Trim() == "sqe";
            var ctx = new WorkerContext(loop, channel, logger, settings, certificate, new Random(), uringSendRequests)
            {
                SrtpEngine = Srtp.SrtpEngines.FromEnvironment(Environment.GetEnvironmentVariable("MEDIASOUP_WORKER_SRTP")),
            };
            // MEDIASOUP_WORKER_UDP_GSO=0: one message per datagram (for measurements and odd kernels).
            ctx.Net.UseGso = Environment.GetEnvironmentVariable("MEDIASOUP_WORKER_UDP_GSO")?.Trim() != "0";
            loop.SetUnhandledExceptionHandler(ex => logger.Error($"Worker | unexpected {ex.GetType().Name} in the event loop (ignored): {ex.Message}"));
            // Executable mode: SIGINT/SIGTERM and the host closing the channel end the process
            // even when the loop is stuck (graceful close first: the flush budget plus margin).
            using ShutdownWatchdog? watchdog = executable && watchdogFd >= 0 ? new ShutdownWatchdog(watchdogFd, WatchdogGraceMs) : null;
            var worker = new Worker(ctx, socket, handleSignals: executable, watchdog);
            worker.Start();

            logger.Debug(LogTags.Info, $"Worker | mediasoup-worker (C#) running [pid:{Environment.ProcessId}, host version:{version}, loop:{loop.BackendName}, udp:{ctx.Net.DatagramIoName}]");
            if (loopFallback != null)
                logger.Warn(LogTags.Info, $"Worker | io_uring requested but unavailable, using epoll: {loopFallback}");
            if (executable && Array.IndexOf(SupportedHostVersions, version) < 0)
                logger.Warn(LogTags.Info, $"Worker | host version {version} is not one this worker was built for (3.27.0, 3.27.1)");
            foreach (string w in warnings)
                logger.Warn(LogTags.Info, $"Worker | {w}");
            logger.Debug(LogTags.Info, $"Worker | logLevel: {LogNames.LevelName(settings.LogLevel)}, logTags: {LogNames.TagsText(settings.LogTags)}, rtcMinPort: {settings.RtcMinPort}, rtcMaxPort: {settings.RtcMaxPort}");

            loop.Run();
            if (!worker.IsClosed)
                worker.Close();
            ctx.Dispose();
            certificate?.Dispose();
        }
        return ExitOk;
    }
}
