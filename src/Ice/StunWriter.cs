using System;
using System.Buffers.Binary;
using Mediasoup.Crypto;
using Mediasoup.Net;

namespace Mediasoup.Ice;

/// <summary>
/// Writes a STUN message (RFC 5389) into a caller-provided span, attribute by attribute,
/// keeping the header's length field current. Never throws: running out of room, or adding
/// anything after FINGERPRINT (or other than FINGERPRINT after MESSAGE-INTEGRITY), marks the
/// writer failed and <see cref="Finish"/> returns 0.
/// </summary>
internal ref struct StunWriter
{
    private readonly Span<byte> _buffer;
    private int _length;
    private bool _failed;
    private bool _hasIntegrity;
    private bool _hasFingerprint;

    public StunWriter(Span<byte> destination, StunClass cls, ushort method, ReadOnlySpan<byte> transactionId)
    {
        _buffer = destination;
        if (destination.Length < StunMessage.HeaderLength || transactionId.Length != StunMessage.TransactionIdLength || method > 0x0FFF)
        {
            _failed = true;
            return;
        }
        // RFC 5389 §6: type, length (no attributes yet), magic cookie, transaction id.
        BinaryPrimitives.WriteUInt16BigEndian(destination, StunMessage.TypeOf(cls, method));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunMessage.MagicCookie);
        transactionId.CopyTo(destination[8..]);
        _length = StunMessage.HeaderLength;
    }

    public readonly bool Failed => _failed;

    /// <summary>Bytes written so far (0 once failed).</summary>
    public readonly int Length => _failed ? 0 : _length;

    public readonly ReadOnlySpan<byte> Written => _failed ? default : _buffer[.._length];

    /// <summary>The message length, or 0 if anything failed.</summary>
    public readonly int Finish() => Length;

    /// <summary>Reserves a TLV with zeroed padding and returns its value bytes (empty on failure).</summary>
    private Span<byte> Reserve(ushort type, int valueLength)
    {
        if (_failed || _hasFingerprint || (_hasIntegrity && type != StunAttribute.Fingerprint) || valueLength > ushort.MaxValue)
        {
            _failed = true;
            return default;
        }
        int padded = (valueLength + 3) & ~3;
        int newLength = _length + 4 + padded;
        if (newLength > _buffer.Length || newLength - StunMessage.HeaderLength > ushort.MaxValue)
        {
            _failed = true;
            return default;
        }
        Span<byte> attr = _buffer.Slice(_length, 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(attr, type);
        BinaryPrimitives.WriteUInt16BigEndian(attr[2..], (ushort)valueLength);
        // RFC 5389 §15: padding bytes; zero so the output is deterministic.
        attr[(4 + valueLength)..].Clear();
        _length = newLength;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessage.HeaderLength));
        return attr.Slice(4, valueLength);
    }

    public void AddBytes(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> v = Reserve(type, value.Length);
        if (!_failed)
            value.CopyTo(v);
    }

    /// <summary>A zero-length attribute, e.g. USE-CANDIDATE.</summary>
    public void AddFlag(ushort type) => Reserve(type, 0);

    public void AddUInt32(ushort type, uint value)
    {
        Span<byte> v = Reserve(type, 4);
        if (!_failed)
            BinaryPrimitives.WriteUInt32BigEndian(v, value);
    }

    public void AddUInt64(ushort type, ulong value)
    {
        Span<byte> v = Reserve(type, 8);
        if (!_failed)
            BinaryPrimitives.WriteUInt64BigEndian(v, value);
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 5389 §15.2) of an IPv4 or IPv6 endpoint; fails on any other family.</summary>
    public void AddXorMappedAddress(in IpEndpoint address)
    {
        bool v6 = address.IsIPv6;
        if (!v6 && address.Family != Interop.Libc.Sockets.AF_INET)
        {
            _failed = true;
            return;
        }
        Span<byte> v = Reserve(StunAttribute.XorMappedAddress, v6 ? 20 : 8);
        if (_failed)
            return;
        v[0] = 0;
        v[1] = v6 ? (byte)0x02 : (byte)0x01;
        BinaryPrimitives.WriteUInt16BigEndian(v[2..], (ushort)(address.Port ^ (StunMessage.MagicCookie >> 16)));
        // Header bytes 4..19 are the magic cookie then the transaction id: the XOR key.
        ReadOnlySpan<byte> key = _buffer.Slice(4, 16);
        ReadOnlySpan<byte> ip = address.AddressBytes;
        for (int i = 0; i < ip.Length; i++)
            v[4 + i] = (byte)(ip[i] ^ key[i]);
    }

    /// <summary>ERROR-CODE (RFC 5389 §15.6): class (hundreds) and number, then the reason phrase.</summary>
    public void AddErrorCode(int code, ReadOnlySpan<byte> reason)
    {
        if (code < 300 || code > 699)
        {
            _failed = true;
            return;
        }
        Span<byte> v = Reserve(StunAttribute.ErrorCode, 4 + reason.Length);
        if (_failed)
            return;
        v[0] = 0;
        v[1] = 0;
        v[2] = (byte)(code / 100);
        v[3] = (byte)(code % 100);
        reason.CopyTo(v[4..]);
    }

    /// <summary>
    /// MESSAGE-INTEGRITY (RFC 5389 §15.4): HMAC-SHA1 keyed with <paramref name="password"/>
    /// (short-term credentials, §10.1.2) over the message so far, with the length field
    /// already counting this attribute.
    /// </summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> password, HmacSha1 hmac)
    {
        int covered = _length;
        Span<byte> v = Reserve(StunAttribute.MessageIntegrity, StunMessage.MessageIntegrityLength);
        if (_failed)
            return;
        if (!hmac.Compute(password, _buffer[..covered], v))
        {
            _failed = true;
            return;
        }
        _hasIntegrity = true;
    }

    /// <summary>FINGERPRINT (RFC 5389 §15.5): CRC-32 of the message so far XOR 0x5354554e; must be last.</summary>
    public void AddFingerprint()
    {
        int covered = _length;
        Span<byte> v = Reserve(StunAttribute.Fingerprint, 4);
        if (_failed)
            return;
        BinaryPrimitives.WriteUInt32BigEndian(v, Crc32.Compute(_buffer[..covered]) ^ StunMessage.FingerprintXor);
        _hasFingerprint = true;
    }

    /// <summary>
    /// The Binding success response ICE-lite sends (RFC 8445 §7.3.1.2 and RFC 5389 §10.1.2):
    /// XOR-MAPPED-ADDRESS of the request's source, MESSAGE-INTEGRITY with the password the
    /// request was authenticated with, FINGERPRINT. Returns its length, 0 if it does not fit.
    /// </summary>
    public static int WriteBindingSuccess(Span<byte> destination, ReadOnlySpan<byte> transactionId,
        in IpEndpoint mapped, ReadOnlySpan<byte> password, HmacSha1 hmac)
    {
        var w = new StunWriter(destination, StunClass.SuccessResponse, StunMethod.Binding, transactionId);
        w.AddXorMappedAddress(mapped);
        w.AddMessageIntegrity(password, hmac);
        w.AddFingerprint();
        return w.Finish();
    }

    /// <summary>
    /// An error response as mediasoup sends it: ERROR-CODE then FINGERPRINT, no
    /// MESSAGE-INTEGRITY (the request was not, or could not be, authenticated). Returns its
    /// length, 0 if it does not fit.
    /// </summary>
    public static int WriteErrorResponse(Span<byte> destination, ushort method, ReadOnlySpan<byte> transactionId,
        int code, ReadOnlySpan<byte> reason)
    {
        var w = new StunWriter(destination, StunClass.ErrorResponse, method, transactionId);
        w.AddErrorCode(code, reason);
        w.AddFingerprint();
        return w.Finish();
    }
}
