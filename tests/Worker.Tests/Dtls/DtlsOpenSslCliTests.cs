using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Mediasoup.Dtls;
using Mediasoup.Srtp;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Dtls;

/// <summary>
/// Interop with OpenSSL's own DTLS endpoints (openssl s_client / s_server) over UDP
/// loopback, driven by a small real-time loop. Compares the exported SRTP keys with what
/// the tool prints for the RFC 5764 exporter.
/// </summary>
public sealed class DtlsOpenSslCliTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly ITestOutputHelper _output;
    private readonly string _dir;

    public DtlsOpenSslCliTests(ITestOutputHelper output)
    {
        _output = output;
        _dir = Directory.CreateTempSubdirectory("dtls-cli-").FullName;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OpenSslClient_AgainstOurServer()
    {
        (string cert, string key) = CreatePair("cli-client");
        using DtlsCertificate peerCert = DtlsCertificate.LoadPem(cert, key);

        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
        using var peer = new UdpPeer(socket, "server");
        peer.Transport.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha256, peerCert.GetFingerprint(FingerprintAlgorithm.Sha256)));
        peer.Transport.Run(DtlsRole.Server, Environment.TickCount64);

        using var tool = new CliProcess(_output, "s_client", "-dtls1_2", "-connect", $"127.0.0.1:{port}",
            "-cert", cert, "-key", key, "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60", "-mtu", "1350");

        peer.RunUntil(() => peer.Transport.State != DtlsState.Connecting, Deadline);
        Assert.Equal(DtlsState.Connected, peer.Transport.State);
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, peer.Suite);
        Assert.Equal(File.ReadAllText(cert), peer.RemotePem);

        // Exporter output: client key, server key, client salt, server salt.
        byte[] material = tool.WaitForKeyingMaterial(peer, Deadline);
        Assert.Equal(Layout(clientKeyAndSalt: peer.RemoteKey!, serverKeyAndSalt: peer.LocalKey!), material);

        Assert.True(peer.Transport.SendApplicationData("hello from worker\n"u8));
        peer.RunUntil(() => tool.Stdout.Contains("hello from worker"), Deadline);

        tool.WriteLine("ping");
        peer.RunUntil(() => peer.Received.Count > 0, Deadline);
        Assert.Equal("ping\n", Encoding.ASCII.GetString(peer.Received[0]));

        // EOF on its stdin makes s_client shut down: close_notify.
        tool.CloseInput();
        peer.RunUntil(() => peer.Transport.State != DtlsState.Connected, Deadline);
        Assert.Equal(DtlsState.Closed, peer.Transport.State);
    }

    [Fact]
    public void OpenSslServer_AgainstOurClient()
    {
        (string cert, string key) = CreatePair("cli-server");
        using DtlsCertificate peerCert = DtlsCertificate.LoadPem(cert, key);

        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;

        using var tool = new CliProcess(_output, "s_server", "-dtls1_2", "-accept", $"{port}", "-4",
            "-cert", cert, "-key", key, "-Verify", "1", "-use_srtp", "SRTP_AEAD_AES_128_GCM",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "56", "-mtu", "1350");
        tool.WaitFor("ACCEPT", Deadline);

        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var peer = new UdpPeer(socket, "client") { Remote = new IPEndPoint(IPAddress.Loopback, port) };
        peer.Transport.SetRemoteFingerprint(new DtlsFingerprint(FingerprintAlgorithm.Sha512, peerCert.GetFingerprint(FingerprintAlgorithm.Sha512)));
        peer.Transport.Run(DtlsRole.Client, Environment.TickCount64);

        peer.RunUntil(() => peer.Transport.State != DtlsState.Connecting, Deadline);
        Assert.Equal(DtlsState.Connected, peer.Transport.State);
        Assert.Equal(SrtpCryptoSuite.AeadAes128Gcm, peer.Suite);

        byte[] material = tool.WaitForKeyingMaterial(peer, Deadline);
        Assert.Equal(Layout(clientKeyAndSalt: peer.LocalKey!, serverKeyAndSalt: peer.RemoteKey!), material);

        Assert.True(peer.Transport.SendApplicationData("hello s_server\n"u8));
        peer.RunUntil(() => tool.Stdout.Contains("hello s_server"), Deadline);
        tool.WriteLine("pong");
        peer.RunUntil(() => peer.Received.Count > 0, Deadline);
        Assert.Equal("pong\n", Encoding.ASCII.GetString(peer.Received[0]));

        peer.Transport.Close();
        tool.WaitFor("DONE", Deadline, orExit: true); // s_server saw our close_notify
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES256-GCM-SHA384", true)]  // "!AESGCM+AES256" in the reference's list
    [InlineData("ECDHE-ECDSA-AES256-SHA384", true)]      // "!SHA384"
    [InlineData("ECDHE-ECDSA-AES128-SHA256", true)]      // "!SHA256"
    [InlineData("ECDHE-ECDSA-AES128-GCM-SHA256", false)]
    [InlineData("ECDHE-ECDSA-AES256-SHA", false)]
    public void OpenSslClient_CipherListIsTheReferences(string cipher, bool refused)
    {
        (string cert, string key) = CreatePair("cipher-client");
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
        using var peer = new UdpPeer(socket, "server");
        peer.Transport.Run(DtlsRole.Server, Environment.TickCount64);

        using var tool = new CliProcess(_output, "s_client", "-dtls1_2", "-connect", $"127.0.0.1:{port}",
            "-cert", cert, "-key", key, "-use_srtp", "SRTP_AES128_CM_SHA1_80", "-cipher", cipher);
        peer.RunUntil(() => peer.Transport.State == DtlsState.Failed || peer.Transport.IsHandshakeDone, Deadline);
        Assert.Equal(refused, peer.Transport.State == DtlsState.Failed);
        if (refused)
            Assert.Contains(peer.Log.Lines, l => l.Contains("no shared cipher"));
    }

    [Fact]
    public void OpenSslClient_WithoutCertificate_IsRefused()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
        using var peer = new UdpPeer(socket, "server");
        peer.Transport.Run(DtlsRole.Server, Environment.TickCount64);

        using var tool = new CliProcess(_output, "s_client", "-dtls1_2", "-connect", $"127.0.0.1:{port}",
            "-use_srtp", "SRTP_AES128_CM_SHA1_80");
        peer.RunUntil(() => peer.Transport.State != DtlsState.Connecting, Deadline);
        Assert.Equal(DtlsState.Failed, peer.Transport.State);
        Assert.Contains(peer.Log.Lines, l => l.Contains("peer did not return a certificate"));
    }

    /// <summary>RFC 5764 §4.2 order from per-side key‖salt.</summary>
    private static byte[] Layout(byte[] clientKeyAndSalt, byte[] serverKeyAndSalt)
    {
        int keyLength = clientKeyAndSalt.Length == 28 ? 16 : clientKeyAndSalt.Length == 44 ? 32 : 16;
        return clientKeyAndSalt[..keyLength]
            .Concat(serverKeyAndSalt[..keyLength])
            .Concat(clientKeyAndSalt[keyLength..])
            .Concat(serverKeyAndSalt[keyLength..])
            .ToArray();
    }

    private (string Cert, string Key) CreatePair(string name)
    {
        string cert = Path.Combine(_dir, name + "-cert.pem");
        string key = Path.Combine(_dir, name + "-key.pem");
        OpenSslCli.Run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "30", "-subj", "/CN=" + name, "-keyout", key, "-out", cert);
        return (cert, key);
    }

    /// <summary>A DtlsTestPeer-like endpoint on a real UDP socket, with a real-time loop.</summary>
    private sealed class UdpPeer : IDtlsTransportListener, IDisposable
    {
        private readonly UdpClient _socket;
        private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
        private readonly DtlsContext _context;

        public UdpPeer(UdpClient socket, string name)
        {
            _socket = socket;
            var logger = new Logging.Logger(Logging.LogLevel.Debug, Logging.LogTags.Dtls);
            logger.SetSink(Log);
            _context = new DtlsContext(_certificate, logger);
            Transport = new DtlsTransport(_context, this);
        }

        public DtlsTransport Transport { get; }
        public ListLogSink Log { get; } = new();
        public IPEndPoint? Remote { get; set; }
        public List<byte[]> Received { get; } = new();
        public SrtpCryptoSuite? Suite { get; private set; }
        public byte[]? LocalKey { get; private set; }
        public byte[]? RemoteKey { get; private set; }
        public string? RemotePem { get; private set; }

        public void RunUntil(Func<bool> done, TimeSpan deadline)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!done())
            {
                if (stopwatch.Elapsed > deadline)
                    throw new TimeoutException("DTLS peer loop timed out; log:\n" + string.Join("\n", Log.Lines.TakeLast(30)));
                if (_socket.Client.Poll(10_000, SelectMode.SelectRead))
                {
                    IPEndPoint? from = null;
                    byte[] datagram = _socket.Receive(ref from);
                    Remote ??= from;
                    if (DtlsTransport.IsDtls(datagram))
                        Transport.ProcessDtlsData(datagram, Environment.TickCount64);
                }
                Transport.OnTimer(Environment.TickCount64);
            }
        }

        public void OnDtlsConnecting(DtlsTransport transport) { }

        public void OnDtlsConnected(DtlsTransport transport, SrtpCryptoSuite srtpCryptoSuite,
            ReadOnlySpan<byte> localKeyAndSalt, ReadOnlySpan<byte> remoteKeyAndSalt, string remoteCertificatePem)
        {
            Suite = srtpCryptoSuite;
            LocalKey = localKeyAndSalt.ToArray();
            RemoteKey = remoteKeyAndSalt.ToArray();
            RemotePem = remoteCertificatePem;
        }

        public void OnDtlsFailed(DtlsTransport transport) { }
        public void OnDtlsClosed(DtlsTransport transport) { }

        public void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram)
        {
            Assert.InRange(datagram.Length, 13, 1350);
            if (Remote is not null)
                _socket.Send(datagram, Remote);
        }

        public void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data) => Received.Add(data.ToArray());

        public void Dispose()
        {
            Transport.Dispose();
            _context.Dispose();
            _certificate.Dispose();
        }
    }

    /// <summary>openssl s_client / s_server with stdout collected in the background.</summary>
    private sealed class CliProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ITestOutputHelper _output;
        private readonly StringBuilder _stdout = new();
        private readonly ConcurrentQueue<string> _stderr = new();

        public CliProcess(ITestOutputHelper output, params string[] args)
        {
            _output = output;
            var start = new ProcessStartInfo("openssl")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in args)
                start.ArgumentList.Add(arg);
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    lock (_stdout)
                        _stdout.Append(e.Data).Append('\n');
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    _stderr.Enqueue(e.Data);
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Stdout
        {
            get
            {
                lock (_stdout)
                    return _stdout.ToString();
            }
        }

        public void WriteLine(string line)
        {
            _process.StandardInput.Write(line + "\n");
            _process.StandardInput.Flush();
        }

        public void CloseInput() => _process.StandardInput.Close();

        public void WaitFor(string text, TimeSpan deadline, bool orExit = false)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!Stdout.Contains(text) && !(orExit && _process.HasExited))
            {
                if (stopwatch.Elapsed > deadline)
                    throw new TimeoutException($"openssl never printed '{text}':\n{Stdout}\n{string.Join("\n", _stderr)}");
                Thread.Sleep(10);
            }
        }

        /// <summary>The tool prints the exporter output once its handshake is done.</summary>
        public byte[] WaitForKeyingMaterial(UdpPeer peer, TimeSpan deadline)
        {
            // Keep our side's loop going meanwhile (the tool may still need our last flight).
            peer.RunUntil(() => Stdout.Contains("Keying material:"), deadline);
            Match match = Regex.Match(Stdout, @"Keying material: ([0-9A-F]+)");
            Assert.True(match.Success, Stdout);
            return Convert.FromHexString(match.Groups[1].Value);
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            _output.WriteLine("openssl stdout:\n" + Stdout);
            _output.WriteLine("openssl stderr:\n" + string.Join("\n", _stderr));
            _process.Dispose();
        }
    }
}
