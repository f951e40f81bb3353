using System.Buffers.Binary;
using Mediasoup.Dtls;
using Mediasoup.Ice;
using Mediasoup.Rtcp;
using Mediasoup.Rtp;
using Mediasoup.Srtp;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// The RFC 7983 demultiplexing of a WebRTC transport (STUN / DTLS / RTP / RTCP by first byte)
/// and what the DTLS branch does with records: the input is a sequence of datagrams
/// (2-byte length each) fed to a DtlsTransport in the server role (OpenSSL's record layer
/// and handshake parser through our memory BIOs). Invariant: the classes are disjoint.
/// </summary>
internal sealed class DtlsDemuxTarget : IFuzzTarget, IDtlsTransportListener
{
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private readonly DtlsContext _context;

    public DtlsDemuxTarget() => _context = new DtlsContext(_certificate, new Logging.Logger());

    public string Name => "dtls-demux";

    public void Run(ReadOnlySpan<byte> input)
    {
        // A fresh transport and clock per input: nothing carried over from the previous one.
        long nowMs = 0;
        using var dtls = new DtlsTransport(_context, this);
        dtls.Run(DtlsRole.Server, nowMs);
        while (input.Length >= 2)
        {
            int length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(input), input.Length - 2);
            ReadOnlySpan<byte> datagram = input.Slice(2, length);
            input = input[(2 + length)..];

            bool stun = StunMessage.IsStun(datagram);
            bool isDtls = DtlsTransport.IsDtls(datagram);
            bool rtcp = RtcpHeader.IsRtcp(datagram);
            bool rtp = RtpPacket.IsRtp(datagram);
            if ((stun ? 1 : 0) + (isDtls ? 1 : 0) + (rtcp || rtp ? 1 : 0) > 1)
                throw new FuzzInvariantException($"datagram classified twice: stun {stun}, dtls {isDtls}, rtp {rtp}, rtcp {rtcp}");
            nowMs += 5;
            if (isDtls)
                dtls.ProcessDtlsData(datagram, nowMs);
            dtls.OnTimer(nowMs);
        }
    }

    public IEnumerable<byte[]> Seeds()
    {
        // A real ClientHello flight from a DTLS client of our own (the worker's DTLS code in the
        // client role), then the client's answer to the server's flight.
        using var clientCertificate = DtlsCertificate.Generate();
        using var clientContext = new DtlsContext(clientCertificate, new Logging.Logger());
        var clientOut = new Queue<byte[]>();
        var serverOut = new Queue<byte[]>();
        var clientListener = new Capture(clientOut);
        var serverListener = new Capture(serverOut);
        using var client = new DtlsTransport(clientContext, clientListener);
        using var server = new DtlsTransport(_context, serverListener);
        server.Run(DtlsRole.Server, 0);
        client.Run(DtlsRole.Client, 0);
        var flights = new List<byte[]>();
        for (int round = 0; round < 6 && (clientOut.Count > 0 || serverOut.Count > 0); round++)
        {
            var flight = new List<byte>();
            while (clientOut.TryDequeue(out byte[]? d))
            {
                flight.Add((byte)(d.Length >> 8));
                flight.Add((byte)d.Length);
                flight.AddRange(d);
                server.ProcessDtlsData(d, 0);
            }
            if (flight.Count > 0)
                flights.Add([.. flights.LastOrDefault() ?? [], .. flight]);
            while (serverOut.TryDequeue(out byte[]? d))
                client.ProcessDtlsData(d, 0);
        }
        foreach (byte[] f in flights)
            yield return f;
        // STUN, RTP and RTCP datagrams interleaved (the other demux branches).
        yield return [0, 20, 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            0, 12, 0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
            0, 8, 0x81, 0xc9, 0, 1, 0, 0, 0, 1];
    }

    private sealed class Capture(Queue<byte[]> outbox) : IDtlsTransportListener
    {
        public void OnDtlsConnecting(DtlsTransport transport) { }
        public void OnDtlsConnected(DtlsTransport transport, SrtpCryptoSuite srtpCryptoSuite, ReadOnlySpan<byte> localKeyAndSalt, ReadOnlySpan<byte> remoteKeyAndSalt, string remoteCertificatePem) { }
        public void OnDtlsFailed(DtlsTransport transport) { }
        public void OnDtlsClosed(DtlsTransport transport) { }
        public void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram) => outbox.Enqueue(datagram.ToArray());
        public void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data) { }
    }

    public void OnDtlsConnecting(DtlsTransport transport) { }
    public void OnDtlsConnected(DtlsTransport transport, SrtpCryptoSuite srtpCryptoSuite, ReadOnlySpan<byte> localKeyAndSalt, ReadOnlySpan<byte> remoteKeyAndSalt, string remoteCertificatePem) { }
    public void OnDtlsFailed(DtlsTransport transport) { }
    public void OnDtlsClosed(DtlsTransport transport) { }
    public void OnDtlsSendData(DtlsTransport transport, ReadOnlySpan<byte> datagram) { }
    public void OnDtlsApplicationData(DtlsTransport transport, ReadOnlySpan<byte> data) { }
}
