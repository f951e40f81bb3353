using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using Mediasoup.Interop.OpenSsl;

namespace Mediasoup.Dtls;

/// <summary>Same numbering as FBS.WebRtcTransport.FingerprintAlgorithm, so it casts across.</summary>
internal enum FingerprintAlgorithm : byte
{
    Sha1 = 0,
    Sha224 = 1,
    Sha256 = 2,
    Sha384 = 3,
    Sha512 = 4,
}

internal static class FingerprintAlgorithms
{
    /// <summary>Every algorithm, in the order the worker reports fingerprints.</summary>
    internal static ReadOnlySpan<FingerprintAlgorithm> All =>
    [
        FingerprintAlgorithm.Sha1,
        FingerprintAlgorithm.Sha224,
        FingerprintAlgorithm.Sha256,
        FingerprintAlgorithm.Sha384,
        FingerprintAlgorithm.Sha512,
    ];

    /// <summary>The SDP / mediasoup API name ("sha-1" ... "sha-512").</summary>
    internal static string ToName(this FingerprintAlgorithm algorithm) => algorithm switch
    {
        FingerprintAlgorithm.Sha1 => "sha-1",
        FingerprintAlgorithm.Sha224 => "sha-224",
        FingerprintAlgorithm.Sha256 => "sha-256",
        FingerprintAlgorithm.Sha384 => "sha-384",
        FingerprintAlgorithm.Sha512 => "sha-512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Parses "sha-1" ... "sha-512", ignoring case.</summary>
    internal static bool TryParse(ReadOnlySpan<char> name, out FingerprintAlgorithm algorithm)
    {
        foreach (FingerprintAlgorithm candidate in All)
        {
            if (name.Equals(candidate.ToName(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }
        algorithm = default;
        return false;
    }

    /// <summary>OpenSSL's static EVP_MD for the algorithm (never freed).</summary>
    internal static IntPtr GetEvpMd(FingerprintAlgorithm algorithm) => algorithm switch
    {
        FingerprintAlgorithm.Sha1 => LibCrypto.EVP_sha1(),
        FingerprintAlgorithm.Sha224 => LibCrypto.EVP_sha224(),
        FingerprintAlgorithm.Sha256 => LibCrypto.EVP_sha256(),
        FingerprintAlgorithm.Sha384 => LibCrypto.EVP_sha384(),
        FingerprintAlgorithm.Sha512 => LibCrypto.EVP_sha512(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}

/// <summary>A certificate fingerprint: uppercase hex bytes joined by ':' ("AB:01:...").</summary>
internal readonly record struct DtlsFingerprint(FingerprintAlgorithm Algorithm, string Value);

/// <summary>Creating, loading or inspecting a certificate failed; the message includes OpenSSL's errors.</summary>
internal sealed class DtlsCertificateException : Exception
{
    public DtlsCertificateException(string message) : base(message) { }

    /// <summary>
    /// Builds the exception from <paramref name="what"/> plus everything in this thread's
    /// OpenSSL error queue, and leaves the queue empty so that stale entries do not get
    /// blamed on a later, unrelated call.
    /// </summary>
    internal static DtlsCertificateException FromOpenSsl(string what)
    {
        string errors = OpenSslErrors.Take();
        return new DtlsCertificateException(errors.Length == 0 ? what : $"{what}: {errors}");
    }
}

/// <summary>Reads and empties the calling thread's OpenSSL error queue.</summary>
internal static unsafe class OpenSslErrors
{
    internal static string Take()
    {
        StringBuilder? text = null;
        byte* buffer = stackalloc byte[256];
        nuint code;
        // Bounded: a corrupted queue must not spin forever.
        for (int i = 0; i < 16 && (code = LibCrypto.ERR_get_error()) != 0; i++)
        {
            LibCrypto.ERR_error_string_n(code, buffer, 256);
            text ??= new StringBuilder();
            if (text.Length != 0)
                text.Append("; ");
            text.Append(Marshal.PtrToStringUTF8((IntPtr)buffer));
        }
        LibCrypto.ERR_clear_error();
        return text?.ToString() ?? string.Empty;
    }
}

/// <summary>
/// The worker's own DTLS certificate and private key: generated at start-up (self-signed
/// EC P-256, like the C++ worker) or loaded from PEM files given in the worker settings.
/// Fingerprints are computed once, since every WebRtcTransport reports them.
/// </summary>
internal sealed unsafe class DtlsCertificate : IDisposable
{
    // 10 years of 365 days, as the C++ worker uses for its validity window.
    private const int TenYearsSeconds = 10 * 365 * 24 * 3600;
    private const int MaxDigestSize = 64; // EVP_MAX_MD_SIZE

    private readonly SafeX509Handle _certificate;
    private readonly SafeEvpPkeyHandle _privateKey;

    public IReadOnlyList<DtlsFingerprint> Fingerprints { get; }

    private DtlsCertificate(SafeX509Handle certificate, SafeEvpPkeyHandle privateKey)
    {
        _certificate = certificate;
        _privateKey = privateKey;

        var fingerprints = new DtlsFingerprint[FingerprintAlgorithms.All.Length];
        for (int i = 0; i < fingerprints.Length; i++)
        {
            FingerprintAlgorithm algorithm = FingerprintAlgorithms.All[i];
            fingerprints[i] = new DtlsFingerprint(algorithm, ComputeFingerprint(certificate, algorithm));
        }
        Fingerprints = fingerprints;
    }

    /// <summary>The X509*, for SSL_CTX_use_certificate (which takes its own reference).</summary>
    internal SafeX509Handle CertificateHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_certificate.IsClosed, this);
            return _certificate;
        }
    }

    /// <summary>The EVP_PKEY*, for SSL_CTX_use_PrivateKey (which takes its own reference).</summary>
    internal SafeEvpPkeyHandle PrivateKeyHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_privateKey.IsClosed, this);
            return _privateKey;
        }
    }

