using System;
using System.Buffers.Binary;

namespace Mediasoup.Rtcp;

/// <summary>Per-packet result of a transport-cc feedback.</summary>
/// <param name="Sequence">Transport-wide sequence number.</param>
/// <param name="Received">Whether the packet arrived.</param>
/// <param name="Delta">Receive delta in 250 µs ticks from the previous received packet (or the reference time); 0 when not received.</param>
public readonly record struct TransportCcPacketStatus(ushort Sequence, bool Received, short Delta)
{
    public long DeltaUs => Delta * TransportCcFeedback.DeltaTickUs;
}

/// <summary>
/// Transport-wide congestion control feedback, RTPFB FMT 15
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): base sequence, packet status
/// count, reference time (24-bit signed, 64 ms units), feedback packet count, then packet
/// chunks (§3.1.3 run length, §3.1.4 status vector with 1- or 2-bit symbols) and receive
/// deltas (§3.1.5: 1 byte unsigned for "small", 2 bytes signed for "large", 250 µs units).
/// <para>
/// <see cref="TryRead"/> walks every chunk and checks that all deltas are present, so the
/// enumerator never runs out of data. A chunk that describes more statuses than remain is
/// clipped (as libwebrtc does); symbol 3 ("reserved") rejects the packet.
/// </para>
/// </summary>
public readonly ref struct TransportCcFeedback
{
    public const long DeltaTickUs = 250;
    public const long ReferenceTickUs = 64_000;

    /// <summary>Base sequence, status count, reference time, fb pkt count.</summary>
    public const int FciFixedSize = 8;

    internal const byte SymbolNotReceived = 0;
    internal const byte SymbolSmallDelta = 1;
    internal const byte SymbolLargeDelta = 2;

    private readonly ReadOnlySpan<byte> _fci;
    private readonly int _deltasOffset;

    private TransportCcFeedback(uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci, int deltasOffset, int receivedCount)
    {
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        _fci = fci;
        _deltasOffset = deltasOffset;
        ReceivedCount = receivedCount;
    }

    public uint SenderSsrc { get; }

    public uint MediaSsrc { get; }

    public ushort BaseSequence => BinaryPrimitives.ReadUInt16BigEndian(_fci);

    public int PacketStatusCount => BinaryPrimitives.ReadUInt16BigEndian(_fci.Slice(2));

    /// <summary>Reference time in 64 ms units, sign-extended from 24 bits.</summary>
    public int ReferenceTime => (int)(BinaryPrimitives.ReadUInt32BigEndian(_fci.Slice(4)) & 0xFFFFFF00) >> 8;

    public long ReferenceTimeUs => ReferenceTime * ReferenceTickUs;

    public byte FeedbackPacketCount => _fci[7];

    public int ReceivedCount { get; }

    public int LostCount => PacketStatusCount - ReceivedCount;

    public TransportCcEnumerator GetEnumerator()
        => new(_fci.Slice(FciFixedSize, _deltasOffset - FciFixedSize), _fci.Slice(_deltasOffset), BaseSequence, PacketStatusCount);

    public static bool TryRead(RtcpPacket packet, out TransportCcFeedback feedback)
    {
        feedback = default;
        if (!FeedbackPacket.TryRead(packet, RtcpPacketType.RTPFB, RtpFeedbackFmt.TransportCc, out FeedbackPacket fb))
            return false;
        ReadOnlySpan<byte> fci = fb.Fci;
        if (fci.Length < FciFixedSize)
            return false;
        int remaining = BinaryPrimitives.ReadUInt16BigEndian(fci.Slice(2));
        int pos = FciFixedSize;
        int received = 0;
        int deltaBytes = 0;
        while (remaining > 0)
        {
            if (pos + 2 > fci.Length)
                return false;
            int chunk = BinaryPrimitives.ReadUInt16BigEndian(fci.Slice(pos));
            pos += 2;
            if ((chunk & 0x8000) == 0)
            {
                // Run length chunk: T=0, S(2), run length(13).
                int symbol = (chunk >> 13) & 0x3;
                int n = Math.Min(chunk & 0x1FFF, remaining);
                if (symbol == 3)
                    return false;
                if (symbol != SymbolNotReceived)
                {
                    received += n;
                    deltaBytes += n * symbol;
                }
                remaining -= n;
            }
            else if ((chunk & 0x4000) == 0)
            {
                // Status vector, 14 one-bit symbols: 1 = received with a small delta.
                int n = Math.Min(14, remaining);
                for (int i = 0; i < n; i++)
                {
                    if (((chunk >> (13 - i)) & 1) != 0)
                    {
                        received++;
                        deltaBytes++;
                    }
                }
                remaining -= n;
            }
            else
            {
                // Status vector, 7 two-bit symbols.
                int n = Math.Min(7, remaining);
                for (int i = 0; i < n; i++)
                {
                    int symbol = (chunk >> (12 - 2 * i)) & 0x3;
                    if (symbol == 3)
                        return false;
                    if (symbol != SymbolNotReceived)
                    {
                        received++;
                        deltaBytes += symbol;
                    }
                }
                remaining -= n;
            }
        }
        if (pos + deltaBytes > fci.Length)
            return false;
        feedback = new TransportCcFeedback(fb.SenderSsrc, fb.MediaSsrc, fci, pos, received);
        return true;
    }
}

