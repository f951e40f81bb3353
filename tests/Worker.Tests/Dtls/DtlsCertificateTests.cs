using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mediasoup.Dtls;
using Mediasoup.Interop.OpenSsl;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Dtls;

public sealed class DtlsCertificateTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir;

    public DtlsCertificateTests(ITestOutputHelper output)
    {
        _output = output;
        _dir = Directory.CreateTempSubdirectory("dtls-cert-test-").FullName;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---------------------------------------------------------------- Generate

    [Fact]
    public void Generate_ProducesSelfSignedV3EcP256Sha256Certificate()
    {
        using DtlsCertificate certificate = DtlsCertificate.Generate();
        string pem = certificate.ToPem();
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", pem);
        Assert.EndsWith("-----END CERTIFICATE-----\n", pem);
        string file = Write("generated.pem", pem);

        string text = OpenSsl("x509", "-in", file, "-noout", "-text");
        Assert.Contains("Version: 3 (0x2)", text);
        Assert.Contains("Public Key Algorithm: id-ecPublicKey", text);
        Assert.Contains("Public-Key: (256 bit)", text);
        Assert.Contains("ASN1 OID: prime256v1", text);
        Assert.Contains("Signature Algorithm: ecdsa-with-SHA256", text);

        string fields = OpenSsl("x509", "-in", file, "-noout", "-subject", "-issuer", "-serial", "-nameopt", "RFC2253");
        Match subject = Regex.Match(fields, @"^subject=CN=(mediasoup\d{6})$", RegexOptions.Multiline);
        Assert.True(subject.Success, fields);
        Assert.Contains($"issuer=CN={subject.Groups[1].Value}\n", fields);
        Match serial = Regex.Match(fields, @"^serial=([0-9A-F]+)$", RegexOptions.Multiline);
        Assert.True(serial.Success, fields);
        Assert.NotEqual(0UL, ulong.Parse(serial.Groups[1].Value, NumberStyles.HexNumber));

        // The signature must verify with the certificate's own key.
        OpenSsl("verify", "-check_ss_sig", "-partial_chain", "-CAfile", file, file);
    }

    [Fact]
    public void Generate_ValidityIsTenYearsEitherSideOfNow()
    {
        using DtlsCertificate certificate = DtlsCertificate.Generate();
        DateTime now = DateTime.UtcNow;
        string file = Write("generated.pem", certificate.ToPem());

        string dates = OpenSsl("x509", "-in", file, "-noout", "-dates");
        DateTime notBefore = ParseOpenSslDate(dates, "notBefore");
        DateTime notAfter = ParseOpenSslDate(dates, "notAfter");

        TimeSpan tenYears = TimeSpan.FromDays(3650);
        Assert.InRange(notBefore, now - tenYears - TimeSpan.FromMinutes(1), now - tenYears + TimeSpan.FromMinutes(1));
        Assert.InRange(notAfter, now + tenYears - TimeSpan.FromMinutes(1), now + tenYears + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Generate_FingerprintsMatchOpenSslCli()
    {
        using DtlsCertificate certificate = DtlsCertificate.Generate();
        string file = Write("generated.pem", certificate.ToPem());
        AssertFingerprintsMatchCli(certificate, file);
    }

    [Fact]
    public void Generate_EachCertificateIsUnique()
    {
        using DtlsCertificate a = DtlsCertificate.Generate();
        using DtlsCertificate b = DtlsCertificate.Generate();
        Assert.NotEqual(a.ToPem(), b.ToPem());
        Assert.NotEqual(a.GetFingerprint(FingerprintAlgorithm.Sha256), b.GetFingerprint(FingerprintAlgorithm.Sha256));
    }

    [Fact]
    public void Generate_LeavesOpenSslErrorQueueEmpty()
    {
        using DtlsCertificate certificate = DtlsCertificate.Generate();
        Assert.Equal((nuint)0, LibCrypto.ERR_get_error());
    }

    [Fact]
    public void Generate_Timing()
    {
        // The first call in the process also pays OpenSSL's lazy initialisation
        // (config file, default provider), which the real worker pays once too.
        var stopwatch = Stopwatch.StartNew();
        DtlsCertificate.Generate().Dispose();
        double firstMs = stopwatch.Elapsed.TotalMilliseconds;

        const int Runs = 200;
        stopwatch.Restart();
        for (int i = 0; i < Runs; i++)
            DtlsCertificate.Generate().Dispose();
        double averageMs = stopwatch.Elapsed.TotalMilliseconds / Runs;

        _output.WriteLine($"DtlsCertificate.Generate(): first call {firstMs:F3} ms, then {averageMs:F3} ms average over {Runs}");
        // Generous bound: only catches something pathological (e.g. RSA or a blocking RNG).
        Assert.True(averageMs < 20, $"average {averageMs:F3} ms");
    }

    // ---------------------------------------------------------------- LoadPem

    [Fact]
    public void LoadPem_FingerprintsMatchOpenSslCli()
    {
        (string cert, string key) = CreateEcPair("a");
        using DtlsCertificate certificate = DtlsCertificate.LoadPem(cert, key);
        AssertFingerprintsMatchCli(certificate, cert);
    }

    [Fact]
    public void LoadPem_ToPemEqualsOpenSslOutput()
    {
        (string cert, string key) = CreateEcPair("a");
        using DtlsCertificate certificate = DtlsCertificate.LoadPem(cert, key);
        Assert.Equal(OpenSsl("x509", "-in", cert), certificate.ToPem());
    }

    [Fact]
    public void LoadPem_AcceptsRsaKey()
    {
        string cert = Path.Combine(_dir, "rsa-cert.pem");
        string key = Path.Combine(_dir, "rsa-key.pem");
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=rsa",
            "-keyout", key, "-out", cert);
        using DtlsCertificate certificate = DtlsCertificate.LoadPem(cert, key);
        AssertFingerprintsMatchCli(certificate, cert);
    }

    [Fact]
    public void LoadPem_AcceptsKeyFileWithLeadingEcParameters()
    {
        // `openssl ecparam -genkey` writes an "EC PARAMETERS" block before the key.
        string key = Path.Combine(_dir, "ecparam-key.pem");
        string cert = Path.Combine(_dir, "ecparam-cert.pem");
        File.WriteAllText(key, OpenSsl("ecparam", "-name", "prime256v1", "-genkey"));
        Assert.Contains("EC PARAMETERS", File.ReadAllText(key));
        OpenSsl("req", "-x509", "-new", "-key", key, "-days", "30", "-subj", "/CN=ecparam", "-out", cert);
        using DtlsCertificate certificate = DtlsCertificate.LoadPem(cert, key);
        AssertFingerprintsMatchCli(certificate, cert);
    }

    [Fact]
    public void LoadPem_MissingCertificateFile_Throws()
    {
        (_, string key) = CreateEcPair("a");
        string missing = Path.Combine(_dir, "nope.pem");
        var error = Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(missing, key));
        Assert.Contains("certificate", error.Message);
        Assert.Contains(missing, error.Message);
        Assert.Contains("No such file", error.Message); // OpenSSL's own error text is included
        AssertErrorQueueEmpty();
    }

    [Fact]
    public void LoadPem_MissingKeyFile_Throws()
    {
        (string cert, _) = CreateEcPair("a");
        string missing = Path.Combine(_dir, "nope.pem");
        var error = Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(cert, missing));
        Assert.Contains("private key", error.Message);
        Assert.Contains(missing, error.Message);
        AssertErrorQueueEmpty();
    }

    [Fact]
    public void LoadPem_DirectoryAsFile_Throws()
    {
        (_, string key) = CreateEcPair("a");
        Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(_dir, key));
        AssertErrorQueueEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END CERTIFICATE-----\n")]
    public void LoadPem_GarbageCertificate_Throws(string content)
    {
        (_, string key) = CreateEcPair("a");
        string cert = Write("garbage-cert.pem", content);
        var error = Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(cert, key));
        Assert.Contains("certificate", error.Message);
        AssertErrorQueueEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void LoadPem_GarbageKey_Throws(string content)
    {
        (string cert, _) = CreateEcPair("a");
        string key = Write("garbage-key.pem", content);
        var error = Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(cert, key));
        Assert.Contains("private key", error.Message);
        AssertErrorQueueEmpty();
    }

    [Fact]
    public void LoadPem_CertificateGivenAsKey_Throws()
    {
        (string cert, _) = CreateEcPair("a");
        Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(cert, cert));
        AssertErrorQueueEmpty();
    }

    [Fact]
    public void LoadPem_MismatchedKey_Throws()
    {
        (string certA, _) = CreateEcPair("a");
        (_, string keyB) = CreateEcPair("b");
        var error = Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(certA, keyB));
        Assert.Contains("does not match", error.Message);
        Assert.Contains("key values mismatch", error.Message);
        AssertErrorQueueEmpty();
    }

    [Fact]
    public void LoadPem_EncryptedKey_ThrowsWithoutPrompting()
    {
        (string cert, string key) = CreateEcPair("a");
        string encrypted = Path.Combine(_dir, "encrypted-key.pem");
        OpenSsl("pkey", "-in", key, "-aes256", "-passout", "pass:secret", "-out", encrypted);
        Assert.Contains("ENCRYPTED", File.ReadAllText(encrypted));

        // OpenSSL's default callback would read the passphrase from the terminal; guard
        // against a hang with a timeout rather than blocking the test run.
        Task<Exception?> attempt = Task.Run(() => Record.Exception(() => DtlsCertificate.LoadPem(cert, encrypted)));
        Assert.True(attempt.Wait(TimeSpan.FromSeconds(10)), "LoadPem blocked on an encrypted key");
        Assert.IsType<DtlsCertificateException>(attempt.Result);
    }

    [Fact]
    public void LoadPem_LegacyEncryptedKey_ThrowsWithoutPrompting()
    {
        (string cert, string key) = CreateEcPair("a");
        string encrypted = Path.Combine(_dir, "legacy-encrypted-key.pem");
        OpenSsl("ec", "-in", key, "-aes128", "-passout", "pass:secret", "-out", encrypted);
        Assert.Contains("Proc-Type: 4,ENCRYPTED", File.ReadAllText(encrypted));

        Task<Exception?> attempt = Task.Run(() => Record.Exception(() => DtlsCertificate.LoadPem(cert, encrypted)));
        Assert.True(attempt.Wait(TimeSpan.FromSeconds(10)), "LoadPem blocked on an encrypted key");
        Assert.IsType<DtlsCertificateException>(attempt.Result);
    }

    [Fact]
    public void LoadPem_ClearsStaleErrorsFromEarlierCalls()
    {
        (string cert, string key) = CreateEcPair("a");
        Assert.Throws<DtlsCertificateException>(() => DtlsCertificate.LoadPem(Path.Combine(_dir, "nope"), key));
        using DtlsCertificate certificate = DtlsCertificate.LoadPem(cert, key);
        AssertErrorQueueEmpty();
    }

    // ---------------------------------------------------------------- Lifetime

    [Fact]
    public void Dispose_TwiceIsSafe_AndHandlesAreThenUnusable()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        SafeX509Handle x509 = certificate.CertificateHandle;
        SafeEvpPkeyHandle key = certificate.PrivateKeyHandle;
        Assert.False(x509.IsInvalid);
        Assert.False(key.IsInvalid);

        certificate.Dispose();
        certificate.Dispose();

        Assert.True(x509.IsClosed);
        Assert.True(key.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => certificate.CertificateHandle);
        Assert.Throws<ObjectDisposedException>(() => certificate.PrivateKeyHandle);
        Assert.Throws<ObjectDisposedException>(() => certificate.ToPem());
        // Fingerprints were computed up front and stay readable.
        Assert.Equal(5, certificate.Fingerprints.Count);
    }

    [Fact]
    public void Dispose_LoadedCertificateTwiceIsSafe()
    {
        (string cert, string key) = CreateEcPair("a");
        DtlsCertificate certificate = DtlsCertificate.LoadPem(cert, key);
        certificate.Dispose();
        certificate.Dispose();
        Assert.Throws<ObjectDisposedException>(() => certificate.CertificateHandle);
    }

    // ---------------------------------------------------------------- Fingerprint types

    [Fact]
    public void Fingerprints_AreInAlgorithmOrderAndFormatted()
    {
        using DtlsCertificate certificate = DtlsCertificate.Generate();
        Assert.Equal(
            new[] { FingerprintAlgorithm.Sha1, FingerprintAlgorithm.Sha224, FingerprintAlgorithm.Sha256, FingerprintAlgorithm.Sha384, FingerprintAlgorithm.Sha512 },
            certificate.Fingerprints.Select(f => f.Algorithm).ToArray());

        int[] sizes = { 20, 28, 32, 48, 64 };
        for (int i = 0; i < sizes.Length; i++)
        {
            string value = certificate.Fingerprints[i].Value;
            Assert.Matches($"^[0-9A-F]{{2}}(:[0-9A-F]{{2}}){{{sizes[i] - 1}}}$", value);
            Assert.Equal(value, certificate.GetFingerprint(certificate.Fingerprints[i].Algorithm));
        }
        // Computed once: the same list instance every time.
        Assert.Same(certificate.Fingerprints, certificate.Fingerprints);
    }

    [Fact]
    public void FingerprintAlgorithm_MatchesFlatBuffersNumbering()
    {
        Assert.Equal((byte)FBS.WebRtcTransport.FingerprintAlgorithm.SHA1, (byte)FingerprintAlgorithm.Sha1);
        Assert.Equal((byte)FBS.WebRtcTransport.FingerprintAlgorithm.SHA224, (byte)FingerprintAlgorithm.Sha224);
        Assert.Equal((byte)FBS.WebRtcTransport.FingerprintAlgorithm.SHA256, (byte)FingerprintAlgorithm.Sha256);
        Assert.Equal((byte)FBS.WebRtcTransport.FingerprintAlgorithm.SHA384, (byte)FingerprintAlgorithm.Sha384);
        Assert.Equal((byte)FBS.WebRtcTransport.FingerprintAlgorithm.SHA512, (byte)FingerprintAlgorithm.Sha512);
    }

    [Theory]
    [InlineData(0, "sha-1")]
    [InlineData(1, "sha-224")]
    [InlineData(2, "sha-256")]
    [InlineData(3, "sha-384")]
    [InlineData(4, "sha-512")]
    public void FingerprintAlgorithm_NamesRoundTrip(byte value, string name)
    {
        // byte, not the internal enum: xunit test methods must be public.
        var algorithm = (FingerprintAlgorithm)value;
        Assert.Equal(name, algorithm.ToName());
        Assert.True(FingerprintAlgorithms.TryParse(name, out FingerprintAlgorithm parsed));
        Assert.Equal(algorithm, parsed);
        Assert.True(FingerprintAlgorithms.TryParse(name.ToUpperInvariant(), out parsed));
        Assert.Equal(algorithm, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha1")]
    [InlineData("sha-256 ")]
    [InlineData("md5")]
    [InlineData("sha-3")]
    public void FingerprintAlgorithm_RejectsUnknownNames(string name)
    {
        Assert.False(FingerprintAlgorithms.TryParse(name, out _));
    }

    [Fact]
    public void FingerprintAlgorithm_ToNameRejectsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((FingerprintAlgorithm)5).ToName());
    }

    // ---------------------------------------------------------------- helpers

    private void AssertFingerprintsMatchCli(DtlsCertificate certificate, string certFile)
    {
        string[] cliDigests = { "-sha1", "-sha224", "-sha256", "-sha384", "-sha512" };
        Assert.Equal(cliDigests.Length, certificate.Fingerprints.Count);
        for (int i = 0; i < cliDigests.Length; i++)
        {
            // Output is e.g. "sha256 Fingerprint=AB:CD:..."
            string line = OpenSsl("x509", "-in", certFile, "-noout", "-fingerprint", cliDigests[i]).Trim();
            string expected = line[(line.IndexOf('=') + 1)..];
            Assert.Equal(expected, certificate.Fingerprints[i].Value);
        }
    }

    private static void AssertErrorQueueEmpty() => Assert.Equal((nuint)0, LibCrypto.ERR_get_error());

    private (string Cert, string Key) CreateEcPair(string name)
    {
        string cert = Path.Combine(_dir, name + "-cert.pem");
        string key = Path.Combine(_dir, name + "-key.pem");
        if (!File.Exists(cert))
        {
            OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "30", "-subj", "/CN=" + name, "-keyout", key, "-out", cert);
        }
        return (cert, key);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static DateTime ParseOpenSslDate(string output, string field)
    {
        // e.g. "notBefore=Mar  5 12:00:00 2016 GMT" (day padded with a space)
        Match match = Regex.Match(output, $@"^{field}=(\w+)\s+(\d+) (\d\d:\d\d:\d\d) (\d+) GMT$", RegexOptions.Multiline);
        Assert.True(match.Success, output);
        string normalized = $"{match.Groups[1].Value} {match.Groups[2].Value} {match.Groups[3].Value} {match.Groups[4].Value}";
        return DateTime.ParseExact(normalized, "MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    private static string OpenSsl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0,
            $"openssl {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
