using System;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading;
using Mediasoup.Interop.UsrSctp;

namespace Mediasoup.Sctp;

/// <summary>
/// usrsctp's process-wide stack, shared by every worker of the process (library mode runs
/// several): usrsctp keeps one SCTP stack per process in C globals (one output callback, one
/// timer wheel, one tick counter, its sysctls). The stack is reference counted: every live
/// <see cref="SctpAssociation"/> holds one lease; the first lease initialises usrsctp, the
/// last one tears it down again (usrsctp_finish, which refuses while a closed socket still
/// lingers: the stack then stays for the next lease). All state of a stack lives in one
/// <see cref="Stack"/> object that exists only between those two points; the one static
/// reference to it is what C callbacks, which carry no context of ours, find it through.
/// Associations are found from C through an id (the AF_CONN address and the socket's
/// ulp_info), never through a raw pointer to a managed object, so a late callback for a
/// disposed association finds nothing and is dropped.
/// </summary>
internal static unsafe class UsrSctpLibrary
{
    private static readonly object LeaseLock = new();

    /// <summary>The live stack, or null before the first lease and after a completed teardown.</summary>
    private static volatile Stack? s_stack;

    private sealed class Stack
    {
        public readonly ConcurrentDictionary<nint, SctpAssociation> Associations = new();
        public long NextId;
        public int Leases;

        // usrsctp_handle_timers(elapsed) adds elapsed to one global tick counter and then runs
        // every due callout of every association in the process, on the calling thread. If each
        // worker passed "time since *its* last call", ticks would advance once per worker, so the
        // elapsed time is computed here against one shared last-call time, under a lock that also
        // serialises concurrent calls from several workers' loops.
        public readonly object TimerLock = new();
        public long LastTimerMs = long.MinValue;
    }

    /// <summary>Takes a lease on the stack, initialising usrsctp (no timer or receive threads)
    /// and its sysctls when there is none; thread-safe. Pair with <see cref="Release"/>.</summary>
    /// <exception cref="SctpException">libusrsctp cannot be loaded (no lease taken; a later call retries).</exception>
    internal static void Acquire()
    {
        lock (LeaseLock)
        {
            Stack? stack = s_stack;
            if (stack == null)
            {
                Initialize();
                stack = new Stack();
                s_stack = stack;
            }
            stack.Leases++;
        }
    }

    /// <summary>Gives a lease back; the last one tears usrsctp down when it can.</summary>
    internal static void Release()
    {
        lock (LeaseLock)
        {
            Stack? stack = s_stack;
            if (stack == null || stack.Leases == 0 || --stack.Leases > 0)
                return;
            if (!stack.Associations.IsEmpty)
                return;
            if (TryFinish())
                s_stack = null;
        }
    }