/// <summary>Walks chunks and deltas of a feedback that <see cref="TransportCcFeedback.TryRead"/> validated.</summary>
public ref struct TransportCcEnumerator
{
    private readonly ReadOnlySpan<byte> _chunks;
    private readonly ReadOnlySpan<byte> _deltas;
    private int _chunkPos;
    private int _deltaPos;
    private int _remaining;
    private ushort _nextSequence;
    private int _chunk;
    private int _chunkIndex;
    private int _chunkLength;
    private TransportCcPacketStatus _current;

    internal TransportCcEnumerator(ReadOnlySpan<byte> chunks, ReadOnlySpan<byte> deltas, ushort baseSequence, int statusCount)
    {
        _chunks = chunks;
        _deltas = deltas;
        _chunkPos = 0;
        _deltaPos = 0;
        _remaining = statusCount;
        _nextSequence = baseSequence;
        _chunk = 0;
        _chunkIndex = 0;
        _chunkLength = 0;
        _current = default;
    }

    public readonly TransportCcPacketStatus Current => _current;

    public bool MoveNext()
    {
        if (_remaining == 0)
            return false;
        // Zero-length run chunks are legal; skip past them.
        while (_chunkIndex >= _chunkLength)
        {
            if (_chunkPos + 2 > _chunks.Length)
                return false;
            _chunk = BinaryPrimitives.ReadUInt16BigEndian(_chunks.Slice(_chunkPos));
            _chunkPos += 2;
            _chunkIndex = 0;
            int capacity = (_chunk & 0x8000) == 0 ? _chunk & 0x1FFF : (_chunk & 0x4000) == 0 ? 14 : 7;
            _chunkLength = Math.Min(capacity, _remaining);
        }
        int symbol;
        if ((_chunk & 0x8000) == 0)
            symbol = (_chunk >> 13) & 0x3;
        else if ((_chunk & 0x4000) == 0)
            symbol = (_chunk >> (13 - _chunkIndex)) & 0x1;
        else
            symbol = (_chunk >> (12 - 2 * _chunkIndex)) & 0x3;
        _chunkIndex++;
        _remaining--;

        short delta = 0;
        bool received = symbol != TransportCcFeedback.SymbolNotReceived;
        if (symbol == TransportCcFeedback.SymbolSmallDelta && _deltaPos < _deltas.Length)
        {
            delta = _deltas[_deltaPos];
            _deltaPos += 1;
        }
        else if (symbol == TransportCcFeedback.SymbolLargeDelta && _deltaPos + 2 <= _deltas.Length)
        {
            delta = BinaryPrimitives.ReadInt16BigEndian(_deltas.Slice(_deltaPos));
            _deltaPos += 2;
        }
        _current = new TransportCcPacketStatus(_nextSequence++, received, delta);
        return true;
    }
}
