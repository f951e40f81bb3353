using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

public enum TransportCcAddResult : byte
{
    /// <summary>The packet is now part of the feedback.</summary>
    Added,
    /// <summary>Not newer than the latest packet added (duplicate or reordered); nothing changed.</summary>
    Ignored,
    /// <summary>It would make the feedback exceed the size limit or 65535 statuses; nothing changed. Send this one and start another.</summary>
    Full,
    /// <summary>
    /// Too many packets missing before it (more than 8191) or its delta does not fit 16 bits;
    /// nothing changed. The reference worker then discards the feedback in progress and starts another.
    /// </summary>
    Rejected,
}

/// <summary>
/// Builds one transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)
/// incrementally for the receive-side estimator, one arriving packet at a time, always knowing
/// its exact serialized size. Allocates its buffers once; <see cref="Reset"/> reuses them.
/// <para>
/// Chunk choice: statuses queue until they can no longer share one chunk, then the longest
/// encoding is emitted: a run length when all are equal, 14 one-bit symbols when no large delta
/// is present, otherwise the first 7 as two-bit symbols.
/// </para>
/// </summary>
public sealed class TransportCcBuilder
{
    /// <summary>Largest gap of missing packets one addition may span (the reference worker's limit).</summary>
    public const int MaxMissingPackets = (1 << 13) - 1;

    /// <summary>Room for a maximal gap plus one packet, so an empty builder always accepts its first packet.</summary>
    public const int MinPacketSize = HeaderSize + 12;

    private const int MaxRunLength = 0x1FFF;
    private const int OneBitCapacity = 14;
    private const int TwoBitCapacity = 7;
    private const int HeaderSize = FeedbackPacket.FixedSize + TransportCcFeedback.FciFixedSize;

    private readonly int _maxPacketSize;
    private readonly ushort[] _chunks;
    private readonly byte[] _deltas;

    // Statuses not yet in a chunk: the first 14 symbols are kept (beyond that they are all equal).
    private readonly byte[] _pending = new byte[OneBitCapacity];
    private readonly byte[] _savedPending = new byte[OneBitCapacity];
    private int _pendingCount;
    private bool _pendingAllSame;
    private bool _pendingHasLarge;

    private int _chunkCount;
    private int _deltaLength;
    private int _statusCount;
    private int _receivedCount;

    private uint _senderSsrc;
    private uint _mediaSsrc;
    private ushort _baseSequence;
    private int _referenceTime;
    private ushort _latestSequence;
    private long _latestTimeUs;

    /// <param name="maxPacketSize">Largest feedback packet to produce, in bytes (raised to at least <see cref="MinPacketSize"/>).</param>
    public TransportCcBuilder(int maxPacketSize = CompoundBuilder.DefaultMaxSize)
    {
        _maxPacketSize = Math.Clamp(maxPacketSize, MinPacketSize, RtcpHeader.MaxPacketSize);
        // One addition may overshoot the limit by a few chunks and one delta before it is rolled back.
        _chunks = new ushort[_maxPacketSize / 2 + 16];
        _deltas = new byte[_maxPacketSize + 16];
        Reset(0, 0, 0);
    }

    public int MaxPacketSize => _maxPacketSize;

    public bool IsBaseSet { get; private set; }

    public ushort BaseSequence => _baseSequence;

    /// <summary>Reference time in 64 ms units (24-bit signed).</summary>
    public int ReferenceTime => _referenceTime;

    public byte FeedbackPacketCount { get; set; }

    /// <summary>Latest sequence number added (base − 1 before any).</summary>
    public ushort LatestSequence => _latestSequence;

    /// <summary>Arrival time of the latest packet as encoded, i.e. rounded to the delta grid.</summary>
    public long LatestTimeUs => _latestTimeUs;

    public int PacketStatusCount => _statusCount;

    public int ReceivedCount => _receivedCount;

    public int LostCount => _statusCount - _receivedCount;

    /// <summary>Whether <see cref="Write"/> would produce a packet (at least one received packet).</summary>
    public bool HasReceived => _receivedCount > 0;

    /// <summary>Close enough to 65535 statuses that the reference worker sends it now.</summary>
    public bool IsFull => _statusCount >= ushort.MaxValue - 7;

    /// <summary>Exact size <see cref="Write"/> will produce, padding included.</summary>
    public int Size => RtcpHeader.PadTo4(HeaderSize + 2 * (_chunkCount + (_pendingCount > 0 ? 1 : 0)) + _deltaLength);

