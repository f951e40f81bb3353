using System;
using System.Buffers.Binary;
using Mediasoup.Crypto;
using Mediasoup.Interop.Libc;
using Mediasoup.Net;

namespace Mediasoup.Ice;

/// <summary>STUN message class, the C1/C0 bits of the message type (RFC 5389 §6).</summary>
internal enum StunClass : byte
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}

internal static class StunMethod
{
    public const ushort Binding = 0x001;
}

/// <summary>Attribute types (RFC 5389 §18.2, RFC 8445 §16.1, renomination drafts).</summary>
internal static class StunAttribute
{
    public const ushort MappedAddress = 0x0001;
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort UnknownAttributes = 0x000A;
    public const ushort Realm = 0x0014;
    public const ushort Nonce = 0x0015;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    /// <summary>NOMINATION in draft-thatcher-tsvwg-renomination.</summary>
    public const ushort Nomination = 0x0030;
    public const ushort Software = 0x8022;
    public const ushort AlternateServer = 0x8023;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;
    /// <summary>libwebrtc's NOMINATION code point, from no RFC; still sent by older peers.</summary>
    public const ushort NominationLegacy = 0xC001;
}

/// <summary>Outcome of checking USERNAME and MESSAGE-INTEGRITY.</summary>
internal enum StunAuthResult : byte
{
    Ok = 0,
    /// <summary>Wrong username fragment or MESSAGE-INTEGRITY mismatch (answered 401).</summary>
    Unauthorized = 1,
    /// <summary>USERNAME or MESSAGE-INTEGRITY missing (answered 400).</summary>
    BadMessage = 2,
}

