using System;
using System.Buffers.Binary;

namespace Mediasoup.Sctp;

/// <summary>Why <see cref="SctpPacketCheck"/> refused an inbound SCTP packet (Ok: accepted).</summary>
public enum SctpPacketVerdict : byte
{
    Ok = 0,
    /// <summary>Shorter than the common header plus one chunk header.</summary>
    TooShort,
    /// <summary>A chunk whose Length field is below 4 (its own header).</summary>
    ChunkLengthBelowHeader,
    /// <summary>A chunk whose Length runs past the end of the packet.</summary>
    ChunkOverrun,
    /// <summary>Bytes after the last chunk beyond its at most 3 padding bytes.</summary>
    TrailingBytes,
    /// <summary>A chunk type with a fixed length (COOKIE ACK, SHUTDOWN, ECNE...) carrying another one.</summary>
    FixedLengthMismatch,
    /// <summary>A chunk shorter than the minimum of its type (DATA with no user data, INIT without its fixed part...).</summary>
    BelowMinimumLength,
    /// <summary>A chunk whose internal lengths disagree with its Length (SACK blocks, FORWARD-TSN entries, TLV parameters).</summary>
    InconsistentBody,
    /// <summary>A known control chunk after a DATA or I-DATA chunk (RFC 4960 §6.10: control chunks come first).</summary>
    ControlAfterData,
    /// <summary>INIT, INIT ACK or SHUTDOWN COMPLETE bundled with other chunks (RFC 4960 §6.10).</summary>
    MustBeAlone,
    /// <summary>INIT with a non-zero verification tag (RFC 4960 §8.5.1).</summary>
    InitWithTag,
}

/// <summary>
/// Structural validation of an inbound SCTP packet before usrsctp sees it. usrsctp answers some
/// malformed but correctly tagged chunks by aborting the whole association (a COOKIE ACK of the
/// wrong length, a DATA chunk without user data, a control chunk after DATA): anyone on the
/// tuple who knows the tag could cut every DataChannel. The packet is walked chunk by chunk and
/// refused when any chunk breaks the framing of RFC 4960 §3.2 or the fixed/minimum length of its
/// type; the caller drops it (the peer retransmits what mattered). Stateless, no allocation.
/// CRC32c is left to usrsctp.
/// </summary>
public static class SctpPacketCheck
{
    public const int CommonHeaderLength = 12;
    private const int ChunkHeaderLength = 4;

    // RFC 4960 §3.2 chunk types, and the extensions the worker's peers use.
    private const byte Data = 0;
    private const byte Init = 1;
    private const byte InitAck = 2;
    private const byte Sack = 3;
    private const byte Heartbeat = 4;
    private const byte HeartbeatAck = 5;
    private const byte Abort = 6;
    private const byte Shutdown = 7;
    private const byte ShutdownAck = 8;
    private const byte Error = 9;
    private const byte CookieEcho = 10;
    private const byte CookieAck = 11;
    private const byte Ecne = 12;
    private const byte Cwr = 13;
    private const byte ShutdownComplete = 14;
    private const byte Auth = 15;            // RFC 4895
    private const byte NrSack = 16;          // usrsctp's NR-SACK
    private const byte IData = 64;           // RFC 8260
    private const byte AsconfAck = 0x80;     // RFC 5061
    private const byte PacketDropped = 0x81; // usrsctp's PKTDROP
    private const byte ReConfig = 0x82;      // RFC 6525
    private const byte Pad = 0x84;           // RFC 4820
    private const byte ForwardTsn = 0xC0;    // RFC 3758
    private const byte Asconf = 0xC1;        // RFC 5061
    private const byte IForwardTsn = 0xC2;   // RFC 8260

    /// <summary>Number of <see cref="SctpPacketVerdict"/> values (for per-verdict counters).</summary>
    public const int VerdictCount = (int)SctpPacketVerdict.InitWithTag + 1;

