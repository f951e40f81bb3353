using System.Diagnostics;
using Mediasoup.Dtls;
using Mediasoup.Srtp;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Dtls;

// Enums are internal, so theories take their byte values.
public sealed class DtlsTransportTests
{
    private const int Mtu = 1350;

    // OpenSSL's DTLS timer runs on the real clock: short timers keep these tests quick.
    private static readonly DtlsOptions FastTimers = new() { InitialRetransmitMs = 30, RetransmitCapMs = 60 };

    private readonly ITestOutputHelper _output;

    public DtlsTransportTests(ITestOutputHelper output) => _output = output;

    // ---------------------------------------------------------------- handshake

    [Fact]
    public void Handshake_BothConnect_WithMatchingCrosswiseKeys()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);

        Assert.Equal(DtlsState.New, client.Transport.State);
        Assert.Null(client.Transport.LocalRole);
        wire.Connect(client, server);

        AssertConnected(client, server);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connected }, client.Events);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connected }, server.Events);
        Assert.Equal(DtlsRole.Client, client.Transport.LocalRole);
        Assert.Equal(DtlsRole.Server, server.Transport.LocalRole);
        // Both offer the same list: the first profile wins.
        Assert.Equal(SrtpCryptoSuite.AeadAes256Gcm, client.Suite);
        Assert.Equal(SrtpCryptoSuite.AeadAes256Gcm, server.Transport.SrtpCryptoSuite);
        Assert.Equal(44, client.LocalKey!.Length);
        Assert.NotEqual(client.LocalKey, client.RemoteKey);
        // Handshake over: no timer left.
        Assert.Null(client.Transport.NextTimeoutMs);
        Assert.Null(server.Transport.NextTimeoutMs);
        Assert.All(client.Sent.Concat(server.Sent), d => Assert.InRange(d.Length, 13, Mtu));
    }

    [Fact]
    public void Handshake_ReportsPeerCertificatePem()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        new DtlsWire(client, server).Connect(client, server);

        Assert.Equal(server.Certificate.ToPem(), client.RemotePem);
        Assert.Equal(client.Certificate.ToPem(), server.RemotePem);
        Assert.Equal(client.RemotePem, client.Transport.RemoteCertificatePem);
    }

    [Fact]
    public void Handshake_ServerFingerprintKnownOnlyAfterwards_ConnectsWhenSet()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);

        // The worker starts as server when ICE connects, before connect() gives the fingerprint.
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();

        Assert.Equal(DtlsState.Connected, client.Transport.State);
        Assert.Equal(DtlsState.Connecting, server.Transport.State);
        Assert.True(server.Transport.IsHandshakeDone);
        Assert.Equal(new[] { DtlsState.Connecting }, server.Events);

        Assert.True(server.Transport.SetRemoteFingerprint(client.Fingerprint()));
        AssertConnected(client, server);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connected }, server.Events);
        // Setting it again once connected changes nothing.
        Assert.True(server.Transport.SetRemoteFingerprint(client.Fingerprint()));
        Assert.Equal(2, server.Events.Count);
    }

    [Fact]
    public void Handshake_NeitherFingerprintKnown_BothConnectWhenSet()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);

        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        Assert.True(client.Transport.IsHandshakeDone);
        Assert.True(server.Transport.IsHandshakeDone);
        Assert.Equal(DtlsState.Connecting, client.Transport.State);

        Assert.True(client.Transport.SetRemoteFingerprint(server.Fingerprint()));
        Assert.True(server.Transport.SetRemoteFingerprint(client.Fingerprint()));
        AssertConnected(client, server);
    }

    [Fact]
    public void Handshake_FingerprintsBeforeRun_ClientRunsFirst()
    {
        using var client = new DtlsTestPeer("client", FastTimers);
        using var server = new DtlsTestPeer("server", FastTimers);
        var wire = new DtlsWire(client, server);

        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        client.Transport.Run(DtlsRole.Client, wire.Now);
        // The ClientHello reaches a server that is not running yet: dropped, logged.
        wire.Pump();
        Assert.Contains(server.Log.Lines, l => l.Contains("cannot process data while not running"));
        Assert.Equal(DtlsState.New, server.Transport.State);

        server.Transport.Run(DtlsRole.Server, wire.Now);
        // The client's retransmission gets through.
        Assert.True(wire.FireNextTimer());
        wire.Pump();
        AssertConnected(client, server);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Handshake_EveryFingerprintAlgorithm(byte algorithmValue)
    {
        var algorithm = (FingerprintAlgorithm)algorithmValue;
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);

        client.Transport.SetRemoteFingerprint(server.Fingerprint(algorithm));
        server.Transport.SetRemoteFingerprint(client.Fingerprint(algorithm));
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    [Fact]
    public void Handshake_ManyPairsOnOneContextPerSide()
    {
        using var clientCert = DtlsCertificate.Generate();
        using var serverCert = DtlsCertificate.Generate();
        var logger = new Logging.Logger();
        using var clientContext = new DtlsContext(clientCert, logger);
        using var serverContext = new DtlsContext(serverCert, logger);

        for (int i = 0; i < 20; i++)
        {
            var clientListener = new QueueListener();
            var serverListener = new QueueListener();
            using var client = new DtlsTransport(clientContext, clientListener);
            using var server = new DtlsTransport(serverContext, serverListener);
            client.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha256, serverCert.GetFingerprint(FingerprintAlgorithm.Sha256)));
            server.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha256, clientCert.GetFingerprint(FingerprintAlgorithm.Sha256)));
            server.Run(DtlsRole.Server, 0);
            client.Run(DtlsRole.Client, 0);
            for (int n = 0; n < 100 && (clientListener.Out.Count > 0 || serverListener.Out.Count > 0); n++)
            {
                while (clientListener.Out.TryDequeue(out byte[]? d))
                    server.ProcessDtlsData(d, 0);
                while (serverListener.Out.TryDequeue(out byte[]? d))
                    client.ProcessDtlsData(d, 0);
            }
            Assert.Equal(DtlsState.Connected, client.State);
            Assert.Equal(DtlsState.Connected, server.State);
        }
    }

    // ---------------------------------------------------------------- SRTP profiles

    [Theory]
    [InlineData(0, 44)]
    [InlineData(1, 28)]
    [InlineData(2, 30)]
    [InlineData(3, 30)]
    public void SrtpProfile_ServerRestricted_IsNegotiated(byte suiteValue, int keyAndSaltLength)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server", new DtlsOptions { SrtpProfiles = [suite] });
        new DtlsWire(client, server).Connect(client, server);

        AssertConnected(client, server);
        Assert.Equal(suite, client.Suite);
        Assert.Equal(suite, server.Suite);
        Assert.Equal(keyAndSaltLength, client.LocalKey!.Length);
        Assert.Equal(keyAndSaltLength, server.RemoteKey!.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SrtpProfile_ClientRestricted_IsNegotiated(byte suiteValue)
    {
        var suite = (SrtpCryptoSuite)suiteValue;
        using var client = new DtlsTestPeer("client", new DtlsOptions { SrtpProfiles = [suite] });
        using var server = new DtlsTestPeer("server");
        new DtlsWire(client, server).Connect(client, server);

        AssertConnected(client, server);
        Assert.Equal(suite, client.Suite);
        Assert.Equal(suite, server.Suite);
    }

    [Fact]
    public void SrtpProfile_ServerPreferenceWins()
    {
        // OpenSSL's server picks by its own order among what the client offers.
        var sha1First = new DtlsOptions { SrtpProfiles = [SrtpCryptoSuite.AesCm128HmacSha1_80, SrtpCryptoSuite.AeadAes256Gcm] };
        using (var client = new DtlsTestPeer("client", sha1First))
        using (var server = new DtlsTestPeer("server"))
        {
            new DtlsWire(client, server).Connect(client, server);
            Assert.Equal(SrtpCryptoSuite.AeadAes256Gcm, server.Suite);
        }
        using (var client = new DtlsTestPeer("client"))
        using (var server = new DtlsTestPeer("server", sha1First))
        {
            new DtlsWire(client, server).Connect(client, server);
            Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, client.Suite);
        }
    }

    [Fact]
    public void SrtpProfile_NoneInCommon_BothFail()
    {
        using var client = new DtlsTestPeer("client", new DtlsOptions { SrtpProfiles = [SrtpCryptoSuite.AeadAes128Gcm] });
        using var server = new DtlsTestPeer("server", new DtlsOptions { SrtpProfiles = [SrtpCryptoSuite.AesCm128HmacSha1_32] });
        new DtlsWire(client, server).Connect(client, server);

        Assert.Equal(DtlsState.Failed, client.Transport.State);
        Assert.Equal(DtlsState.Failed, server.Transport.State);
        Assert.Contains(client.Log.Lines, l => l.Contains("SRTP crypto suite not negotiated"));
        Assert.Null(client.LocalKey);
    }

    [Fact]
    public void SrtpKeys_AreTheRfc5764ExporterOutputSplitPerRole()
    {
        using var client = new DtlsTestPeer("client", new DtlsOptions { SrtpProfiles = [SrtpCryptoSuite.AesCm128HmacSha1_80] });
        using var server = new DtlsTestPeer("server");
        new DtlsWire(client, server).Connect(client, server);
        AssertConnected(client, server);

        // Key 16 + salt 14 per side, and every exported byte used exactly once.
        byte[] all = client.LocalKey!.Concat(client.RemoteKey!).ToArray();
        Assert.Equal(60, all.Length);
        Assert.True(all.Distinct().Count() > 30, "key material should look random");
        Assert.Equal(client.LocalKey, server.RemoteKey);
        Assert.Equal(client.RemoteKey, server.LocalKey);
    }

    // ---------------------------------------------------------------- fingerprint failures

    [Fact]
    public void WrongFingerprint_AtServer_ServerFails_ClientSeesClose()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        using var other = DtlsCertificate.Generate();
        var wire = new DtlsWire(client, server);

        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha256, other.GetFingerprint(FingerprintAlgorithm.Sha256)));
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();

        Assert.Equal(DtlsState.Failed, server.Transport.State);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Failed }, server.Events);
        Assert.Null(server.Transport.LocalRole);
        Assert.Null(server.LocalKey);
        Assert.Contains(server.Log.Lines, l => l.Contains("does not match the announced one"));
        // The server finished its handshake flight before checking; its reset sends close_notify.
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connected, DtlsState.Closed }, client.Events);
    }

    [Fact]
    public void WrongFingerprint_AtClient_ClientFails_ServerSeesClose()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);

        // Right digest, wrong algorithm label.
        client.Transport.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha1, server.Certificate.GetFingerprint(FingerprintAlgorithm.Sha256)));
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();

        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Failed }, client.Events);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connected, DtlsState.Closed }, server.Events);
    }

    [Fact]
    public void WrongFingerprint_SetAfterHandshake_ReturnsFalseAndFails()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();

        Assert.False(client.Transport.SetRemoteFingerprint(client.Fingerprint())); // its own, not the server's
        Assert.Equal(DtlsState.Failed, client.Transport.State);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Failed }, client.Events);
    }

    [Fact]
    public void Fingerprint_ComparisonIsExact_LowercaseFails()
    {
        // As the reference: the announced value must be the uppercase form.
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.Transport.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha256, server.Fingerprint().Value.ToLowerInvariant()));
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        Assert.Equal(DtlsState.Failed, client.Transport.State);
    }

    [Fact]
    public void Failed_CanRunAgainAndConnect()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.Transport.SetRemoteFingerprint(client.Fingerprint()); // wrong
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        Assert.Equal(DtlsState.Failed, client.Transport.State);
        Assert.Equal(DtlsState.Closed, server.Transport.State); // the client's reset sent close_notify

        // Fresh attempt on the same transports (the reference resets its SSL on failure).
        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    // ---------------------------------------------------------------- roles

    [Fact]
    public void Run_RoleChange_ResetsAndConnectsInNewRole()
    {
        using var a = new DtlsTestPeer("a");
        using var b = new DtlsTestPeer("b");
        var wire = new DtlsWire(a, b);
        a.Transport.SetRemoteFingerprint(b.Fingerprint());
        b.Transport.SetRemoteFingerprint(a.Fingerprint());

        // Both started as server (role auto before connect()); then a learns it is client.
        a.Transport.Run(DtlsRole.Server, wire.Now);
        b.Transport.Run(DtlsRole.Server, wire.Now);
        a.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();

        AssertConnected(a, b);
        Assert.Equal(DtlsRole.Client, a.Transport.LocalRole);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connecting, DtlsState.Connected }, a.Events);
        Assert.Equal(a.LocalKey, b.RemoteKey);
    }

    [Fact]
    public void Run_SameRoleTwice_DoesNothing()
    {
        using var a = new DtlsTestPeer("a");
        a.Transport.Run(DtlsRole.Client, 0);
        int sent = a.Sent.Count;
        a.Transport.Run(DtlsRole.Client, 0);
        Assert.Equal(sent, a.Sent.Count);
        Assert.Equal(new[] { DtlsState.Connecting }, a.Events);
        Assert.Contains(a.Log.Lines, l => l.Contains("same local DTLS role"));
    }

    [Fact]
    public void Run_AutoRole_Throws()
    {
        using var a = new DtlsTestPeer("a");
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Transport.Run(DtlsRole.Auto, 0));
        Assert.Equal(DtlsState.New, a.Transport.State);
    }

    [Fact]
    public void Run_Client_SendsClientHelloAndArmsTimer()
    {
        using var a = new DtlsTestPeer("a");
        a.Transport.Run(DtlsRole.Client, 5000);
        byte[] hello = Assert.Single(a.Sent);
        Assert.Equal(22, hello[0]); // handshake record
        Assert.Equal(1, hello[13]); // client_hello
        // 100 ms, less whatever OpenSSL's 15 ms rounding takes.
        Assert.InRange(a.Transport.NextTimeoutMs!.Value, 5000 + 30, 5000 + 100);
    }

    [Fact]
    public void Run_Server_SendsNothingAndArmsNoTimer()
    {
        using var a = new DtlsTestPeer("a");
        a.Transport.Run(DtlsRole.Server, 0);
        Assert.Empty(a.Sent);
        Assert.Null(a.Transport.NextTimeoutMs);
        Assert.Equal(DtlsState.Connecting, a.Transport.State);
    }

    // ---------------------------------------------------------------- garbage

    public static IEnumerable<object[]> GarbageSeeds => Enumerable.Range(0, 4).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(GarbageSeeds))]
    public void Garbage_Random_EveryLength_BeforeHandshake_ServerSurvives(int seed)
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        server.Transport.Run(DtlsRole.Server, wire.Now);

        foreach (byte[] junk in Garbage(new Random(seed), recordShaped: false))
        {
            server.Transport.ProcessDtlsData(junk, wire.Now);
            Assert.Equal(DtlsState.Connecting, server.Transport.State);
        }
        Assert.Empty(server.Sent);

        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    [Theory]
    [MemberData(nameof(GarbageSeeds))]
    public void Garbage_RecordShaped_EveryLength_NeverCrashes_ServerRecovers(int seed)
    {
        // Plaintext epoch-0 records that parse but make no sense (an alert of the wrong
        // size, a bad change_cipher_spec, a malformed handshake header) are fatal in
        // OpenSSL, for the reference as for us: the transport fails and can be run again.
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        server.Transport.Run(DtlsRole.Server, wire.Now);

        int failures = 0;
        foreach (byte[] junk in Garbage(new Random(seed), recordShaped: true))
        {
            server.Transport.ProcessDtlsData(junk, wire.Now);
            Assert.True(server.Transport.State is DtlsState.Connecting or DtlsState.Failed);
            if (server.Transport.State == DtlsState.Failed)
            {
                failures++;
                Assert.Null(server.Transport.LocalRole);
                server.Transport.Run(DtlsRole.Server, wire.Now);
            }
        }
        _output.WriteLine($"{failures} fatal junk datagrams");
        server.Outbox.Clear(); // the alerts

        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    [Theory]
    [InlineData(0xfe, 0xfd, 1)]  // epoch 1 before any key exists
    [InlineData(0xfe, 0xfd, 7)]
    [InlineData(0x03, 0x03, 0)]  // TLS, not DTLS, version
    [InlineData(0x01, 0x00, 0)]  // not a DTLS major version
    public void Garbage_RecordsOpenSslDiscards_ServerSurvives(byte major, byte minor, byte epoch)
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        server.Transport.Run(DtlsRole.Server, wire.Now);

        var random = new Random(epoch + minor);
        for (int body = 0; body < 400; body++)
        {
            foreach (byte type in new byte[] { 20, 21, 22, 23 })
            {
                var record = new byte[13 + body];
                random.NextBytes(record);
                record[0] = type;
                record[1] = major;
                record[2] = minor;
                record[3] = 0;
                record[4] = epoch;
                record[11] = (byte)(body >> 8);
                record[12] = (byte)body;
                server.Transport.ProcessDtlsData(record, wire.Now);
                Assert.Equal(DtlsState.Connecting, server.Transport.State);
            }
        }

        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    [Fact]
    public void Garbage_TruncatedClientHello_EveryLength_ServerSurvives()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        byte[] hello = client.Outbox.Dequeue();

        for (int length = 0; length < hello.Length; length++)
            server.Transport.ProcessDtlsData(hello.AsSpan(0, length), wire.Now);
        Assert.Equal(DtlsState.Connecting, server.Transport.State);
        Assert.Empty(server.Sent);

        server.Transport.ProcessDtlsData(hello, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    [Fact]
    public void Garbage_TruncatedRecordsWithFixedUpLength_NeverCrash()
    {
        // Truncated handshake bodies inside well-formed records: OpenSSL buffers them as
        // fragments or rejects the message; either way no crash, and while the server is
        // still connecting a later full handshake works.
        using var client = new DtlsTestPeer("client");
        client.Transport.Run(DtlsRole.Client, 0);
        byte[] hello = client.Outbox.Dequeue();

        int survived = 0;
        for (int length = 13; length < hello.Length; length++)
        {
            using var server = new DtlsTestPeer("server");
            server.Transport.Run(DtlsRole.Server, 0);
            byte[] cut = hello.AsSpan(0, length).ToArray();
            cut[11] = (byte)((length - 13) >> 8);
            cut[12] = (byte)(length - 13);
            server.Transport.ProcessDtlsData(cut, 0);
            Assert.True(server.Transport.State is DtlsState.Connecting or DtlsState.Failed);
            if (server.Transport.State == DtlsState.Connecting)
            {
                survived++;
                server.Transport.ProcessDtlsData(hello, 0);
                Assert.Equal(DtlsState.Connecting, server.Transport.State);
                Assert.NotEmpty(server.Sent); // answered the real ClientHello
            }
        }
        _output.WriteLine($"survived {survived} of {hello.Length - 13} cut ClientHellos");
        Assert.True(survived > 0);
    }

    [Fact]
    public void Garbage_BitFlippedServerFlight_ClientSurvivesOrFailsCleanly()
    {
        int connected = 0, failed = 0;
        for (int bit = 0; bit < 64; bit++)
        {
            using var client = new DtlsTestPeer("client", FastTimers);
            using var server = new DtlsTestPeer("server", FastTimers);
            var wire = new DtlsWire(client, server);
            client.Transport.SetRemoteFingerprint(server.Fingerprint());
            server.Transport.SetRemoteFingerprint(client.Fingerprint());
            server.Transport.Run(DtlsRole.Server, wire.Now);
            client.Transport.Run(DtlsRole.Client, wire.Now);
            server.Transport.ProcessDtlsData(client.Outbox.Dequeue(), wire.Now);

            // Corrupt one bit of the server's first flight, spread over header and body.
            byte[] flight = server.Outbox.Dequeue();
            byte[] bad = (byte[])flight.Clone();
            int position = bit * 7 % (bad.Length * 8);
            bad[position / 8] ^= (byte)(1 << (position % 8));
            client.Transport.ProcessDtlsData(bad, wire.Now);
            Assert.True(client.Transport.State is DtlsState.Connecting or DtlsState.Failed);
            if (client.Transport.State == DtlsState.Failed)
            {
                failed++;
                continue;
            }

            // Then the genuine flight.
            client.Transport.ProcessDtlsData(flight, wire.Now);
            wire.Pump();
            for (int i = 0; i < 10 && client.Transport.State == DtlsState.Connecting; i++)
            {
                wire.FireNextTimer();
                wire.Pump();
            }
            if (client.Transport.State == DtlsState.Connected)
                connected++;
            else
                failed++;
        }
        _output.WriteLine($"bit flips: {connected} connected, {failed} failed");
        Assert.True(connected > 0);
    }

    [Fact]
    public void Garbage_AfterConnected_StaysConnectedAndAppDataStillFlows()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        wire.Connect(client, server);

        // After the handshake, epoch-0 records are stale and dropped, whatever they hold.
        foreach (byte[] junk in Garbage(new Random(7), recordShaped: true).Concat(Garbage(new Random(8), recordShaped: false)))
            server.Transport.ProcessDtlsData(junk, wire.Now);
        // Replays and truncations of genuine records.
        foreach (byte[] old in client.Sent)
        {
            server.Transport.ProcessDtlsData(old, wire.Now);
            for (int length = 0; length < old.Length; length += 5)
                server.Transport.ProcessDtlsData(old.AsSpan(0, length), wire.Now);
        }
        wire.Pump();
        Assert.Equal(DtlsState.Connected, server.Transport.State);
        Assert.Equal(DtlsState.Connected, client.Transport.State);

        Assert.True(client.Transport.SendApplicationData("still here"u8));
        wire.Pump();
        Assert.Equal("still here"u8.ToArray(), Assert.Single(server.Received));
    }

    [Fact]
    public void Garbage_WhileNew_IsIgnored()
    {
        using var a = new DtlsTestPeer("a");
        a.Transport.ProcessDtlsData(new byte[] { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 }, 0);
        Assert.Equal(DtlsState.New, a.Transport.State);
        Assert.Empty(a.Sent);
    }

    [Fact]
    public void Garbage_ClientWaitingForServer_Survives()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        client.Transport.Run(DtlsRole.Client, wire.Now);

        foreach (byte[] junk in Garbage(new Random(3), recordShaped: false))
            client.Transport.ProcessDtlsData(junk, wire.Now);
        Assert.Equal(DtlsState.Connecting, client.Transport.State);
        foreach (byte[] junk in Garbage(new Random(4), recordShaped: true))
        {
            client.Transport.ProcessDtlsData(junk, wire.Now);
            if (client.Transport.State == DtlsState.Failed)
                client.Transport.Run(DtlsRole.Client, wire.Now);
        }
        client.Outbox.Clear();
        client.Transport.Run(DtlsRole.Server, wire.Now); // reset: a fresh ClientHello next
        client.Transport.Run(DtlsRole.Client, wire.Now);

        server.Transport.Run(DtlsRole.Server, wire.Now);
        wire.Pump();
        AssertConnected(client, server);
    }

    /// <summary>
    /// Random datagrams of every length up to 300 and a few big ones; record-shaped ones
    /// carry a plausible DTLS header (type, version, epoch 0, mostly a matching length).
    /// </summary>
    private static IEnumerable<byte[]> Garbage(Random random, bool recordShaped)
    {
        int[] big = [512, 1349, 1350, 1351, 4096, 16397, 16398, 18000, 40000, 70000];
        foreach (int length in Enumerable.Range(0, 301).Concat(big))
        {
            var junk = new byte[length];
            random.NextBytes(junk);
            if (recordShaped && length >= 13)
            {
                junk[0] = (byte)(20 + random.Next(4));
                junk[1] = 0xfe;
                junk[2] = random.Next(2) == 0 ? (byte)0xfd : (byte)0xff;
                junk[3] = 0;
                junk[4] = 0;
                int body = length - 13;
                if (random.Next(3) != 0)
                {
                    junk[11] = (byte)(body >> 8);
                    junk[12] = (byte)body;
                }
            }
            yield return junk;
        }
    }

    // ---------------------------------------------------------------- retransmission and timeouts

    [Theory]
    [InlineData(true, 1)]  // ClientHello
    [InlineData(false, 1)] // server's first flight
    [InlineData(true, 2)]  // client's second flight (certificate ... finished)
    [InlineData(false, 2)] // server's change_cipher_spec + finished
    public void Retransmission_RecoversFromDroppedFlight(bool fromClient, int flight)
    {
        using var client = new DtlsTestPeer("client", FastTimers);
        using var server = new DtlsTestPeer("server", FastTimers);
        var wire = new DtlsWire(client, server);
        int seen = 0;
        wire.Drop = (from, datagram) =>
        {
            if ((from == client) != fromClient || datagram[0] is not (20 or 22))
                return false;
            return ++seen == flight;
        };

        wire.Connect(client, server);
        Assert.Equal(1, wire.Dropped);
        for (int i = 0; i < 10 && !(IsConnected(client) && IsConnected(server)); i++)
        {
            Assert.True(wire.FireNextTimer(), "a timer must be armed while a flight is unanswered");
            wire.Pump();
        }
        AssertConnected(client, server);
    }

    [Fact]
    public void Retransmission_ResendsSameFlightWithNewSequenceNumbers()
    {
        using var client = new DtlsTestPeer("client", FastTimers);
        client.Transport.Run(DtlsRole.Client, 0);
        var wire = new DtlsWire(client, client) { Now = 0 };
        wire.AdvanceTo(client.Transport.NextTimeoutMs!.Value);
        client.Transport.OnTimer(wire.Now);

        Assert.Equal(2, client.Sent.Count);
        byte[] first = client.Sent[0], second = client.Sent[1];
        Assert.Equal(first.Length, second.Length);
        // Same epoch, next record sequence number, same handshake message.
        Assert.Equal(0, first.AsSpan(5, 6).SequenceCompareTo(new byte[6]));
        Assert.Equal(1, second[10]);
        Assert.True(first.AsSpan(13).SequenceEqual(second.AsSpan(13)));
    }

    [Fact]
    public void Timer_EarlyCallIsIgnored()
    {
        using var client = new DtlsTestPeer("client");
        client.Transport.Run(DtlsRole.Client, 1000);
        long due = client.Transport.NextTimeoutMs!.Value;
        client.Transport.OnTimer(due - 1);
        Assert.Single(client.Sent);
        Assert.Equal(due, client.Transport.NextTimeoutMs);
    }

    [Fact]
    public void Timer_CallerClockAheadOfOpenSsl_RearmsInsteadOfRetransmitting()
    {
        // The caller says the deadline passed but OpenSSL's (real) clock disagrees.
        using var client = new DtlsTestPeer("client", new DtlsOptions { InitialRetransmitMs = 1000, RetransmitCapMs = 1000 });
        client.Transport.Run(DtlsRole.Client, 0);
        long due = client.Transport.NextTimeoutMs!.Value;
        client.Transport.OnTimer(due);
        Assert.Single(client.Sent);
        Assert.NotNull(client.Transport.NextTimeoutMs);
        Assert.InRange(client.Transport.NextTimeoutMs!.Value, due, due + 1000);
    }

    [Fact]
    public void Timeout_NoAnswer_FailsAfterOpenSslGivesUp()
    {
        using var client = new DtlsTestPeer("client", new DtlsOptions { InitialRetransmitMs = 20, RetransmitCapMs = 20 });
        var wire = new DtlsWire(client, client);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        client.Outbox.Clear();

        var stopwatch = Stopwatch.StartNew();
        int timers = 0;
        while (client.Transport.State == DtlsState.Connecting && timers < 50)
        {
            long due = client.Transport.NextTimeoutMs!.Value;
            wire.AdvanceTo(due);
            client.Transport.OnTimer(wire.Now);
            timers++;
        }
        _output.WriteLine($"{timers} timer firings, {client.Sent.Count} ClientHellos, {stopwatch.ElapsedMilliseconds} ms");

        Assert.Equal(DtlsState.Failed, client.Transport.State);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Failed }, client.Events);
        Assert.Null(client.Transport.NextTimeoutMs);
        // OpenSSL retransmits 12 times, then gives up on the 13th expiry.
        Assert.Equal(13, client.Sent.Count);
        Assert.Contains(client.Log.Lines, l => l.Contains("DTLSv1_handle_timeout() failed"));
    }

    [Fact]
    public void Timeout_NextWouldExceedGiveUp_Fails()
    {
        // 20, 40, 80, then 160 ms >= 100 ms: give up as the reference does at 30 s.
        using var client = new DtlsTestPeer("client", new DtlsOptions
        {
            InitialRetransmitMs = 20, RetransmitCapMs = 1000, GiveUpTimeoutMs = 100,
        });
        var wire = new DtlsWire(client, client);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        while (client.Transport.State == DtlsState.Connecting)
        {
            wire.AdvanceTo(client.Transport.NextTimeoutMs!.Value);
            client.Transport.OnTimer(wire.Now);
        }
        Assert.Equal(DtlsState.Failed, client.Transport.State);
        Assert.Equal(4, client.Sent.Count);
        Assert.Contains(client.Log.Lines, l => l.Contains("DTLS timeout too high"));
    }

    [Fact]
    public void Timer_DefaultSchedule_IsTheReferences()
    {
        DtlsOptions options = DtlsOptions.Default;
        uint t = 0;
        var schedule = new List<uint>();
        for (int i = 0; i < 10; i++)
            schedule.Add(t = DtlsTransport.NextRetransmitUs(t, options));
        Assert.Equal(new uint[]
        {
            100_000, 200_000, 400_000, 800_000, 1_600_000, 3_200_000, 6_400_000, 4_000_000, 4_000_000, 4_000_000,
        }, schedule);
        Assert.Equal(30_000, options.GiveUpTimeoutMs);
        Assert.Equal(1350, options.Mtu);
    }

    // ---------------------------------------------------------------- close

    [Fact]
    public void Close_SendsCloseNotify_PeerClosed()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        wire.Connect(client, server);

        client.Transport.Close();
        Assert.Equal(DtlsState.Closed, client.Transport.State);
        Assert.Equal(2, client.Events.Count); // no event for a local close
        byte[] alert = client.Outbox.Peek();
        Assert.Equal(21, alert[0]); // alert record (encrypted)
        wire.Pump();

        Assert.Equal(DtlsState.Closed, server.Transport.State);
        Assert.Equal(new[] { DtlsState.Connecting, DtlsState.Connected, DtlsState.Closed }, server.Events);
        Assert.Null(server.Transport.LocalRole);
        Assert.False(server.Transport.SendApplicationData("x"u8));
    }

    [Fact]
    public void Close_ByServer_ClientClosed()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        wire.Connect(client, server);
        server.Transport.Dispose(); // Dispose closes too
        byte[] alert = Assert.Single(server.Outbox);
        client.Transport.ProcessDtlsData(alert, wire.Now);
        Assert.Equal(DtlsState.Closed, client.Transport.State);
        Assert.Equal(DtlsState.Closed, client.Events[^1]);
    }

    [Fact]
    public void Close_IsTerminalAndIdempotent()
    {
        using var client = new DtlsTestPeer("client");
        client.Transport.Run(DtlsRole.Client, 0);
        client.Transport.Close();
        client.Transport.Close();
        Assert.Equal(DtlsState.Closed, client.Transport.State);
        Assert.Null(client.Transport.NextTimeoutMs);
        client.Transport.Run(DtlsRole.Server, 0);
        Assert.Equal(DtlsState.Closed, client.Transport.State);
        client.Transport.ProcessDtlsData(client.Sent[0], 0);
        client.Transport.OnTimer(long.MaxValue);
    }

    [Fact]
    public void Dispose_ThenCallsThrowObjectDisposed()
    {
        var peer = new DtlsTestPeer("a");
        peer.Transport.Run(DtlsRole.Client, 0);
        peer.Dispose();
        peer.Transport.Dispose();
        Assert.Throws<ObjectDisposedException>(() => peer.Transport.Run(DtlsRole.Client, 0));
        Assert.Throws<ObjectDisposedException>(() => peer.Transport.ProcessDtlsData(new byte[20], 0));
        Assert.Throws<ObjectDisposedException>(() => peer.Transport.OnTimer(0));
    }

    // ---------------------------------------------------------------- application data

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1200)]
    [InlineData(4000)]
    [InlineData(16384)]
    public void ApplicationData_BothWays(int size)
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        wire.Connect(client, server);

        byte[] toServer = Enumerable.Range(0, size).Select(i => (byte)i).ToArray();
        byte[] toClient = Enumerable.Range(0, size).Select(i => (byte)(255 - i)).ToArray();
        Assert.True(client.Transport.SendApplicationData(toServer));
        Assert.True(server.Transport.SendApplicationData(toClient));
        wire.Pump();
        Assert.Equal(toServer, Assert.Single(server.Received));
        Assert.Equal(toClient, Assert.Single(client.Received));
    }

    [Fact]
    public void ApplicationData_TooLargeOrEmptyOrNotConnected_ReturnsFalse()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        Assert.False(client.Transport.SendApplicationData("early"u8));
        wire.Connect(client, server);

        Assert.False(client.Transport.SendApplicationData(ReadOnlySpan<byte>.Empty));
        Assert.False(client.Transport.SendApplicationData(new byte[16385]));
        Assert.Equal(DtlsState.Connected, client.Transport.State);
        Assert.True(client.Transport.SendApplicationData("after"u8));
    }

    [Fact]
    public void ApplicationData_SeveralRecordsInOneDatagram_AllDelivered()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        wire.Connect(client, server);

        for (int i = 0; i < 3; i++)
            Assert.True(client.Transport.SendApplicationData(new[] { (byte)i, (byte)i }));
        byte[] joined = client.Outbox.SelectMany(d => d).ToArray();
        client.Outbox.Clear();
        server.Transport.ProcessDtlsData(joined, wire.Now);
        Assert.Equal(3, server.Received.Count);
        Assert.Equal(new byte[] { 2, 2 }, server.Received[2]);
    }

    [Fact]
    public void ApplicationData_AfterHandshakeBeforeFingerprint_IsDelivered()
    {
        // As the reference: data may arrive once the handshake is done, before connect().
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        Assert.Equal(DtlsState.Connecting, server.Transport.State);

        Assert.True(client.Transport.SendApplicationData("hi"u8));
        wire.Pump();
        Assert.Equal("hi"u8.ToArray(), Assert.Single(server.Received));
        Assert.False(server.Transport.SendApplicationData("not yet"u8));
    }

    [Fact]
    public void Listener_SendingFromConnectedCallback_Works()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.OnConnected = p => Assert.True(p.Transport.SendApplicationData("first"u8));
        wire.Connect(client, server);
        Assert.Equal("first"u8.ToArray(), Assert.Single(server.Received));
    }

    [Fact]
    public void Listener_ClosingFromConnectedCallback_StopsCleanly()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        server.OnConnected = p => p.Transport.Close();
        wire.Connect(client, server);
        Assert.Equal(DtlsState.Closed, server.Transport.State);
        Assert.Equal(DtlsState.Closed, client.Transport.State);
    }

    // ---------------------------------------------------------------- big certificates and MTU

    [Fact]
    public void LargeRsaCertificate_HandshakesWithinMtu()
    {
        string dir = Directory.CreateTempSubdirectory("dtls-rsa-").FullName;
        try
        {
            string cert = Path.Combine(dir, "cert.pem"), key = Path.Combine(dir, "key.pem");
            OpenSslCli.Run("req", "-x509", "-newkey", "rsa:4096", "-nodes", "-days", "30",
                "-subj", "/CN=" + new string('x', 60), "-keyout", key, "-out", cert);
            using DtlsCertificate rsa = DtlsCertificate.LoadPem(cert, key);
            using var client = new DtlsTestPeer("client", certificate: rsa);
            using var server = new DtlsTestPeer("server", certificate: rsa);
            new DtlsWire(client, server).Connect(client, server);

            AssertConnected(client, server);
            int largest = client.Sent.Concat(server.Sent).Max(d => d.Length);
            _output.WriteLine($"client sent {string.Join(",", client.Sent.Select(d => d.Length))}; server sent {string.Join(",", server.Sent.Select(d => d.Length))}");
            Assert.InRange(largest, 1000, Mtu);
            // The certificate alone exceeds one datagram, so it went out in fragments.
            Assert.True(server.Sent.Count >= 3);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(300)]
    [InlineData(576)]
    [InlineData(1200)]
    public void SmallerMtu_AllDatagramsFit(int mtu)
    {
        var options = new DtlsOptions { Mtu = mtu };
        using var client = new DtlsTestPeer("client", options);
        using var server = new DtlsTestPeer("server", options);
        new DtlsWire(client, server).Connect(client, server);
        AssertConnected(client, server);
        Assert.All(client.Sent.Concat(server.Sent), d => Assert.InRange(d.Length, 13, mtu));
    }

    // ---------------------------------------------------------------- helpers and small units

    [Fact]
    public void NextDatagramLength_PacksWholeRecordsUpToMtu()
    {
        static byte[] Record(int body)
        {
            var record = new byte[13 + body];
            record[0] = 22;
            record[11] = (byte)(body >> 8);
            record[12] = (byte)body;
            return record;
        }
        byte[] a = Record(100), b = Record(200), c = Record(1300);
        byte[] all = a.Concat(b).Concat(c).ToArray();

        Assert.Equal(a.Length + b.Length, DtlsTransport.NextDatagramLength(all, 1350));
        Assert.Equal(a.Length, DtlsTransport.NextDatagramLength(all, 200));
        Assert.Equal(c.Length, DtlsTransport.NextDatagramLength(c, 500)); // one oversized record still goes alone
        Assert.Equal(5, DtlsTransport.NextDatagramLength(new byte[5], 1350));
        Assert.Equal(20, DtlsTransport.NextDatagramLength(a.AsSpan(0, 20), 1350)); // partial record: as is
    }

    [Theory]
    [InlineData(new byte[] { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, true)]
    [InlineData(new byte[] { 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, true)]
    [InlineData(new byte[] { 63, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, true)]
    [InlineData(new byte[] { 19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, false)]
    [InlineData(new byte[] { 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, false)]
    [InlineData(new byte[] { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, false)]
    public void IsDtls_Rfc7983(byte[] data, bool expected) => Assert.Equal(expected, DtlsTransport.IsDtls(data));

    [Fact]
    public void OpenSslErrorQueue_LeftEmpty()
    {
        using var client = new DtlsTestPeer("client");
        using var server = new DtlsTestPeer("server");
        var wire = new DtlsWire(client, server);
        client.Transport.SetRemoteFingerprint(client.Fingerprint()); // wrong: exercises the error paths
        server.Transport.Run(DtlsRole.Server, wire.Now);
        client.Transport.Run(DtlsRole.Client, wire.Now);
        wire.Pump();
        server.Transport.ProcessDtlsData(new byte[] { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9 }, wire.Now);
        Assert.Equal((nuint)0, Interop.OpenSsl.LibCrypto.ERR_get_error());
    }

    private static bool IsConnected(DtlsTestPeer peer) => peer.Transport.State == DtlsState.Connected;

    private static void AssertConnected(DtlsTestPeer client, DtlsTestPeer server)
    {
        Assert.Equal(DtlsState.Connected, client.Transport.State);
        Assert.Equal(DtlsState.Connected, server.Transport.State);
        Assert.NotNull(client.LocalKey);
        Assert.Equal(client.Suite, server.Suite);
        Assert.Equal(client.LocalKey, server.RemoteKey);
        Assert.Equal(client.RemoteKey, server.LocalKey);
        Assert.Equal(client.Suite!.Value.KeyAndSaltLength(), client.LocalKey!.Length);
    }

    private sealed class QueueListener : IDtlsTransportListener
    {
        public Queue<byte[]> Out { get; } = new();
        public void OnDtlsConnecting(DtlsTransport transport) { }
        public void OnDtlsConnected(DtlsTransport transport, SrtpCryptoSuite srtpCryptoSuite, ReadOnlySpan<byte> localKeyAndSalt, ReadOnlySpan<byte> remoteKeyAndSalt, string remoteCertificatePem) { }
        public void OnDtlsFailed(DtlsTransport transport) { }
        public void OnDtlsClosed(DtlsTransport transport) { }
        public void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram) => Out.Enqueue(datagram.ToArray());
        public void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data) { }
    }
}