    public string GetFingerprint(FingerprintAlgorithm algorithm)
    {
        foreach (DtlsFingerprint fingerprint in Fingerprints)
        {
            if (fingerprint.Algorithm == algorithm)
                return fingerprint.Value;
        }
        throw new ArgumentOutOfRangeException(nameof(algorithm));
    }

    public string ToPem() => ToPem(CertificateHandle);

    public void Dispose()
    {
        // SafeHandle.Dispose is idempotent, so a second Dispose is a no-op.
        _certificate.Dispose();
        _privateKey.Dispose();
    }

    /// <summary>Self-signed EC P-256 / SHA-256 certificate, CN "mediasoup" + 6 random digits.</summary>
    public static DtlsCertificate Generate()
    {
        LibCrypto.ERR_clear_error();

        // One RAND_bytes call for both random values: 8 bytes of serial, 8 for the CN.
        Span<byte> random = stackalloc byte[16];
        FillRandom(random);
        // Top bit cleared to keep the serial positive within 63 bits; RFC 5280 forbids 0.
        ulong serial = BitConverter.ToUInt64(random[..8]) & long.MaxValue;
        if (serial == 0)
            serial = 1;
        string commonName = "mediasoup" + (BitConverter.ToUInt64(random[8..]) % 1_000_000).ToString("D6");

        SafeEvpPkeyHandle? key = null;
        SafeX509Handle? certificate = null;
        try
        {
            key = GenerateP256Key();

            certificate = LibCrypto.X509_new();
            if (certificate.IsInvalid)
                throw DtlsCertificateException.FromOpenSsl("X509_new() failed");

            // 2 means v3 (the field is zero-based).
            if (LibCrypto.X509_set_version(certificate, 2) != 1)
                throw DtlsCertificateException.FromOpenSsl("X509_set_version() failed");

            if (LibCrypto.ASN1_INTEGER_set_uint64(LibCrypto.X509_get_serialNumber(certificate), serial) != 1)
                throw DtlsCertificateException.FromOpenSsl("ASN1_INTEGER_set_uint64() failed");

            // A wide window tolerates peers with badly wrong clocks; browsers do not check it anyway.
            if (LibCrypto.X509_gmtime_adj(LibCrypto.X509_getm_notBefore(certificate), -TenYearsSeconds) == IntPtr.Zero
                || LibCrypto.X509_gmtime_adj(LibCrypto.X509_getm_notAfter(certificate), TenYearsSeconds) == IntPtr.Zero)
            {
                throw DtlsCertificateException.FromOpenSsl("X509_gmtime_adj() failed");
            }

            if (LibCrypto.X509_set_pubkey(certificate, key) != 1)
                throw DtlsCertificateException.FromOpenSsl("X509_set_pubkey() failed");

            IntPtr name = LibCrypto.X509_get_subject_name(certificate);
            if (LibCrypto.X509_NAME_add_entry_by_txt(name, "CN", LibCrypto.MBSTRING_ASC, commonName, -1, -1, 0) != 1)
                throw DtlsCertificateException.FromOpenSsl("X509_NAME_add_entry_by_txt() failed");

            // Self-signed: the issuer is the subject.
            if (LibCrypto.X509_set_issuer_name(certificate, name) != 1)
                throw DtlsCertificateException.FromOpenSsl("X509_set_issuer_name() failed");

            if (LibCrypto.X509_sign(certificate, key, LibCrypto.EVP_sha256()) <= 0)
                throw DtlsCertificateException.FromOpenSsl("X509_sign() failed");

            return new DtlsCertificate(certificate, key);
        }
        catch
        {
            certificate?.Dispose();
            key?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a PEM certificate and PEM private key (any key type OpenSSL supports) and
    /// checks that they belong together. Encrypted keys are refused rather than prompted for.
    /// </summary>
    public static DtlsCertificate LoadPem(string certificateFile, string privateKeyFile)
    {
        ArgumentNullException.ThrowIfNull(certificateFile);
        ArgumentNullException.ThrowIfNull(privateKeyFile);
        LibCrypto.ERR_clear_error();

        SafeX509Handle? certificate = null;
        SafeEvpPkeyHandle? key = null;
        try
        {
            using (SafeBioHandle bio = OpenFile(certificateFile, "certificate"))
            {
                certificate = LibCrypto.PEM_read_bio_X509(bio, IntPtr.Zero, &RefusePassphrase, null);
                if (certificate.IsInvalid)
                    throw DtlsCertificateException.FromOpenSsl($"could not read a PEM certificate from '{certificateFile}'");
            }

            using (SafeBioHandle bio = OpenFile(privateKeyFile, "private key"))
            {
                key = LibCrypto.PEM_read_bio_PrivateKey(bio, IntPtr.Zero, &RefusePassphrase, null);
                if (key.IsInvalid)
                    throw DtlsCertificateException.FromOpenSsl($"could not read a PEM private key from '{privateKeyFile}'");
            }

            if (LibCrypto.X509_check_private_key(certificate, key) != 1)
            {
                throw DtlsCertificateException.FromOpenSsl(
                    $"private key '{privateKeyFile}' does not match certificate '{certificateFile}'");
            }

            return new DtlsCertificate(certificate, key);
        }
        catch
        {
            certificate?.Dispose();
            key?.Dispose();
            throw;
        }
    }

    /// <summary>PEM text of any certificate (also used for peer certificates).</summary>
    internal static string ToPem(SafeX509Handle certificate)
    {
        using SafeBioHandle bio = LibCrypto.BIO_new(LibCrypto.BIO_s_mem());
        if (bio.IsInvalid)
            throw DtlsCertificateException.FromOpenSsl("BIO_new() failed");
        if (LibCrypto.PEM_write_bio_X509(bio, certificate) != 1)
            throw DtlsCertificateException.FromOpenSsl("PEM_write_bio_X509() failed");

        byte* data = null;
        nint length = LibCrypto.BIO_ctrl(bio, LibCrypto.BIO_CTRL_INFO, 0, &data);
        if (length <= 0 || data == null)
            throw DtlsCertificateException.FromOpenSsl("BIO_get_mem_data() failed");
        // The data is owned by the BIO, so copy it out before the BIO is freed.
        return Encoding.ASCII.GetString(data, checked((int)length));
    }

    /// <summary>Fingerprint of any certificate (also used to check the peer's).</summary>
    internal static string ComputeFingerprint(SafeX509Handle certificate, FingerprintAlgorithm algorithm)
    {
        byte* digest = stackalloc byte[MaxDigestSize];
        uint size = 0;
        if (LibCrypto.X509_digest(certificate, FingerprintAlgorithms.GetEvpMd(algorithm), digest, &size) != 1
            || size == 0 || size > MaxDigestSize)
        {
            throw DtlsCertificateException.FromOpenSsl($"X509_digest({algorithm.ToName()}) failed");
        }
        return FormatFingerprint(new ReadOnlySpan<byte>(digest, (int)size));
    }

    private static string FormatFingerprint(ReadOnlySpan<byte> digest)
    {
        const string Hex = "0123456789ABCDEF";
        Span<char> text = stackalloc char[digest.Length * 3 - 1];
        for (int i = 0; i < digest.Length; i++)
        {
            int at = i * 3;
            if (i != 0)
                text[at - 1] = ':';
            text[at] = Hex[digest[i] >> 4];
            text[at + 1] = Hex[digest[i] & 0xF];
        }
        return new string(text);
    }

    private static SafeEvpPkeyHandle GenerateP256Key()
    {
        // The explicit steps of EVP_EC_gen("P-256"); that macro expands to the variadic
        // EVP_PKEY_Q_keygen, which P/Invoke cannot call portably.
        IntPtr context = LibCrypto.EVP_PKEY_CTX_new_from_name(IntPtr.Zero, "EC", null);
        if (context == IntPtr.Zero)
            throw DtlsCertificateException.FromOpenSsl("EVP_PKEY_CTX_new_from_name(EC) failed");
        try
        {
            if (LibCrypto.EVP_PKEY_keygen_init(context) != 1)
                throw DtlsCertificateException.FromOpenSsl("EVP_PKEY_keygen_init() failed");
            if (LibCrypto.EVP_PKEY_CTX_set_group_name(context, "P-256") != 1)
                throw DtlsCertificateException.FromOpenSsl("EVP_PKEY_CTX_set_group_name(P-256) failed");
            if (LibCrypto.EVP_PKEY_generate(context, out SafeEvpPkeyHandle key) != 1 || key.IsInvalid)
            {
                key.Dispose();
                throw DtlsCertificateException.FromOpenSsl("EVP_PKEY_generate() failed");
            }
            return key;
        }
        finally
        {
            LibCrypto.EVP_PKEY_CTX_free(context);
        }
    }

    private static void FillRandom(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            if (LibCrypto.RAND_bytes(pointer, buffer.Length) != 1)
                throw DtlsCertificateException.FromOpenSsl("RAND_bytes() failed");
        }
    }

    private static SafeBioHandle OpenFile(string path, string what)
    {
        SafeBioHandle bio = LibCrypto.BIO_new_file(path, "r");
        if (bio.IsInvalid)
        {
            bio.Dispose();
            throw DtlsCertificateException.FromOpenSsl($"could not open {what} file '{path}'");
        }
        return bio;
    }

    /// <summary>
    /// pem_password_cb that always fails: OpenSSL's default callback would block the worker
    /// reading a passphrase from the terminal when a file is encrypted.
    /// </summary>
    [UnmanagedCallersOnly]
    private static int RefusePassphrase(byte* buffer, int size, int rwflag, void* userData) => -1;
}
