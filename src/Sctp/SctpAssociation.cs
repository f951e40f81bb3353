using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Interop.UsrSctp;
using Mediasoup.Logging;

namespace Mediasoup.Sctp;

/// <summary>Creating the usrsctp socket failed.</summary>
public sealed class SctpException : Exception
{
    public SctpException(string message) : base(message) { }
}

/// <summary>
/// One SCTP association over usrsctp (AF_CONN, one-to-one socket, ports 5000/5000), sans-IO
/// for the worker: packets in through <see cref="ProcessSctpData"/>, packets out and every
/// event through the listener, time through <see cref="OnTimer"/>.
/// usrsctp calls back from inside its own functions, with its locks held, and its timers run
/// any association's callouts on whichever thread advances them. So the C callbacks only copy
/// into a locked queue here; the queue is drained to the listener when the outermost public
/// call on the owner thread returns (as the reference's AssociationListenerDeferrer does).
/// Not thread-safe otherwise: one owner (the worker loop).
/// </summary>
public sealed unsafe class SctpAssociation : IDisposable
{
    public const ushort Port = 5000;
    /// <summary>Largest SCTP packet, common header included (the reference's MaxSafeMtuSizeForSctp).</summary>
    public const int Mtu = 1191;
    /// <summary>usrsctp has no "next deadline" API: its timers are advanced at this period (as mediasoup 3.19 did).</summary>
    public const int TimerIntervalMs = 10;
    public const int DefaultReceiveBufferSize = 5 * 1024 * 1024;

    private enum EventKind : byte
    {
        Packet,
        Received,
        SendBufferFree,
        StateChanged,
        SendBufferFull,
    }

    private struct PendingEvent
    {
        public EventKind Kind;
        public byte[]? Packet;   // pooled copy (Packet)
        public nint Data;        // usrsctp's malloc'd buffer, ours to free (Received)
        public int Length;
        public ushort StreamId;
        public uint Ppid;        // network byte order
        public int Flags;
        public uint SendBufferFree;
        public SctpAssociationState State;
    }

    private readonly struct PendingMessage(ushort streamId, uint ppid, byte[] data, int length, bool ordered, int? maxPacketLifeTime, int? maxRetransmits)
    {
        public readonly ushort StreamId = streamId;
        public readonly uint Ppid = ppid;
        public readonly byte[] Data = data;
        public readonly int Length = length;
        public readonly bool Ordered = ordered;
        public readonly int? MaxPacketLifeTime = maxPacketLifeTime;
        public readonly int? MaxRetransmits = maxRetransmits;
    }

    private readonly ISctpAssociationListener _listener;
    private readonly Logger? _logger;
    private readonly nint _id;
    /// <summary>This association's lease on usrsctp's stack, given back by Dispose.</summary>
    private bool _leased;
    private nint _socket;

    private readonly object _queueLock = new();
    private readonly Queue<PendingEvent> _queue = new();
    private bool _disposed;   // written under _queueLock
    private bool _draining;

    // Reassembly of partial deliveries (usrsctp hands a message over in pieces once it
    // exceeds its partial delivery point; only one message is partial at a time).
    private byte[]? _partial;
    private int _partialLength;
    private ushort _partialStreamId;
    private uint _partialPpid;
    private bool _partialActive;
    private bool _partialDiscard;

    private List<PendingMessage>? _preConnect;
    private long _lastTimerMs = long.MinValue;

