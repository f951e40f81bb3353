using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Channel;
using Mediasoup.Logging;

namespace Mediasoup.Worker;

/// <summary>
/// mediasoup_worker_run, the entry point of libmediasoup-worker (./build.sh lib) with the
/// signature mediasoup-sys declares. Runs one worker on the calling thread until it closes;
/// several host threads may each run one at the same time. Never exits the process, installs
/// no signal handlers, lets no exception escape, and keeps no reference to the host's
/// callbacks or contexts once it returns.
/// </summary>
internal static unsafe class LibraryEntry
{
    /// <param name="argc">argv's length; argv[0] is the program name (the Rust crate passes "").</param>
    /// <param name="version">The host library's own version (the Rust crate's, e.g. 0.21.0); only logged.</param>
    /// <param name="consumerFd">fd mode (readFn null): the fd the worker reads requests from.</param>
    /// <param name="producerFd">fd mode: the fd the worker writes to.</param>
    /// <returns>0 after a normal close, 42 for bad settings, 40 for any other failure.</returns>
    [UnmanagedCallersOnly(EntryPoint = "mediasoup_worker_run")]
    private static int Run(int argc, byte** argv, byte* version, int consumerFd, int producerFd,
        nint readFn, nint readCtx, nint writeFn, nint writeCtx)
    {
        try
        {
            var args = new List<string>(Math.Max(argc - 1, 0));
            for (int i = 1; i < argc; i++)
            {
                if (argv[i] != null)
                    args.Add(Marshal.PtrToStringUTF8((nint)argv[i]) ?? "");
            }
            string hostVersion = version != null ? Marshal.PtrToStringUTF8((nint)version) ?? "" : "";
            if (readFn != 0)
            {
                return WorkerRunner.Run(args, hostVersion,
                    loop => new ChannelCallbacks(loop, readFn, readCtx, writeFn, writeCtx), executable: false);
            }
            return WorkerRunner.Run(args, hostVersion, consumerFd, producerFd, executable: false);
        }
        catch (Exception ex)
        {
            try
            {
                Stderr.WriteLine($"mediasoup_worker_run failed: {ex.GetType().Name}: {ex.Message}");
            }
            catch
            {
                // stderr itself failed: the return code still tells the host.
            }
            return WorkerRunner.ExitStartupError;
        }
    }
}