    /// <summary>Starts an empty feedback; the base is set by <see cref="SetBase"/> or by the first <see cref="AddPacket"/>.</summary>
    public void Reset(uint senderSsrc, uint mediaSsrc, byte feedbackPacketCount)
    {
        _senderSsrc = senderSsrc;
        _mediaSsrc = mediaSsrc;
        FeedbackPacketCount = feedbackPacketCount;
        IsBaseSet = false;
        _baseSequence = 0;
        _referenceTime = 0;
        _latestSequence = 0;
        _latestTimeUs = 0;
        _chunkCount = 0;
        _deltaLength = 0;
        _statusCount = 0;
        _receivedCount = 0;
        _pendingCount = 0;
        _pendingAllSame = true;
        _pendingHasLarge = false;
    }

    /// <summary>
    /// Fixes the base sequence number and the reference time: the time floored to 64 ms, whose
    /// low 24 bits go on the wire. The first packet's delta is measured from that floor.
    /// A base below the first added sequence reports the packets in between as lost.
    /// </summary>
    public void SetBase(ushort sequence, long timeUs)
    {
        long ticks = timeUs / TransportCcFeedback.ReferenceTickUs;
        IsBaseSet = true;
        _baseSequence = sequence;
        _referenceTime = (int)((ticks & 0xFFFFFF) << 8) >> 8;
        _latestSequence = (ushort)(sequence - 1);
        _latestTimeUs = ticks * TransportCcFeedback.ReferenceTickUs;
    }

    public TransportCcAddResult AddPacket(ushort sequence, long timeUs)
    {
        if (!IsBaseSet)
            SetBase(sequence, timeUs);

        int step = (ushort)(sequence - _latestSequence);
        if (step == 0 || step >= 0x8000)
            return TransportCcAddResult.Ignored;
        int missing = step - 1;
        if (missing > MaxMissingPackets)
            return TransportCcAddResult.Rejected;

        // Nearest 250 µs tick, halves away from zero.
        long elapsedUs = timeUs - _latestTimeUs;
        long ticks = elapsedUs >= 0
            ? (elapsedUs + TransportCcFeedback.DeltaTickUs / 2) / TransportCcFeedback.DeltaTickUs
            : (elapsedUs - TransportCcFeedback.DeltaTickUs / 2) / TransportCcFeedback.DeltaTickUs;
        if (ticks > short.MaxValue || ticks < -short.MaxValue)
            return TransportCcAddResult.Rejected;
        if (_statusCount + missing + 1 > ushort.MaxValue)
            return TransportCcAddResult.Full;

        // Apply, then undo if the size limit is crossed: the exact growth depends on how the
        // queued statuses get split into chunks.
        int savedChunks = _chunkCount, savedDeltas = _deltaLength, savedPendingCount = _pendingCount;
        bool savedAllSame = _pendingAllSame, savedHasLarge = _pendingHasLarge;
        _pending.AsSpan().CopyTo(_savedPending);

        byte symbol;
        if (ticks >= 0 && ticks <= byte.MaxValue)
        {
            symbol = TransportCcFeedback.SymbolSmallDelta;
            _deltas[_deltaLength++] = (byte)ticks;
        }
        else
        {
            symbol = TransportCcFeedback.SymbolLargeDelta;
            BinaryPrimitives.WriteInt16BigEndian(_deltas.AsSpan(_deltaLength), (short)ticks);
            _deltaLength += 2;
        }
        AddSymbols(TransportCcFeedback.SymbolNotReceived, missing);
        AddSymbols(symbol, 1);

        if (Size > _maxPacketSize)
        {
            _chunkCount = savedChunks;
            _deltaLength = savedDeltas;
            _pendingCount = savedPendingCount;
            _pendingAllSame = savedAllSame;
            _pendingHasLarge = savedHasLarge;
            _savedPending.AsSpan().CopyTo(_pending);
            return TransportCcAddResult.Full;
        }

        _statusCount += missing + 1;
        _receivedCount++;
        _latestSequence = sequence;
        _latestTimeUs += ticks * TransportCcFeedback.DeltaTickUs;
        return TransportCcAddResult.Added;
    }