    /// <param name="outboundStreams">OS we announce (the reference announces 65535).</param>
    /// <param name="inboundStreams">MIS we announce.</param>
    /// <param name="maxSctpMessageSize">Largest message sent or received; bigger ones are refused / dropped.</param>
    /// <param name="sctpSendBufferSize">usrsctp's send buffer (SO_SNDBUF): queued unacknowledged bytes.</param>
    /// <param name="isDataChannel">WebRTC DataChannel mode (only reported; the object model acts on it).</param>
    /// <param name="receiveBufferSize">SO_RCVBUF, i.e. the advertised receiver window.</param>
    /// <exception cref="SctpException">usrsctp refused to create or configure the socket.</exception>
    public SctpAssociation(
        ushort outboundStreams, ushort inboundStreams, int maxSctpMessageSize, int sctpSendBufferSize, bool isDataChannel,
        ISctpAssociationListener listener, Logger? logger = null, int receiveBufferSize = DefaultReceiveBufferSize)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentOutOfRangeException.ThrowIfZero(outboundStreams);
        ArgumentOutOfRangeException.ThrowIfZero(inboundStreams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSctpMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sctpSendBufferSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(receiveBufferSize);

        OutboundStreams = outboundStreams;
        InboundStreams = inboundStreams;
        MaxSctpMessageSize = maxSctpMessageSize;
        SctpSendBufferSize = sctpSendBufferSize;
        IsDataChannel = isDataChannel;
        _listener = listener;
        _logger = logger;

        UsrSctpLibrary.Acquire();
        _leased = true;
        _id = UsrSctpLibrary.Register(this);
        UsrSctp.RegisterAddress(_id);
        try
        {
            _socket = UsrSctp.Socket(
                UsrSctp.AF_CONN, UsrSctp.SOCK_STREAM, UsrSctp.IPPROTO_SCTP,
                &UsrSctpLibrary.OnReceive, &UsrSctpLibrary.OnSendBufferFree, 0, _id);
            if (_socket == 0)
                throw Error("usrsctp_socket()");
            ConfigureSocket(receiveBufferSize);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ushort OutboundStreams { get; }
    public ushort InboundStreams { get; }
    public int MaxSctpMessageSize { get; }
    public int SctpSendBufferSize { get; }
    public bool IsDataChannel { get; }

    public SctpAssociationState State { get; private set; } = SctpAssociationState.New;

    /// <summary>{0,0} until connected.</summary>
    public ushort NegotiatedOutboundStreams { get; private set; }
    public ushort NegotiatedInboundStreams { get; private set; }

    /// <summary>Bytes handed to usrsctp (or queued before Connect) and not yet acknowledged.</summary>
    public long BufferedAmount { get; private set; }

    /// <summary>OnSctpAssociationBufferedAmountLow fires when BufferedAmount drops from above this to at or below it.</summary>
    public long BufferedAmountLowThreshold { get; set; }

    /// <summary>Inbound packets refused by <see cref="SctpPacketCheck"/> before usrsctp saw them.</summary>
    public long MalformedPacketsDropped { get; private set; }

    private long[]? _droppedByVerdict;

    /// <summary>How many inbound packets were refused for <paramref name="verdict"/>.</summary>
    public long MalformedPacketsDroppedFor(SctpPacketVerdict verdict) =>
        _droppedByVerdict == null ? 0 : _droppedByVerdict[(int)verdict];

    /// <summary>Pieces of messages received without end-of-record (tests: partial delivery happened).</summary>
    internal int PartialPiecesReceived { get; private set; }

    /// <summary>When <see cref="OnTimer"/> should run next: long.MaxValue while nothing can be pending (New, disposed).</summary>
    public long NextTimerMs =>
        _socket == 0 || State == SctpAssociationState.New ? long.MaxValue
        : _lastTimerMs == long.MinValue ? 0
        : _lastTimerMs + TimerIntervalMs;

    /// <summary>Initiates the association (client role) if still New; otherwise does nothing.</summary>
    public void Connect()
    {
        if (_socket == 0 || State != SctpAssociationState.New)
            return;

        SockAddrConn remote = ConnAddress();
        int rc = UsrSctp.Connect(_socket, &remote, (uint)sizeof(SockAddrConn));
        int errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (rc < 0 && errno != UsrSctp.EINPROGRESS)
        {
            _logger?.Warn(LogTags.Sctp, $"SctpAssociation::Connect() | usrsctp_connect() failed: errno {errno}");
            State = SctpAssociationState.Failed;
            Enqueue(new PendingEvent { Kind = EventKind.StateChanged, State = State });
            Drain();
            return;
        }

        // Reported after the INIT just queued, as the reference does.
        State = SctpAssociationState.Connecting;
        Enqueue(new PendingEvent { Kind = EventKind.StateChanged, State = State });
        FlushPreConnect();
        Drain();
    }

    /// <summary>
    /// One SCTP packet from the peer. While New, this first initiates (as the reference does on
    /// received SCTP data), so a peer's INIT is answered at any time. Packets that break the chunk
    /// framing (<see cref="SctpPacketCheck"/>) are dropped and counted; usrsctp drops other bad ones.
    /// </summary>
    public void ProcessSctpData(ReadOnlySpan<byte> packet)
    {
        if (_socket == 0)
            return;
        // Malformed chunks that usrsctp would answer with an ABORT never reach it.
        SctpPacketVerdict verdict = SctpPacketCheck.Check(packet);
        if (verdict != SctpPacketVerdict.Ok)
        {
            MalformedPacketsDropped++;
            (_droppedByVerdict ??= new long[SctpPacketCheck.VerdictCount])[(int)verdict]++;
            if (MalformedPacketsDropped == 1 || (MalformedPacketsDropped & 1023) == 0)
                _logger?.Warn(LogTags.Sctp, $"SctpAssociation | malformed SCTP packet dropped [reason:{verdict}, dropped so far:{MalformedPacketsDropped}]");
            return;
        }
        if (State == SctpAssociationState.New)
            Connect();
        if (_socket == 0)
            return; // disposed by a listener during Connect
        fixed (byte* p = packet)
            UsrSctp.ConnInput(_id, p, (nuint)packet.Length, 0);
        Drain();
    }

    /// <summary>
    /// Queues one message. ppid in host order (51 string, 53 binary, 56/57 empty with one
    /// byte of payload). Partial reliability: give at most one of the two limits.
    /// </summary>
    public SctpSendResult SendSctpMessage(
        ushort streamId, uint ppid, ReadOnlySpan<byte> message, bool ordered = true, int? maxPacketLifeTime = null, int? maxRetransmits = null)
    {
        if (_socket == 0)
            return SctpSendResult.Failed;
        if (message.IsEmpty)
            return SctpSendResult.Empty;
        if (message.Length > MaxSctpMessageSize)
            return SctpSendResult.TooBig;

        SctpSendResult result;
        switch (State)
        {
            case SctpAssociationState.New:
                result = QueuePreConnect(streamId, ppid, message, ordered, maxPacketLifeTime, maxRetransmits);
                break;
            case SctpAssociationState.Connecting:
            case SctpAssociationState.Connected:
                result = SendNow(streamId, ppid, message, ordered, maxPacketLifeTime, maxRetransmits);
                break;
            default:
                result = SctpSendResult.Failed;
                break;
        }
        if (result == SctpSendResult.BufferFull)
            Enqueue(new PendingEvent { Kind = EventKind.SendBufferFull });
        Drain();
        return result;
    }

    /// <summary>Outgoing stream reset (RFC 6525) of one stream; see <see cref="ResetStreams"/>.</summary>
    public bool ResetStream(ushort streamId) => ResetStreams([streamId]);

    /// <summary>
    /// Resets our outgoing streams (the peer sees an incoming reset; WebRTC closes the channel).
    /// Streams beyond the negotiated count are skipped. False if not connected or usrsctp refused.
    /// </summary>
    public bool ResetStreams(ReadOnlySpan<ushort> streamIds)
    {
        if (_socket == 0 || State != SctpAssociationState.Connected || streamIds.IsEmpty || streamIds.Length > 4096)
            return false;

        int size = sizeof(SctpResetStreamsHeader) + streamIds.Length * sizeof(ushort);
        byte* buffer = stackalloc byte[size];
        var header = (SctpResetStreamsHeader*)buffer;
        ushort* list = (ushort*)(buffer + sizeof(SctpResetStreamsHeader));
        ushort count = 0;
        foreach (ushort id in streamIds)
        {
            if (id < NegotiatedOutboundStreams)
                list[count++] = id;
        }
        if (count == 0)
            return false;
        header->AssocId = 0; // one-to-one socket: ignored
        header->Flags = UsrSctp.SCTP_STREAM_RESET_OUTGOING;
        header->NumberStreams = count;

        int rc = UsrSctp.SetSockOpt(_socket, UsrSctp.IPPROTO_SCTP, UsrSctp.SCTP_RESET_STREAMS, buffer,
            (uint)(sizeof(SctpResetStreamsHeader) + count * sizeof(ushort)));
        int errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        Drain();
        if (rc < 0)
        {
            _logger?.Warn(LogTags.Sctp, $"SctpAssociation::ResetStreams() | usrsctp_setsockopt(SCTP_RESET_STREAMS) failed: errno {errno}");
            return false;
        }
        return true;
    }

    /// <summary>
    /// Advances usrsctp's timers (process-wide, see <see cref="UsrSctpLibrary.HandleTimers"/>) and
    /// delivers what they produced for this association. nowMs must advance at real-time pace:
    /// usrsctp also stamps chunks with gettimeofday and retransmits only those older than the RTO.
    /// </summary>
    public void OnTimer(long nowMs)
    {
        if (_socket == 0)
            return;
        _lastTimerMs = nowMs;
        UsrSctpLibrary.HandleTimers(nowMs);
        Drain();
    }

    /// <summary>
    /// Closes the socket (an ABORT, which is not delivered: as the reference, which sends
    /// nothing once its transport is being destroyed) and deregisters the address. No listener
    /// call happens during or after this; queued events are dropped. Safe from a listener call.
    /// </summary>
    public void Dispose()
    {
        lock (_queueLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            while (_queue.TryDequeue(out PendingEvent ev))
                Release(ev);
        }
        // From here C callbacks find no association for our id and drop what they carry.
        UsrSctpLibrary.Unregister(_id);
        nint socket = _socket;
        _socket = 0;
        if (socket != 0)
            UsrSctp.Close(socket);
        UsrSctp.DeregisterAddress(_id);
        if (_leased)
        {
            _leased = false;
            UsrSctpLibrary.Release();
        }

        // Not returned to the pool: a listener disposing us may still hold a span over it.
        _partial = null;
        if (_preConnect != null)
        {
            foreach (PendingMessage m in _preConnect)
                ArrayPool<byte>.Shared.Return(m.Data);
            _preConnect = null;
        }
    }

    // ---- Called from the C callbacks (any thread, usrsctp locks held): copy or keep, then return. ----

    internal void QueueOutgoingPacket(ReadOnlySpan<byte> packet)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(packet.Length);
        packet.CopyTo(copy);
        if (!Enqueue(new PendingEvent { Kind = EventKind.Packet, Packet = copy, Length = packet.Length }))
            ArrayPool<byte>.Shared.Return(copy);
    }

    /// <summary>False when disposed: the caller frees <paramref name="data"/>.</summary>
    internal bool QueueReceived(void* data, int length, ushort streamId, uint ppidNetworkOrder, int flags) =>
        Enqueue(new PendingEvent
        {
            Kind = EventKind.Received,
            Data = (nint)data,
            Length = length,
            StreamId = streamId,
            Ppid = ppidNetworkOrder,
            Flags = flags,
        });

    internal void QueueSendBufferFree(uint sendBufferFree) =>
        Enqueue(new PendingEvent { Kind = EventKind.SendBufferFree, SendBufferFree = sendBufferFree });

    private bool Enqueue(in PendingEvent ev)
    {
        lock (_queueLock)
        {
            if (_disposed)
                return false;
            _queue.Enqueue(ev);
            return true;
        }
    }

    // ---- Owner thread ----

    private void Drain()
    {
        if (_draining)
            return; // a listener called back into us: the outer loop delivers the rest
        _draining = true;
        try
        {
            while (true)
            {
                PendingEvent ev;
                lock (_queueLock)
                {
                    if (_disposed || !_queue.TryDequeue(out ev))
                        return;
                }
                try
                {
                    Process(in ev);
                }
                finally
                {
                    Release(ev);
                }
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private static void Release(in PendingEvent ev)
    {
        if (ev.Packet != null)
            ArrayPool<byte>.Shared.Return(ev.Packet);
        if (ev.Data != 0)
            NativeMemory.Free((void*)ev.Data);
    }

    private void Process(in PendingEvent ev)
    {
        switch (ev.Kind)
        {
            case EventKind.Packet:
                _listener.OnSctpAssociationSendData(ev.Packet.AsSpan(0, ev.Length));
                break;
            case EventKind.Received:
                var data = new ReadOnlySpan<byte>((void*)ev.Data, ev.Length);
                if ((ev.Flags & UsrSctp.MSG_NOTIFICATION) != 0)
                    HandleNotification(data);
                else
                    HandleMessage(ev.StreamId, BinaryPrimitives.ReverseEndianness(ev.Ppid), data, (ev.Flags & UsrSctp.MSG_EOR) != 0);
                break;
            case EventKind.SendBufferFree:
                SetBufferedAmount(ev.SendBufferFree >= (uint)SctpSendBufferSize ? 0 : SctpSendBufferSize - ev.SendBufferFree);
                break;
            case EventKind.StateChanged:
                _listener.OnSctpAssociationStateChanged(ev.State);
                break;
            case EventKind.SendBufferFull:
                _listener.OnSctpAssociationSendBufferFull();
                break;
        }
    }

    private void HandleMessage(ushort streamId, uint ppid, ReadOnlySpan<byte> data, bool endOfRecord)
    {
        if (!endOfRecord)
            PartialPiecesReceived++;
        if (!_partialActive)
        {
            if (endOfRecord)
            {
                if (data.Length > MaxSctpMessageSize)
                {
                    _logger?.Warn(LogTags.Sctp, $"SctpAssociation | message on stream {streamId} exceeds maxSctpMessageSize ({data.Length} > {MaxSctpMessageSize}), discarded");
                    return;
                }
                _listener.OnSctpAssociationMessageReceived(streamId, ppid, data);
                return;
            }
            _partialActive = true;
            _partialDiscard = false;
            _partialLength = 0;
            _partialStreamId = streamId;
            _partialPpid = ppid;
        }
        else if (streamId != _partialStreamId || ppid != _partialPpid)
        {
            // A new message while one is partial: the old one was aborted.
            _logger?.Warn(LogTags.Sctp, $"SctpAssociation | partial message on stream {_partialStreamId} interrupted, discarded");
            _partialActive = false;
            HandleMessage(streamId, ppid, data, endOfRecord);
            return;
        }

        if (!_partialDiscard)
        {
            int needed = _partialLength + data.Length;
            if (needed > MaxSctpMessageSize)
            {
                _logger?.Warn(LogTags.Sctp, $"SctpAssociation | message on stream {streamId} exceeds maxSctpMessageSize ({MaxSctpMessageSize}), discarded");
                _partialDiscard = true;
            }
            else
            {
                EnsurePartialCapacity(needed);
                data.CopyTo(_partial.AsSpan(_partialLength));
                _partialLength = needed;
            }
        }

        if (endOfRecord)
        {
            _partialActive = false;
            if (!_partialDiscard)
                _listener.OnSctpAssociationMessageReceived(streamId, ppid, _partial.AsSpan(0, _partialLength));
            _partialLength = 0;
        }
    }

    private void EnsurePartialCapacity(int needed)
    {
        if (_partial != null && _partial.Length >= needed)
            return;
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(needed, (_partial?.Length ?? 0) * 2), Math.Max(needed, MaxSctpMessageSize)));
        if (_partial != null)
        {
            _partial.AsSpan(0, _partialLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_partial);
        }
        _partial = bigger;
    }

    private void HandleNotification(ReadOnlySpan<byte> n)
    {
        if (n.Length < SctpNotificationLayout.HeaderSize)
            return;
        ushort type = Read16(n, SctpNotificationLayout.TypeOffset);
        // sn_length may exceed what was delivered if usrsctp had to truncate; trust the buffer.
        int length = (int)Math.Min((uint)n.Length, MemoryMarshal.Read<uint>(n[SctpNotificationLayout.LengthOffset..]));
        n = n[..length];

        switch (type)
        {
            case UsrSctp.SCTP_ASSOC_CHANGE:
                if (n.Length >= SctpNotificationLayout.AssocChangeSize)
                    HandleAssocChange(n);
                break;

            case UsrSctp.SCTP_SHUTDOWN_EVENT:
                _logger?.Debug(LogTags.Sctp, $"SctpAssociation | SCTP shutdown received");
                SetState(SctpAssociationState.Closed);
                break;

            case UsrSctp.SCTP_STREAM_RESET_EVENT:
                if (n.Length >= SctpNotificationLayout.StreamResetSize)
                    HandleStreamReset(n);
                break;

            case UsrSctp.SCTP_PARTIAL_DELIVERY_EVENT:
                // The message being delivered in parts was aborted.
                _logger?.Debug(LogTags.Sctp, $"SctpAssociation | partial delivery aborted");
                _partialActive = false;
                _partialLength = 0;
                break;

            case UsrSctp.SCTP_SEND_FAILED_EVENT:
                if (n.Length >= SctpNotificationLayout.SendFailedSize)
                    _logger?.Warn(LogTags.Sctp, $"SctpAssociation | SCTP message sending failed [stream:{Read16(n, SctpNotificationLayout.SendFailedSid)}, ppid:{BinaryPrimitives.ReverseEndianness(MemoryMarshal.Read<uint>(n[SctpNotificationLayout.SendFailedPpid..]))}, error:{MemoryMarshal.Read<uint>(n[SctpNotificationLayout.SendFailedError..])}]");
                break;

            case UsrSctp.SCTP_REMOTE_ERROR:
                if (n.Length >= SctpNotificationLayout.RemoteErrorError + 2)
                    _logger?.Warn(LogTags.Sctp, $"SctpAssociation | SCTP remote error [error:{BinaryPrimitives.ReverseEndianness(Read16(n, SctpNotificationLayout.RemoteErrorError))}]");
                break;

            case UsrSctp.SCTP_STREAM_CHANGE_EVENT:
                if (n.Length >= SctpNotificationLayout.StreamChangeOutStreams + 2)
                    _logger?.Debug(LogTags.Sctp, $"SctpAssociation | SCTP stream changed [in:{Read16(n, SctpNotificationLayout.StreamChangeInStreams)}, out:{Read16(n, SctpNotificationLayout.StreamChangeOutStreams)}]");
                break;

            default:
                break;
        }
    }

    private void HandleAssocChange(ReadOnlySpan<byte> n)
    {
        ushort state = Read16(n, SctpNotificationLayout.AssocChangeState);
        ushort outbound = Read16(n, SctpNotificationLayout.AssocChangeOutboundStreams);
        ushort inbound = Read16(n, SctpNotificationLayout.AssocChangeInboundStreams);
        switch (state)
        {
            case UsrSctp.SCTP_COMM_UP:
                _logger?.Debug(LogTags.Sctp, $"SctpAssociation | SCTP association connected [streams out:{outbound}, in:{inbound}]");
                if (State is SctpAssociationState.New or SctpAssociationState.Connecting)
                {
                    NegotiatedOutboundStreams = outbound;
                    NegotiatedInboundStreams = inbound;
                    _listener.OnSctpAssociationNegotiatedCapabilities(outbound, inbound);
                    SetState(SctpAssociationState.Connected);
                }
                break;

            case UsrSctp.SCTP_RESTART:
                _logger?.Debug(LogTags.Sctp, $"SctpAssociation | SCTP association restarted [streams out:{outbound}, in:{inbound}]");
                NegotiatedOutboundStreams = outbound;
                NegotiatedInboundStreams = inbound;
                break;

            case UsrSctp.SCTP_COMM_LOST:
            case UsrSctp.SCTP_CANT_STR_ASSOC:
                // As the reference: failing to establish is Failed, losing an established one is Closed.
                _logger?.Debug(LogTags.Sctp, $"SctpAssociation | SCTP association {(state == UsrSctp.SCTP_COMM_LOST ? "lost" : "could not be established")} [error:{Read16(n, SctpNotificationLayout.AssocChangeError)}]");
                SetState(State == SctpAssociationState.Connected ? SctpAssociationState.Closed : SctpAssociationState.Failed);
                break;

            case UsrSctp.SCTP_SHUTDOWN_COMP:
                SetState(SctpAssociationState.Closed);
                break;
        }
    }

    private void HandleStreamReset(ReadOnlySpan<byte> n)
    {
        ushort flags = Read16(n, SctpNotificationLayout.FlagsOffset);
        int count = (n.Length - SctpNotificationLayout.StreamResetList) / sizeof(ushort);
        ReadOnlySpan<ushort> ids = MemoryMarshal.Cast<byte, ushort>(n.Slice(SctpNotificationLayout.StreamResetList, count * sizeof(ushort)));
        // The buffer is usrsctp's malloc'd memory, suitably aligned; copy anyway so the listener
        // gets a plain span that does not alias a buffer freed after the call.
        ushort[]? rented = null;
        Span<ushort> copy = count <= 64 ? stackalloc ushort[count] : (rented = ArrayPool<ushort>.Shared.Rent(count)).AsSpan(0, count);
        ids.CopyTo(copy);
        try
        {
            if ((flags & (UsrSctp.SCTP_STREAM_RESET_DENIED | UsrSctp.SCTP_STREAM_RESET_FAILED)) != 0)
            {
                _logger?.Warn(LogTags.Sctp, $"SctpAssociation | SCTP stream reset {((flags & UsrSctp.SCTP_STREAM_RESET_DENIED) != 0 ? "denied" : "failed")}");
                if ((flags & UsrSctp.SCTP_STREAM_RESET_OUTGOING_SSN) != 0)
                    _listener.OnSctpAssociationOutboundStreamsReset(copy, succeeded: false);
            }
            else if ((flags & UsrSctp.SCTP_STREAM_RESET_INCOMING_SSN) != 0)
            {
                _listener.OnSctpAssociationInboundStreamsReset(copy);
            }
            else if ((flags & UsrSctp.SCTP_STREAM_RESET_OUTGOING_SSN) != 0)
            {
                _listener.OnSctpAssociationOutboundStreamsReset(copy, succeeded: true);
            }
        }
        finally
        {
            if (rented != null)
                ArrayPool<ushort>.Shared.Return(rented);
        }
    }

    private void SetState(SctpAssociationState state)
    {
        if (State == state)
            return;
        State = state;
        _listener.OnSctpAssociationStateChanged(state);
    }

    private void SetBufferedAmount(long amount)
    {
        long previous = BufferedAmount;
        if (amount == previous)
            return;
        BufferedAmount = amount;
        _listener.OnSctpAssociationBufferedAmount(amount);
        if (previous > BufferedAmountLowThreshold && amount <= BufferedAmountLowThreshold)
            _listener.OnSctpAssociationBufferedAmountLow(amount);
    }

    private SctpSendResult SendNow(ushort streamId, uint ppid, ReadOnlySpan<byte> message, bool ordered, int? maxPacketLifeTime, int? maxRetransmits)
    {
        SctpSendvSpa spa = default;
        spa.Flags = UsrSctp.SCTP_SEND_SNDINFO_VALID;
        spa.SndInfo.Sid = streamId;
        spa.SndInfo.Ppid = BinaryPrimitives.ReverseEndianness(ppid);
        spa.SndInfo.Flags = (ushort)(UsrSctp.SCTP_EOR | (ordered ? 0 : UsrSctp.SCTP_UNORDERED));
        if (maxPacketLifeTime is int lifetime)
        {
            spa.Flags |= UsrSctp.SCTP_SEND_PRINFO_VALID;
            spa.PrInfo.Policy = UsrSctp.SCTP_PR_SCTP_TTL;
            spa.PrInfo.Value = (uint)Math.Max(lifetime, 0);
        }
        else if (maxRetransmits is int retransmits)
        {
            spa.Flags |= UsrSctp.SCTP_SEND_PRINFO_VALID;
            spa.PrInfo.Policy = UsrSctp.SCTP_PR_SCTP_RTX;
            spa.PrInfo.Value = (uint)Math.Max(retransmits, 0);
        }

        nint sent;
        fixed (byte* p = message)
            sent = UsrSctp.SendV(_socket, p, (nuint)message.Length, null, 0, &spa, (uint)sizeof(SctpSendvSpa), UsrSctp.SCTP_SENDV_SPA, 0);
        if (sent < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case UsrSctp.EWOULDBLOCK:
                case UsrSctp.ENOBUFS:
                    return SctpSendResult.BufferFull;
                case UsrSctp.EMSGSIZE:
                    return SctpSendResult.TooBig;
                default:
                    _logger?.Warn(LogTags.Sctp, $"SctpAssociation::SendSctpMessage() | usrsctp_sendv() failed [stream:{streamId}, errno:{errno}]");
                    return SctpSendResult.Failed;
            }
        }
        SetBufferedAmount(BufferedAmount + message.Length);
        return SctpSendResult.Ok;
    }

    private SctpSendResult QueuePreConnect(ushort streamId, uint ppid, ReadOnlySpan<byte> message, bool ordered, int? maxPacketLifeTime, int? maxRetransmits)
    {
        if (BufferedAmount + message.Length > SctpSendBufferSize)
            return SctpSendResult.BufferFull;
        byte[] copy = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(copy);
        (_preConnect ??= new List<PendingMessage>()).Add(new PendingMessage(streamId, ppid, copy, message.Length, ordered, maxPacketLifeTime, maxRetransmits));
        SetBufferedAmount(BufferedAmount + message.Length);
        return SctpSendResult.Ok;
    }

    private void FlushPreConnect()
    {
        List<PendingMessage>? pending = _preConnect;
        if (pending == null)
            return;
        _preConnect = null;
        // usrsctp queues data in COOKIE-WAIT and sends it once established.
        BufferedAmount = 0;
        foreach (PendingMessage m in pending)
        {
            if (_socket != 0 && SendNow(m.StreamId, m.Ppid, m.Data.AsSpan(0, m.Length), m.Ordered, m.MaxPacketLifeTime, m.MaxRetransmits) != SctpSendResult.Ok)
                _logger?.Warn(LogTags.Sctp, $"SctpAssociation::Connect() | message queued before connecting dropped [stream:{m.StreamId}]");
            ArrayPool<byte>.Shared.Return(m.Data);
        }
    }

    private void ConfigureSocket(int receiveBufferSize)
    {
        if (UsrSctp.SetNonBlocking(_socket, 1) < 0)
            throw Error("usrsctp_set_non_blocking()");

        // Close aborts and frees the association at once (no lingering callbacks with our id).
        var linger = new Linger { OnOff = 1, Seconds = 0 };
        SetOption(UsrSctp.SOL_SOCKET, UsrSctp.SO_LINGER, &linger, sizeof(Linger), "SO_LINGER");

        var reset = new SctpAssocValue { AssocId = UsrSctp.SCTP_FUTURE_ASSOC, Value = UsrSctp.SCTP_ENABLE_RESET_STREAM_REQ };
        SetOption(UsrSctp.IPPROTO_SCTP, UsrSctp.SCTP_ENABLE_STREAM_RESET, &reset, sizeof(SctpAssocValue), "SCTP_ENABLE_STREAM_RESET");

        int noDelay = 1;
        SetOption(UsrSctp.IPPROTO_SCTP, UsrSctp.SCTP_NODELAY, &noDelay, sizeof(int), "SCTP_NODELAY");

        ReadOnlySpan<ushort> events =
        [
            UsrSctp.SCTP_ASSOC_CHANGE, UsrSctp.SCTP_PEER_ADDR_CHANGE, UsrSctp.SCTP_REMOTE_ERROR,
            UsrSctp.SCTP_SHUTDOWN_EVENT, UsrSctp.SCTP_ADAPTATION_INDICATION, UsrSctp.SCTP_PARTIAL_DELIVERY_EVENT,
            UsrSctp.SCTP_STREAM_RESET_EVENT, UsrSctp.SCTP_STREAM_CHANGE_EVENT, UsrSctp.SCTP_SEND_FAILED_EVENT,
        ];
        foreach (ushort type in events)
        {
            var ev = new SctpEvent { AssocId = UsrSctp.SCTP_FUTURE_ASSOC, Type = type, On = 1 };
            SetOption(UsrSctp.IPPROTO_SCTP, UsrSctp.SCTP_EVENT, &ev, sizeof(SctpEvent), "SCTP_EVENT");
        }

        var init = new SctpInitMsg { NumOstreams = OutboundStreams, MaxInstreams = InboundStreams };
        SetOption(UsrSctp.IPPROTO_SCTP, UsrSctp.SCTP_INITMSG, &init, sizeof(SctpInitMsg), "SCTP_INITMSG");

        int sendBuffer = SctpSendBufferSize;
        SetOption(UsrSctp.SOL_SOCKET, UsrSctp.SO_SNDBUF, &sendBuffer, sizeof(int), "SO_SNDBUF");
        int receiveBuffer = receiveBufferSize;
        SetOption(UsrSctp.SOL_SOCKET, UsrSctp.SO_RCVBUF, &receiveBuffer, sizeof(int), "SO_RCVBUF");

        // Fixed MTU, no path MTU discovery. For AF_CONN spp_pathmtu is the room for chunks:
        // usrsctp adds the 12-byte common header to get the largest packet it emits.
        SctpPaddrParams paddr = default;
        paddr.AssocId = UsrSctp.SCTP_FUTURE_ASSOC;
        paddr.PathMtu = Mtu - 12;
        paddr.Flags = UsrSctp.SPP_PMTUD_DISABLE;
        SetOption(UsrSctp.IPPROTO_SCTP, UsrSctp.SCTP_PEER_ADDR_PARAMS, &paddr, sizeof(SctpPaddrParams), "SCTP_PEER_ADDR_PARAMS");

        SockAddrConn local = ConnAddress();
        if (UsrSctp.Bind(_socket, &local, (uint)sizeof(SockAddrConn)) < 0)
            throw Error("usrsctp_bind()");
    }

    private void SetOption(int level, int name, void* value, int length, string what)
    {
        if (UsrSctp.SetSockOpt(_socket, level, name, value, (uint)length) < 0)
            throw Error($"usrsctp_setsockopt({what})");
    }

    private SockAddrConn ConnAddress() => new()
    {
        Family = UsrSctp.AF_CONN,
        Port = BinaryPrimitives.ReverseEndianness(Port),
        Addr = _id,
    };

    private static SctpException Error(string what) =>
        new($"{what} failed: errno {Marshal.GetLastPInvokeError()}");

    private static ushort Read16(ReadOnlySpan<byte> n, int offset) => MemoryMarshal.Read<ushort>(n[offset..]);
}