    /// <summary>
    /// usrsctp_finish refuses while any closed socket's PCB is still listed. A PCB is freed
    /// late when something still references it: usrsctp's own iterator thread (it runs even
    /// under usrsctp_init_nothreads) walks the PCBs after every address (de)registration, and
    /// the free is then retried by a kill timer, which only runs when someone drives the clock.
    /// No lease is held here, so no association's timers are advanced by this: drive the clock
    /// and give the iterator thread real time to finish, for at most about half a second (a
    /// loaded machine may not schedule it at once). Happens only when the last association of
    /// the process goes away.
    /// </summary>
    private static bool TryFinish()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            if (UsrSctp.Finish() == 0)
                return true;
            UsrSctp.HandleTimers(50);
            Thread.Sleep(attempt < 20 ? 0 : 2);
        }
        return false;
    }

    /// <summary>Whether usrsctp is initialised right now (for tests).</summary>
    internal static bool IsInitialized => s_stack != null;

    /// <summary>Leases held right now (for tests).</summary>
    internal static int LeaseCount => s_stack?.Leases ?? 0;

    private static void Initialize()
    {
        // UDP encapsulation port 0: AF_CONN only, usrsctp opens no sockets of its own.
        // libusrsctp is bound lazily (no DirectPInvoke): the first SCTP transport loads it.
        try
        {
            UsrSctp.InitNoThreads(0, &OnConnOutput, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new SctpException($"{Interop.Libraries.UsrSctp} unavailable: {e.Message}");
        }

        // As the reference (and the usrsctp-based mediasoup before it): no ECN, PR-SCTP on,
        // stream reconfiguration on. No AUTH/ASCONF (dcSCTP sends neither), no NR-SACK/PKTDROP.
        UsrSctp.SysctlSetEcnEnable(0);
        UsrSctp.SysctlSetPrEnable(1);
        UsrSctp.SysctlSetReconfigEnable(1);
        UsrSctp.SysctlSetAsconfEnable(0);
        UsrSctp.SysctlSetAuthEnable(0);
        UsrSctp.SysctlSetNrSackEnable(0);
        UsrSctp.SysctlSetPktDropEnable(0);
        // Timing as the reference's SctpOptions: RTO 500 ms initial, 400 min, 60 s max;
        // 8 INIT and 10 data retransmissions; 30 s heartbeat; 200 ms delayed SACK;
        // initial cwnd 10 MTUs; max burst 4.
        UsrSctp.SysctlSetRtoInitialDefault(500);
        UsrSctp.SysctlSetRtoMinDefault(400);
        UsrSctp.SysctlSetRtoMaxDefault(60_000);
        UsrSctp.SysctlSetInitRtoMaxDefault(60_000);
        UsrSctp.SysctlSetInitRtxMaxDefault(8);
        UsrSctp.SysctlSetAssocRtxMaxDefault(10);
        UsrSctp.SysctlSetPathRtxMaxDefault(10);
        UsrSctp.SysctlSetHeartbeatIntervalDefault(30_000);
        UsrSctp.SysctlSetDelayedSackTimeDefault(200);
        UsrSctp.SysctlSetInitialCwnd(10);
        UsrSctp.SysctlSetMaxBurstDefault(4);
        // usrsctp refuses sends once 512 chunks are queued; with a 2 MB send buffer small
        // messages would hit that long before the byte limit.
        UsrSctp.SysctlSetMaxChunksOnQueue(16_384);
    }

    /// <summary>Registers an association of a lease holder; returns its id.</summary>
    internal static nint Register(SctpAssociation association)
    {
        Stack stack = s_stack ?? throw new InvalidOperationException("usrsctp registration without a lease");
        nint id = (nint)Interlocked.Increment(ref stack.NextId);
        stack.Associations[id] = association;
        return id;
    }

    internal static void Unregister(nint id) => s_stack?.Associations.TryRemove(id, out _);

    internal static int RegisteredCount => s_stack?.Associations.Count ?? 0;

    /// <summary>
    /// Advances usrsctp's timers to <paramref name="nowMs"/> (CLOCK_MONOTONIC ms, the same clock
    /// in every worker of the process). Due callouts may belong to any worker's association:
    /// their callbacks only queue work for that association's owner (see SctpAssociation).
    /// A clock that goes back (a test's fake clock) resynchronises without advancing.
    /// Only lease holders call it, so the stack cannot be torn down meanwhile.
    /// </summary>
    internal static void HandleTimers(long nowMs)
    {
        Stack? stack = s_stack;
        if (stack == null)
            return;
        lock (stack.TimerLock)
        {
            long last = stack.LastTimerMs;
            stack.LastTimerMs = nowMs;
            if (last == long.MinValue || nowMs <= last)
                return;
            long elapsed = nowMs - last;
            UsrSctp.HandleTimers((uint)Math.Min(elapsed, int.MaxValue));
        }
    }

    private static SctpAssociation? Find(nint id) =>
        s_stack is { } stack && stack.Associations.TryGetValue(id, out SctpAssociation? association) ? association : null;

    // ---- Callbacks from C: never throw, never call a listener (only queue). ----

    /// <summary>conn_output: an SCTP packet for the association whose id is <paramref name="addr"/>.</summary>
    [UnmanagedCallersOnly]
    private static int OnConnOutput(nint addr, void* buffer, nuint length, byte tos, byte setDf)
    {
        try
        {
            if (buffer != null && length <= int.MaxValue && Find(addr) is { } association)
                association.QueueOutgoingPacket(new ReadOnlySpan<byte>(buffer, (int)length));
        }
        catch
        {
            // Dropped: SCTP retransmits.
        }
        return 0;
    }

    /// <summary>receive_cb: a message (or part of one, or a notification); we own <paramref name="data"/> (malloc'd).</summary>
    [UnmanagedCallersOnly]
    internal static int OnReceive(nint socket, SctpSockStore addr, void* data, nuint length, SctpRcvInfo info, int flags, nint ulpInfo)
    {
        try
        {
            if (data == null)
                return 1;
            if (length <= int.MaxValue && Find(ulpInfo) is { } association
                && association.QueueReceived(data, (int)length, info.Sid, info.Ppid, flags))
                return 1;
            NativeMemory.Free(data);
        }
        catch
        {
            // Nothing sensible to do; the buffer leaks rather than risk a double free.
        }
        return 1;
    }

    /// <summary>send_cb (threshold 0: after every SACK): free space in the socket's send buffer.</summary>
    [UnmanagedCallersOnly]
    internal static int OnSendBufferFree(nint socket, uint sbFree, nint ulpInfo)
    {
        try
        {
            if (Find(ulpInfo) is { } association)
                association.QueueSendBufferFree(sbFree);
        }
        catch
        {
        }
        return 0;
    }
}