/// <summary>
/// A STUN message (RFC 5389) parsed in place over the received bytes: nothing is copied or
/// allocated, and only the offsets of the attributes ICE needs are kept. Validation follows
/// mediasoup's parser: exact length, TLV walk with known attributes length-checked and not
/// repeated, nothing after MESSAGE-INTEGRITY but FINGERPRINT, nothing after FINGERPRINT, and a
/// present FINGERPRINT must match. Unknown attributes are skipped.
/// </summary>
internal ref struct StunMessage
{
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const uint MagicCookie = 0x2112A442;
    public const int MessageIntegrityLength = 20;
    public const uint FingerprintXor = 0x5354554E;
    public const int UsernameMaxLength = 513;
    public const int SoftwareMaxLength = 763;

    private ReadOnlySpan<byte> _data;
    // Offsets of attribute values from the start of the message; 0 = absent (values start at 24 or later).
    private int _username, _usernameLength;
    private int _priority;
    private int _iceControlling, _iceControlled;
    private int _useCandidate;
    private int _nomination, _nominationLegacy;
    private int _software, _softwareLength;
    private int _xorMappedAddress, _xorMappedAddressLength;
    private int _errorCode, _errorCodeLength;
    private int _messageIntegrity;
    private int _fingerprint;

    /// <summary>
    /// Whether a datagram is STUN: RFC 7983 first byte 0..3, at least a header, the magic cookie
    /// (RFC 5389 §6) and a length that is a multiple of 4 (attributes are 32-bit aligned).
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> data) =>
        data.Length >= HeaderLength
        && data[0] <= 3
        && (data.Length & 3) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4, 4)) == MagicCookie;

    /// <summary>RFC 5389 §6: class bits C1/C0 sit at bits 8 and 4 of the type.</summary>
    public static StunClass ClassOf(ushort type) => (StunClass)(((type >> 7) & 0x2) | ((type >> 4) & 0x1));

    /// <summary>RFC 5389 §6: the 12 method bits are split around the class bits.</summary>
    public static ushort MethodOf(ushort type) =>
        (ushort)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));

    public static ushort TypeOf(StunClass cls, ushort method) =>
        (ushort)(((method & 0x0F80) << 2) | ((method & 0x0070) << 1) | (method & 0x000F)
            | (((int)cls & 0x2) << 7) | (((int)cls & 0x1) << 4));

    /// <summary>
    /// Parses <paramref name="data"/>, which must be exactly one message. False (and a default
    /// message) on anything malformed, including a FINGERPRINT that does not match.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out StunMessage message)
    {
        message = default;
        if (!IsStun(data))
            return false;
        // RFC 5389 §6: the length field counts the attributes only.
        if (BinaryPrimitives.ReadUInt16BigEndian(data.Slice(2, 2)) != data.Length - HeaderLength)
            return false;

        var m = new StunMessage { _data = data };
        int end = data.Length;
        int pos = HeaderLength;
        while (pos + 4 <= end)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(pos, 2));
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(pos + 2, 2));
            int value = pos + 4;
            if (value + length > end)
                return false;
            // RFC 5389 §15.5: FINGERPRINT is last; §15.4: only FINGERPRINT may follow MESSAGE-INTEGRITY.
            if (m._fingerprint != 0)
                return false;
            if (m._messageIntegrity != 0 && type != StunAttribute.Fingerprint)
                return false;

            bool ok = type switch
            {
                StunAttribute.Username => length <= UsernameMaxLength && Store(ref m._username, value) && Set(ref m._usernameLength, length),
                StunAttribute.Priority => length == 4 && Store(ref m._priority, value),
                StunAttribute.IceControlling => length == 8 && Store(ref m._iceControlling, value),
                StunAttribute.IceControlled => length == 8 && Store(ref m._iceControlled, value),
                StunAttribute.UseCandidate => length == 0 && Store(ref m._useCandidate, value),
                StunAttribute.Nomination => length == 4 && Store(ref m._nomination, value),
                StunAttribute.NominationLegacy => length == 4 && Store(ref m._nominationLegacy, value),
                StunAttribute.Software => length <= SoftwareMaxLength && Store(ref m._software, value) && Set(ref m._softwareLength, length),
                StunAttribute.XorMappedAddress => (length == 8 || length == 20) && Store(ref m._xorMappedAddress, value) && Set(ref m._xorMappedAddressLength, length),
                StunAttribute.ErrorCode => length >= 4 && Store(ref m._errorCode, value) && Set(ref m._errorCodeLength, length),
                StunAttribute.MessageIntegrity => length == MessageIntegrityLength && Store(ref m._messageIntegrity, value),
                StunAttribute.Fingerprint => length == 4 && Store(ref m._fingerprint, value),
                _ => true,
            };
            if (!ok)
                return false;
            pos = value + ((length + 3) & ~3);
        }
        if (pos != end)
            return false;

        // RFC 5389 §15.5: CRC-32 of everything before the attribute, XOR 0x5354554e.
        if (m._fingerprint != 0)
        {
            uint crc = Crc32.Compute(data[..(m._fingerprint - 4)]) ^ FingerprintXor;
            if (crc != BinaryPrimitives.ReadUInt32BigEndian(data.Slice(m._fingerprint, 4)))
                return false;
        }

        message = m;
        return true;

        // A repeated known attribute makes the message invalid.
        static bool Store(ref int slot, int value)
        {
            if (slot != 0)
                return false;
            slot = value;
            return true;
        }

        static bool Set(ref int slot, int value)
        {
            slot = value;
            return true;
        }
    }

    /// <summary>The whole message.</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    public readonly bool IsValid => !_data.IsEmpty;

    public readonly ushort Type => BinaryPrimitives.ReadUInt16BigEndian(_data);

    public readonly StunClass Class => ClassOf(Type);

    public readonly ushort Method => MethodOf(Type);

    public readonly ReadOnlySpan<byte> TransactionId => _data.Slice(8, TransactionIdLength);

    public readonly bool HasUsername => _username != 0;

    public readonly ReadOnlySpan<byte> Username => _username != 0 ? _data.Slice(_username, _usernameLength) : default;

    /// <summary>
    /// The part of USERNAME before the first ':' (the whole value when there is none): in a
    /// request from the controlling peer it is our local username fragment (RFC 8445 §7.2.2),
    /// which is how a shared server socket finds the transport.
    /// </summary>
    public readonly ReadOnlySpan<byte> UsernameLocalPart
    {
        get
        {
            ReadOnlySpan<byte> u = Username;
            int colon = u.IndexOf((byte)':');
            return colon < 0 ? u : u[..colon];
        }
    }

    public readonly bool HasPriority => _priority != 0;

    public readonly uint Priority => _priority != 0 ? ReadUInt32(_priority) : 0;

    public readonly bool HasIceControlling => _iceControlling != 0;

    public readonly ulong IceControlling => _iceControlling != 0 ? BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_iceControlling, 8)) : 0;

    public readonly bool HasIceControlled => _iceControlled != 0;

    public readonly ulong IceControlled => _iceControlled != 0 ? BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_iceControlled, 8)) : 0;

    public readonly bool HasUseCandidate => _useCandidate != 0;

    /// <summary>NOMINATION under either code point (0x0030 or libwebrtc's 0xC001).</summary>
    public readonly bool HasNomination => _nomination != 0 || _nominationLegacy != 0;

    /// <summary>The 0x0030 value when present, else the 0xC001 one, else 0.</summary>
    public readonly uint Nomination =>
        _nomination != 0 ? ReadUInt32(_nomination) : _nominationLegacy != 0 ? ReadUInt32(_nominationLegacy) : 0;

    public readonly ReadOnlySpan<byte> Software => _software != 0 ? _data.Slice(_software, _softwareLength) : default;

    public readonly bool HasMessageIntegrity => _messageIntegrity != 0;

    public readonly ReadOnlySpan<byte> MessageIntegrity =>
        _messageIntegrity != 0 ? _data.Slice(_messageIntegrity, MessageIntegrityLength) : default;

    public readonly bool HasFingerprint => _fingerprint != 0;

    public readonly uint Fingerprint => _fingerprint != 0 ? ReadUInt32(_fingerprint) : 0;

    public readonly bool HasXorMappedAddress => _xorMappedAddress != 0;

    public readonly bool HasErrorCode => _errorCode != 0;

    /// <summary>ERROR-CODE as class·100 + number, with its reason phrase (RFC 5389 §15.6).</summary>
    public readonly bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason)
    {
        if (_errorCode == 0)
        {
            code = 0;
            reason = default;
            return false;
        }
        code = (_data[_errorCode + 2] & 0x07) * 100 + _data[_errorCode + 3];
        reason = _data.Slice(_errorCode + 4, _errorCodeLength - 4);
        return true;
    }

    /// <summary>
    /// XOR-MAPPED-ADDRESS (RFC 5389 §15.2): port XOR the cookie's high 16 bits; IPv4 address
    /// XOR the cookie; IPv6 address XOR cookie ++ transaction id. False when absent, of an
    /// unknown family, or of a length that does not fit the family.
    /// </summary>
    public readonly bool TryGetXorMappedAddress(out IpEndpoint address)
    {
        address = default;
        if (_xorMappedAddress == 0)
            return false;
        ReadOnlySpan<byte> v = _data.Slice(_xorMappedAddress, _xorMappedAddressLength);
        ushort port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(v[2..]) ^ (MagicCookie >> 16));
        Span<byte> sa = stackalloc byte[28];
        sa.Clear();
        // The XOR key: magic cookie then transaction id, exactly the header bytes 4..19.
        ReadOnlySpan<byte> key = _data.Slice(4, 16);
        if (v[1] == 0x01 && v.Length == 8)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sa, Sockets.AF_INET);
            for (int i = 0; i < 4; i++)
                sa[4 + i] = (byte)(v[4 + i] ^ key[i]);
        }
        else if (v[1] == 0x02 && v.Length == 20)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sa, Sockets.AF_INET6);
            for (int i = 0; i < 16; i++)
                sa[8 + i] = (byte)(v[4 + i] ^ key[i]);
        }
        else
        {
            return false;
        }
        BinaryPrimitives.WriteUInt16BigEndian(sa[2..], port);
        address = IpEndpoint.FromSockAddr(sa);
        return true;
    }

    /// <summary>
    /// Checks USERNAME and MESSAGE-INTEGRITY the way an ICE agent must (RFC 8445 §7.3, RFC 5389
    /// §10.1.2). Requests and indications need a USERNAME of the form
    /// "<paramref name="localUfrag"/>:remote" and a MESSAGE-INTEGRITY keyed with
    /// <paramref name="password"/>; responses only the MESSAGE-INTEGRITY.
    /// </summary>
    public readonly StunAuthResult CheckAuthentication(ReadOnlySpan<byte> localUfrag, ReadOnlySpan<byte> password, HmacSha1 hmac)
    {
        switch (Class)
        {
            case StunClass.Request:
            case StunClass.Indication:
            {
                if (localUfrag.IsEmpty || _username == 0 || _messageIntegrity == 0)
                    return StunAuthResult.BadMessage;
                ReadOnlySpan<byte> username = Username;
                if (username.Length <= localUfrag.Length
                    || username[localUfrag.Length] != (byte)':'
                    || !username.StartsWith(localUfrag))
                {
                    return StunAuthResult.Unauthorized;
                }
                break;
            }
            default:
                if (_messageIntegrity == 0)
                    return StunAuthResult.BadMessage;
                break;
        }
        return VerifyMessageIntegrity(password, hmac) ? StunAuthResult.Ok : StunAuthResult.Unauthorized;
    }

    /// <summary>
    /// RFC 5389 §15.4: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the header's
    /// length field set as if MESSAGE-INTEGRITY were the last attribute (it ends at the value
    /// offset + 20, so the length is the value offset itself). Compared in constant time.
    /// </summary>
    public readonly bool VerifyMessageIntegrity(ReadOnlySpan<byte> password, HmacSha1 hmac)
    {
        if (_messageIntegrity == 0)
            return false;
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)_messageIntegrity);
        Span<byte> computed = stackalloc byte[HmacSha1.Length];
        bool ok = hmac.Init(password)
            && hmac.Update(_data[..2])
            && hmac.Update(length)
            && hmac.Update(_data[4..(_messageIntegrity - 4)])
            && hmac.Final(computed);
        return ok && HmacSha1.FixedTimeEquals(computed, MessageIntegrity);
    }

    private readonly uint ReadUInt32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(offset, 4));
}
