using System;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Crypto;

/// <summary>
/// Incremental HMAC-SHA1 (RFC 2104) over one reusable OpenSSL EVP_MAC context: Init with a
/// key, Update any number of times, Final. One instance per worker thread (not thread-safe);
/// nothing is allocated per use on the managed side.
/// </summary>
internal sealed unsafe class HmacSha1 : IDisposable
{
    public const int Length = 20;

    private readonly SafeEvpMacCtxHandle _ctx;
    private bool _ready;

    public HmacSha1()
    {
        IntPtr mac = LibCrypto.EVP_MAC_fetch(IntPtr.Zero, "HMAC", null);
        if (mac == IntPtr.Zero)
            throw new InvalidOperationException("EVP_MAC_fetch(HMAC) failed");
        try
        {
            _ctx = LibCrypto.EVP_MAC_CTX_new(mac);
        }
        finally
        {
            // The context holds its own reference.
            LibCrypto.EVP_MAC_free(mac);
        }
        if (_ctx.IsInvalid)
            throw new InvalidOperationException("EVP_MAC_CTX_new failed");

        // The digest is set once; later EVP_MAC_init calls only change the key.
        fixed (byte* key = "digest"u8)
        fixed (byte* value = "SHA1"u8)
        {
            OsslParam* p = stackalloc OsslParam[2];
            p[0] = new OsslParam { Key = key, DataType = OsslParam.Utf8String, Data = value, DataSize = 4 };
            p[1] = default;
            if (LibCrypto.EVP_MAC_CTX_set_params(_ctx, p) != 1)
            {
                _ctx.Dispose();
                throw new InvalidOperationException("EVP_MAC_CTX_set_params(digest=SHA1) failed");
            }
        }
    }

    /// <summary>Starts a MAC with <paramref name="key"/> (may be empty).</summary>
    public bool Init(ReadOnlySpan<byte> key)
    {
        byte dummy = 0;
        fixed (byte* k = key)
        {
            // A NULL key would mean "keep the previous key": point empty keys somewhere valid.
            byte* kp = k != null ? k : &dummy;
            _ready = LibCrypto.EVP_MAC_init(_ctx, kp, (nuint)key.Length, null) == 1;
        }
        return _ready;
    }

    public bool Update(ReadOnlySpan<byte> data)
    {
        if (!_ready)
            return false;
        if (data.IsEmpty)
            return true;
        fixed (byte* d = data)
            _ready = LibCrypto.EVP_MAC_update(_ctx, d, (nuint)data.Length) == 1;
        return _ready;
    }

    /// <summary>Writes the 20-byte MAC into <paramref name="mac"/>; false on any earlier failure.</summary>
    public bool Final(Span<byte> mac)
    {
        if (!_ready || mac.Length < Length)
            return false;
        _ready = false;
        nuint written = 0;
        fixed (byte* m = mac)
            return LibCrypto.EVP_MAC_final(_ctx, m, &written, Length) == 1 && written == Length;
    }

    /// <summary>One-shot MAC of <paramref name="data"/>.</summary>
    public bool Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> mac) =>
        Init(key) && Update(data) && Final(mac);

    /// <summary>Constant-time equality (CRYPTO_memcmp), so a forger learns nothing from timing.</summary>
    public static bool FixedTimeEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
            return false;
        if (a.IsEmpty)
            return true;
        fixed (byte* pa = a)
        fixed (byte* pb = b)
            return LibCrypto.CRYPTO_memcmp(pa, pb, (nuint)a.Length) == 0;
    }

    public void Dispose() => _ctx.Dispose();
}