    /// <summary>
    /// Serializes the feedback (RTPFB FMT 15, zero padded to 32 bits, P bit clear). Returns 0
    /// when nothing was received yet or <paramref name="dst"/> is too small. Does not change
    /// the builder, so it can be written again.
    /// </summary>
    public int Write(Span<byte> dst)
    {
        int size = Size;
        if (_receivedCount == 0 || dst.Length < size)
            return 0;
        FeedbackPacket.WriteHeader(dst, RtcpPacketType.RTPFB, RtpFeedbackFmt.TransportCc, size, _senderSsrc, _mediaSsrc);
        Span<byte> fci = dst.Slice(FeedbackPacket.FixedSize);
        BinaryPrimitives.WriteUInt16BigEndian(fci, _baseSequence);
        BinaryPrimitives.WriteUInt16BigEndian(fci.Slice(2), (ushort)_statusCount);
        BinaryPrimitives.WriteUInt32BigEndian(fci.Slice(4), ((uint)_referenceTime << 8) | FeedbackPacketCount);
        int pos = TransportCcFeedback.FciFixedSize;
        for (int i = 0; i < _chunkCount; i++, pos += 2)
            BinaryPrimitives.WriteUInt16BigEndian(fci.Slice(pos), _chunks[i]);
        if (_pendingCount > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(fci.Slice(pos), EncodeLastChunk());
            pos += 2;
        }
        _deltas.AsSpan(0, _deltaLength).CopyTo(fci.Slice(pos));
        pos += _deltaLength;
        int end = FeedbackPacket.FixedSize + pos;
        dst.Slice(end, size - end).Clear();
        return size;
    }

    private void AddSymbols(byte symbol, int count)
    {
        while (count > 0)
        {
            if (_pendingCount == 0 || (_pendingAllSame && _pending[0] == symbol))
            {
                // A run of equal symbols: extend it in bulk.
                if (_pendingCount == MaxRunLength)
                {
                    EmitChunk();
                    continue;
                }
                if (_pendingCount == 0)
                {
                    _pendingAllSame = true;
                    _pendingHasLarge = false;
                }
                int n = Math.Min(count, MaxRunLength - _pendingCount);
                for (int i = _pendingCount; i < OneBitCapacity && i < _pendingCount + n; i++)
                    _pending[i] = symbol;
                _pendingCount += n;
                _pendingHasLarge |= symbol == TransportCcFeedback.SymbolLargeDelta;
                count -= n;
                continue;
            }
            if (!CanAppend(symbol))
            {
                EmitChunk();
                continue;
            }
            _pending[_pendingCount++] = symbol;
            _pendingAllSame = false;
            _pendingHasLarge |= symbol == TransportCcFeedback.SymbolLargeDelta;
            count--;
        }
    }

    // Whether one more (different) symbol still fits the chunk the queue will become.
    private bool CanAppend(byte symbol)
    {
        if (_pendingCount < TwoBitCapacity)
            return true;
        return _pendingCount < OneBitCapacity && !_pendingHasLarge && symbol != TransportCcFeedback.SymbolLargeDelta;
    }

    private void EmitChunk()
    {
        if (_pendingAllSame)
        {
            _chunks[_chunkCount++] = RunLength(_pending[0], _pendingCount);
            _pendingCount = 0;
        }
        else if (_pendingCount == OneBitCapacity)
        {
            _chunks[_chunkCount++] = OneBitVector(_pendingCount);
            _pendingCount = 0;
        }
        else
        {
            // Mixed with a large delta: seven go out as two-bit symbols, the rest stay queued.
            _chunks[_chunkCount++] = TwoBitVector(TwoBitCapacity);
            int rest = _pendingCount - TwoBitCapacity;
            _pending.AsSpan(TwoBitCapacity, rest).CopyTo(_pending);
            _pendingCount = rest;
            _pendingAllSame = true;
            _pendingHasLarge = false;
            for (int i = 0; i < rest; i++)
            {
                _pendingAllSame &= _pending[i] == _pending[0];
                _pendingHasLarge |= _pending[i] == TransportCcFeedback.SymbolLargeDelta;
            }
        }
    }

    private ushort EncodeLastChunk()
    {
        if (_pendingAllSame)
            return RunLength(_pending[0], _pendingCount);
        if (_pendingCount <= TwoBitCapacity)
            return TwoBitVector(_pendingCount);
        return OneBitVector(_pendingCount);
    }

    // §3.1.3: T=0, S(2), run length(13).
    private static ushort RunLength(byte symbol, int count) => (ushort)((symbol << 13) | count);

    // §3.1.4: T=1, S=0, 14 symbols of 1 bit, first symbol in the most significant position.
    private ushort OneBitVector(int count)
    {
        int chunk = 0x8000;
        for (int i = 0; i < count; i++)
            chunk |= _pending[i] << (13 - i);
        return (ushort)chunk;
    }

    // §3.1.4: T=1, S=1, 7 symbols of 2 bits.
    private ushort TwoBitVector(int count)
    {
        int chunk = 0xC000;
        for (int i = 0; i < count; i++)
            chunk |= _pending[i] << (12 - 2 * i);
        return (ushort)chunk;
    }
}
