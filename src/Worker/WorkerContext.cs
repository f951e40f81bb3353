using System;
using Mediasoup.Channel;
using Mediasoup.Dtls;
using Mediasoup.Logging;
using Mediasoup.Loop;
using Mediasoup.Net;
using Mediasoup.Settings;

namespace Mediasoup.Worker;

/// <summary>
/// Everything one worker's objects share: its loop, channel, logger, handler registry,
/// settings, certificate, ports and randomness. Passed down explicitly; nothing of a
/// worker lives in statics, so several workers can run in one process. Disposing it frees
/// what the worker's objects shared (socket buffers, OpenSSL contexts): a process that runs
/// workers one after another (library mode) must get that memory back.
/// </summary>
internal sealed class WorkerContext : IDisposable
{
    public WorkerContext(EventLoop loop, Channel.Channel channel, Logger logger, WorkerSettings settings,
        DtlsCertificate? certificate, Random random, bool uringSendRequests = false)
    {
        Loop = loop;
        Channel = channel;
        Logger = logger;
        Settings = settings;
        _certificate = certificate;
        _ownsCertificate = certificate == null;
        Random = random;
        Ports = new PortManager(n => Random.Next(n));
        Net = new NetIo(loop, uringSendRequests);
    }

    /// <summary>Packet views reused for every packet: the worker handles one at a time.</summary>
    public sealed class MediaScratch
    {
        public readonly Rtp.RtpPacket RxPacket = new();
        public readonly Rtp.RtpPacket TxPacket = new();
        public readonly Rtp.RtpPacket RetransmitPacket = new();

        // The stored copy of the packet being fanned out (made by the first consumer that
        // keeps it); reset by the transport before and after each fan-out.
        private unsafe byte* _currentStore;
        private Rtp.RtpPacket? _currentStorePacket;

        /// <summary>The shared stored copy of packet, with one more reference for the caller.</summary>
        public unsafe byte* SharedStoreFor(Rtp.RtpPacket packet, Net.PacketBufferPool pool)
        {
            if (_currentStore != null && _currentStorePacket == packet)
            {
                Consumers.SharedPacketStore.AddRef(_currentStore);
                return _currentStore;
            }
            byte* created = Consumers.SharedPacketStore.Create(packet, pool);
            if (created == null)
                return null;
            // The slot keeps a reference of its own until the fan-out ends.
            Consumers.SharedPacketStore.AddRef(created);
            ReleaseCurrent(pool);
            _currentStore = created;
            _currentStorePacket = packet;
            return created;
        }

        public unsafe void ReleaseCurrent(Net.PacketBufferPool pool)
        {
            if (_currentStore != null)
                Consumers.SharedPacketStore.Release(_currentStore, pool);
            _currentStore = null;
            _currentStorePacket = null;
        }
    }

    public MediaScratch Media { get; } = new();

    private Dtls.DtlsContext? _dtls;

    /// <summary>The worker's DTLS context (SSL_CTX), made on first use: start-up stays fast.</summary>
    public Dtls.DtlsContext Dtls => _dtls ??= new Dtls.DtlsContext(Certificate, Logger);


    private Crypto.HmacSha1? _stunHmac;

    /// <summary>HMAC-SHA1 for STUN message integrity, shared by the worker's ICE servers; made on
    /// first use so workers without WebRTC transports do not pay for it at start.</summary>
    public Crypto.HmacSha1 StunHmac => _stunHmac ??= new Crypto.HmacSha1();


    /// <summary>Wall clock (NTP epoch) minus the loop's monotonic clock, in µs: fixed at start so
    /// NTP timestamps in RTCP advance with the loop time.</summary>
    public long NtpOffsetUs { get; } = Rtcp.Ntp.MonotonicToNtpOffsetUs(
        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, Mediasoup.Loop.MonotonicClock.NowUs());

    public EventLoop Loop { get; }
    public Channel.Channel Channel { get; }
    public Logger Logger { get; }
    public WorkerSettings Settings { get; }
    private DtlsCertificate? _certificate;
    private readonly bool _ownsCertificate;

    /// <summary>The worker's DTLS certificate: loaded at start when PEM files were given, else
    /// generated on first use (OpenSSL then stays unloaded in workers without WebRTC transports).</summary>
    public DtlsCertificate Certificate => _certificate ??= DtlsCertificate.Generate();

    public Random Random { get; }

    /// <summary>Which SRTP implementation this worker's transports use (MEDIASOUP_WORKER_SRTP).</summary>
    public Srtp.SrtpEngineKind SrtpEngine { get; init; }
    public HandlerRegistry Registry { get; } = new();
    public PortManager Ports { get; }
    public NetIo Net { get; }

    /// <summary>After the loop has ended. A certificate the caller passed in stays the caller's.</summary>
    public void Dispose()
    {
        Net.Dispose();
        _stunHmac?.Dispose();
        _dtls?.Dispose();
        if (_ownsCertificate)
            _certificate?.Dispose();
    }
}