    public static SctpPacketVerdict Check(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < CommonHeaderLength + ChunkHeaderLength)
            return SctpPacketVerdict.TooShort;

        uint verificationTag = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        int offset = CommonHeaderLength;
        int chunks = 0;
        bool sawData = false;
        bool sawLoner = false;
        while (packet.Length - offset >= ChunkHeaderLength)
        {
            byte type = packet[offset];
            int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
            if (length < ChunkHeaderLength)
                return SctpPacketVerdict.ChunkLengthBelowHeader;
            if (length > packet.Length - offset)
                return SctpPacketVerdict.ChunkOverrun;

            ReadOnlySpan<byte> chunk = packet.Slice(offset, length);
            SctpPacketVerdict verdict = CheckChunk(type, chunk);
            if (verdict != SctpPacketVerdict.Ok)
                return verdict;

            bool isData = type is Data or IData;
            if (sawData && !isData && IsKnownControl(type))
                return SctpPacketVerdict.ControlAfterData;
            sawData |= isData;

            bool loner = type is Init or InitAck or ShutdownComplete;
            if (loner && chunks > 0 || sawLoner)
                return SctpPacketVerdict.MustBeAlone;
            sawLoner |= loner;
            if (type == Init && verificationTag != 0)
                return SctpPacketVerdict.InitWithTag;

            chunks++;
            // Chunks are padded to 4 bytes; the last one's padding may be missing.
            int padded = (length + 3) & ~3;
            offset = padded >= packet.Length - offset ? packet.Length : offset + padded;
        }
        if (offset != packet.Length)
            return SctpPacketVerdict.TrailingBytes;
        return SctpPacketVerdict.Ok;
    }

    private static bool IsKnownControl(byte type) => type switch
    {
        >= Init and <= NrSack => true,
        AsconfAck or PacketDropped or ReConfig or ForwardTsn or Asconf or IForwardTsn => true,
        _ => false,
    };

    private static SctpPacketVerdict CheckChunk(byte type, ReadOnlySpan<byte> chunk)
    {
        int length = chunk.Length;
        switch (type)
        {
            case Data:
                // RFC 4960 §3.3.1: 16 bytes of header, then at least one byte of user data.
                return length >= 17 ? SctpPacketVerdict.Ok : SctpPacketVerdict.BelowMinimumLength;
            case IData:
                // RFC 8260 §2.1: 20 bytes of header, then at least one byte.
                return length >= 21 ? SctpPacketVerdict.Ok : SctpPacketVerdict.BelowMinimumLength;
            case Init:
            case InitAck:
                // RFC 4960 §3.3.2/§3.3.3: 20 fixed bytes, then TLV parameters.
                return length < 20 ? SctpPacketVerdict.BelowMinimumLength : CheckParameters(chunk[20..]);
            case Sack:
            {
                // RFC 4960 §3.3.4: 16 fixed bytes, 4 per gap ack block and per duplicate TSN.
                if (length < 16)
                    return SctpPacketVerdict.BelowMinimumLength;
                int gaps = BinaryPrimitives.ReadUInt16BigEndian(chunk[12..]);
                int dups = BinaryPrimitives.ReadUInt16BigEndian(chunk[14..]);
                return length == 16 + 4 * (gaps + dups) ? SctpPacketVerdict.Ok : SctpPacketVerdict.InconsistentBody;
            }
            case NrSack:
            {
                // usrsctp's NR-SACK: 20 fixed bytes, 4 per gap block, per NR gap block and per dup TSN.
                if (length < 20)
                    return SctpPacketVerdict.BelowMinimumLength;
                int gaps = BinaryPrimitives.ReadUInt16BigEndian(chunk[12..]);
                int nrGaps = BinaryPrimitives.ReadUInt16BigEndian(chunk[14..]);
                int dups = BinaryPrimitives.ReadUInt16BigEndian(chunk[16..]);
                return length == 20 + 4 * (gaps + nrGaps + dups) ? SctpPacketVerdict.Ok : SctpPacketVerdict.InconsistentBody;
            }
            case Heartbeat:
            case HeartbeatAck:
                // RFC 4960 §3.3.5/§3.3.6: exactly one Heartbeat Info parameter.
                return length < 8 ? SctpPacketVerdict.BelowMinimumLength : CheckParameters(chunk[4..], exactlyOne: true);
            case Abort:
            case Error:
                // RFC 4960 §3.3.7/§3.3.10: error causes, each a TLV.
                return CheckParameters(chunk[4..]);
            case Shutdown:
            case Ecne:
            case Cwr:
                // RFC 4960 §3.3.8, Appendix A: header + one 32-bit field.
                return length == 8 ? SctpPacketVerdict.Ok : SctpPacketVerdict.FixedLengthMismatch;
            case ShutdownAck:
            case CookieAck:
            case ShutdownComplete:
                // RFC 4960 §3.3.9, §3.3.12, §3.3.13: the header alone.
                return length == 4 ? SctpPacketVerdict.Ok : SctpPacketVerdict.FixedLengthMismatch;
            case CookieEcho:
                // RFC 4960 §3.3.11: a non-empty cookie.
                return length > 4 ? SctpPacketVerdict.Ok : SctpPacketVerdict.BelowMinimumLength;
            case Auth:
                // RFC 4895 §4.1: key id, HMAC id, then the HMAC.
                return length >= 8 ? SctpPacketVerdict.Ok : SctpPacketVerdict.BelowMinimumLength;
            case ReConfig:
                // RFC 6525 §3.1: one or two TLV parameters.
                return length < 8 ? SctpPacketVerdict.BelowMinimumLength : CheckParameters(chunk[4..]);
            case ForwardTsn:
                // RFC 3758 §3.2: new cumulative TSN, then 4 bytes per stream.
                if (length < 8)
                    return SctpPacketVerdict.BelowMinimumLength;
                return (length - 8) % 4 == 0 ? SctpPacketVerdict.Ok : SctpPacketVerdict.InconsistentBody;
            case IForwardTsn:
                // RFC 8260 §2.3.1: new cumulative TSN, then 8 bytes per stream.
                if (length < 8)
                    return SctpPacketVerdict.BelowMinimumLength;
                return (length - 8) % 8 == 0 ? SctpPacketVerdict.Ok : SctpPacketVerdict.InconsistentBody;
            case Asconf:
            case AsconfAck:
                // RFC 5061 §4.1.1/§4.1.2: serial number (ASCONF: and an address parameter).
                return length >= 8 ? SctpPacketVerdict.Ok : SctpPacketVerdict.BelowMinimumLength;
            default:
                // Unknown and padding chunks: the header is all we can check; usrsctp acts on
                // the type's upper two bits (RFC 4960 §3.2).
                return SctpPacketVerdict.Ok;
        }
    }

    /// <summary>
    /// TLV parameters / error causes (RFC 4960 §3.2.1): type, length ≥ 4 within what is left,
    /// padded to 4 except possibly the last.
    /// </summary>
    private static SctpPacketVerdict CheckParameters(ReadOnlySpan<byte> body, bool exactlyOne = false)
    {
        int offset = 0;
        int count = 0;
        while (offset < body.Length)
        {
            if (body.Length - offset < 4)
                return SctpPacketVerdict.InconsistentBody;
            int length = BinaryPrimitives.ReadUInt16BigEndian(body[(offset + 2)..]);
            if (length < 4 || length > body.Length - offset)
                return SctpPacketVerdict.InconsistentBody;
            count++;
            int padded = (length + 3) & ~3;
            offset = padded >= body.Length - offset ? body.Length : offset + padded;
        }
        if (exactlyOne && count != 1)
            return SctpPacketVerdict.InconsistentBody;
        return SctpPacketVerdict.Ok;
    }
}
