using System;
using System.Buffers.Binary;

namespace Mediasoup.Sctp;

/// <summary>
/// Bytes handed to the association but not yet put on the wire, the way a DataChannel's
/// bufferedAmount counts them (usrsctp only tells queued-or-unacknowledged). Counts payload
/// queued by sends against first transmissions of DATA chunks (RFC 4960 §3.3.1) seen leaving.
/// </summary>
internal sealed class SctpDataAccounting
{
    private const int CommonHeaderLength = 12;
    private const byte DataChunkType = 0;
    private const int DataChunkHeaderLength = 16;

    private long _queued;
    private long _transmitted;
    private uint _highestTsn;
    private bool _haveTsn;

    public long NotYetSent => Math.Max(0, _queued - _transmitted);

    public void Queued(int bytes) => _queued += bytes;

    /// <summary>Inspects an outgoing SCTP packet; retransmitted TSNs are not counted again.</summary>
    public void Sent(ReadOnlySpan<byte> packet)
    {
        int offset = CommonHeaderLength;
        while (offset + 4 <= packet.Length)
        {
            byte type = packet[offset];
            int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
            if (length < 4 || offset + length > packet.Length)
                return;
            if (type == DataChunkType && length >= DataChunkHeaderLength)
            {
                uint tsn = BinaryPrimitives.ReadUInt32BigEndian(packet[(offset + 4)..]);
                if (!_haveTsn || (int)(tsn - _highestTsn) > 0)
                {
                    _highestTsn = tsn;
                    _haveTsn = true;
                    _transmitted += length - DataChunkHeaderLength;
                }
            }
            offset += (length + 3) & ~3; // chunks are padded to 4 bytes
        }
    }
}
