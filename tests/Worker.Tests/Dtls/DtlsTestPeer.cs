using Xunit;
using System.Diagnostics;
using Mediasoup.Dtls;
using Mediasoup.Logging;
using Mediasoup.Srtp;

namespace Mediasoup.Tests.Dtls;

/// <summary>Collects log lines (level char + text).</summary>
internal sealed class ListLogSink : ILogSink
{
    public List<string> Lines { get; } = new();
    public void WriteLog(char level, ReadOnlySpan<char> text) => Lines.Add(level + new string(text));
}

/// <summary>
/// One DtlsTransport with its own certificate and context, recording everything the
/// transport reports. Outgoing datagrams queue up until a <see cref="DtlsWire"/> moves them.
/// </summary>
internal sealed class DtlsTestPeer : IDtlsTransportListener, IDisposable
{
    private readonly bool _ownsCertificate;

    public DtlsTestPeer(string name, DtlsOptions? options = null, DtlsCertificate? certificate = null)
    {
        Name = name;
        _ownsCertificate = certificate is null;
        Certificate = certificate ?? DtlsCertificate.Generate();
        Logger = new Logger(LogLevel.Debug, LogTags.Dtls);
        Logger.SetSink(Log);
        Context = new DtlsContext(Certificate, Logger, options);
        Transport = new DtlsTransport(Context, this);
    }

    public string Name { get; }
    public DtlsCertificate Certificate { get; }
    public Logger Logger { get; }
    public ListLogSink Log { get; } = new();
    public DtlsContext Context { get; }
    public DtlsTransport Transport { get; }

    public Queue<byte[]> Outbox { get; } = new();
    public List<byte[]> Sent { get; } = new();
    public List<DtlsState> Events { get; } = new();
    public List<byte[]> Received { get; } = new();

    public SrtpCryptoSuite? Suite { get; private set; }
    public byte[]? LocalKey { get; private set; }
    public byte[]? RemoteKey { get; private set; }
    public string? RemotePem { get; private set; }

    /// <summary>Optional hook run inside OnDtlsConnected (re-entrancy tests).</summary>
    public Action<DtlsTestPeer>? OnConnected { get; set; }

    public DtlsFingerprint Fingerprint(FingerprintAlgorithm algorithm = FingerprintAlgorithm.Sha256) =>
        new(algorithm, Certificate.GetFingerprint(algorithm));

    public void OnDtlsConnecting(DtlsTransport transport) => Events.Add(DtlsState.Connecting);

    public void OnDtlsConnected(DtlsTransport transport, SrtpCryptoSuite srtpCryptoSuite,
        ReadOnlySpan<byte> localKeyAndSalt, ReadOnlySpan<byte> remoteKeyAndSalt, string remoteCertificatePem)
    {
        Assert.Equal(DtlsState.Connected, transport.State);
        Events.Add(DtlsState.Connected);
        Suite = srtpCryptoSuite;
        LocalKey = localKeyAndSalt.ToArray();
        RemoteKey = remoteKeyAndSalt.ToArray();
        RemotePem = remoteCertificatePem;
        OnConnected?.Invoke(this);
    }

    public void OnDtlsFailed(DtlsTransport transport) => Events.Add(DtlsState.Failed);

    public void OnDtlsClosed(DtlsTransport transport) => Events.Add(DtlsState.Closed);

    public void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram)
    {
        byte[] copy = datagram.ToArray();
        Outbox.Enqueue(copy);
        Sent.Add(copy);
    }

    public void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data) => Received.Add(data.ToArray());

    public void Dispose()
    {
        Transport.Dispose();
        Context.Dispose();
        if (_ownsCertificate)
            Certificate.Dispose();
    }
}

/// <summary>Moves datagrams between two peers, with a fake clock and an optional drop filter.</summary>
internal sealed class DtlsWire
{
    public DtlsWire(DtlsTestPeer a, DtlsTestPeer b)
    {
        A = a;
        B = b;
    }

    public DtlsTestPeer A { get; }
    public DtlsTestPeer B { get; }
    public long Now { get; set; } = 1_000_000;

    /// <summary>Return true to drop (from, datagram).</summary>
    public Func<DtlsTestPeer, byte[], bool>? Drop { get; set; }

    public int Delivered { get; private set; }
    public int Dropped { get; private set; }

    /// <summary>Delivers until both outboxes are empty.</summary>
    public void Pump(int maxDatagrams = 1000)
    {
        for (int i = 0; i < maxDatagrams; i++)
        {
            if (!MoveOne(A, B) && !MoveOne(B, A))
                return;
        }
        throw new InvalidOperationException("the peers never went quiet");
    }

    private bool MoveOne(DtlsTestPeer from, DtlsTestPeer to)
    {
        if (!from.Outbox.TryDequeue(out byte[]? datagram))
            return false;
        if (Drop?.Invoke(from, datagram) == true)
        {
            Dropped++;
            return true;
        }
        Delivered++;
        to.Transport.ProcessDtlsData(datagram, Now);
        return true;
    }

    /// <summary>Advances the fake clock to the earlier timer and fires it. False if none is armed.</summary>
    public bool FireNextTimer()
    {
        long? a = A.Transport.NextTimeoutMs;
        long? b = B.Transport.NextTimeoutMs;
        if (a is null && b is null)
            return false;
        long due = Math.Min(a ?? long.MaxValue, b ?? long.MaxValue);
        AdvanceTo(due);
        A.Transport.OnTimer(Now);
        B.Transport.OnTimer(Now);
        return true;
    }

    /// <summary>
    /// Moves the fake clock forward. OpenSSL's DTLS timer runs on the real clock, so the
    /// same span of real time is also waited out (tests use short timers).
    /// </summary>
    public void AdvanceTo(long due)
    {
        if (due <= Now)
            return;
        Thread.Sleep(TimeSpan.FromMilliseconds(due - Now + 1));
        Now = due;
    }

    /// <summary>Handshake with the usual order: server runs, client runs, fingerprints known up front.</summary>
    public void Connect(DtlsTestPeer client, DtlsTestPeer server)
    {
        client.Transport.SetRemoteFingerprint(server.Fingerprint());
        server.Transport.SetRemoteFingerprint(client.Fingerprint());
        server.Transport.Run(DtlsRole.Server, Now);
        client.Transport.Run(DtlsRole.Client, Now);
        Pump();
    }
}

/// <summary>Runs the openssl command-line tool and returns its stdout.</summary>
internal static class OpenSslCli
{
    public static string Run(params string[] args)
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
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
