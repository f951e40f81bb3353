using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Mediasoup.Rtcp;
using Mediasoup.Rtp;
using Mediasoup.Srtp;
using Mediasoup.Transports;

namespace Mediasoup.Bench;

/// <summary>Test packets shaped like what a browser sends: 1200 bytes of VP8 with a one-byte
/// header extension block (abs-send-time, transport-wide-cc, MID, video-orientation, toffset).</summary>
internal static unsafe class Packets
{
    public const int Size = 1200;
    public const int Capacity = 1500;

    // Browser-style ids (ingress), as a Producer would have negotiated them.
    public const byte AbsSendTimeId = 2, TwccId = 3, MidId = 4, VideoOrientationId = 13, TimeOffsetId = 14;

    public static byte* Alloc() => (byte*)NativeMemory.AlignedAlloc(Capacity, 64);

    /// <summary>Writes an ingress packet into <paramref name="buf"/>; returns its length.</summary>
    public static int WriteIngress(byte* buf, ushort seq)
    {
        var span = new Span<byte>(buf, Capacity);
        span.Clear();
        span[0] = 0x90; // V=2, X=1
        span[1] = 96;
        span[2] = (byte)(seq >> 8); span[3] = (byte)seq;
        span[4] = 0x12; span[5] = 0x34; span[6] = 0x56; span[7] = 0x78;
        span[8] = 0x0B; span[9] = 0x0B; span[10] = 0x0B; span[11] = 0x0B;
        // RFC 8285 one-byte block: 0xBEDE, length in words, then elements.
        ReadOnlySpan<byte> elements =
        [
            (byte)(AbsSendTimeId << 4 | 2), 0x01, 0x02, 0x03,
            (byte)(TwccId << 4 | 1), 0x00, 0x2a,
            (byte)(MidId << 4 | 0), (byte)'0',
            (byte)(VideoOrientationId << 4 | 0), 0x00,
            (byte)(TimeOffsetId << 4 | 2), 0x00, 0x00, 0x10,
        ];
        int words = (elements.Length + 3) / 4;
        span[12] = 0xBE; span[13] = 0xDE; span[14] = 0; span[15] = (byte)words;
        elements.CopyTo(span.Slice(16));
        int payload = 16 + words * 4;
        span[payload] = 0x10; // VP8 descriptor, S=1
        for (int i = payload + 1; i < Size; i++)
            span[i] = (byte)(i * 7);
        return Size;
    }
}

/// <summary>RTP in the worker's hot path: parse, the producer's extension rewrite, and the
/// per-consumer copy + rewrite.</summary>
[MemoryDiagnoser]
public unsafe class RtpBenchmarks
{
    private byte* _ingress, _work, _mangled, _egress;
    private int _ingressLength;
    private readonly RtpPacket _packet = new();
    private readonly RtpPacket _source = new();
    private readonly RtpPacket _out = new();
    private readonly string _consumerId = "bench-consumer";
    private readonly byte[] _mid = "1"u8.ToArray();
    private ushort _seq;

    [GlobalSetup]
    public void Setup()
    {
        _ingress = Packets.Alloc();
        _work = Packets.Alloc();
        _mangled = Packets.Alloc();
        _egress = Packets.Alloc();
        _ingressLength = Packets.WriteIngress(_ingress, 1000);
        // The consumer's source: the ingress packet after the producer's rewrite.
        Buffer.MemoryCopy(_ingress, _mangled, Packets.Capacity, _ingressLength);
        if (!_source.TryParse(_mangled, _ingressLength, Packets.Capacity))
            throw new InvalidOperationException("test packet does not parse");
        _source.ExtensionIds = IngressIds;
        if (!ProducerRewrite(_source))
            throw new InvalidOperationException("producer rewrite failed");
        if (!ConsumerRewrite())
            throw new InvalidOperationException("consumer rewrite failed");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_ingress);
        NativeMemory.AlignedFree(_work);
        NativeMemory.AlignedFree(_mangled);
        NativeMemory.AlignedFree(_egress);
    }

    private static HeaderExtensionIds IngressIds => new()
    {
        AbsSendTime = Packets.AbsSendTimeId, TransportWideCc01 = Packets.TwccId, Mid = Packets.MidId,
        VideoOrientation = Packets.VideoOrientationId, TimeOffset = Packets.TimeOffsetId,
    };

    /// <summary>RtpPacket.TryParse of a 1200-byte packet with 5 one-byte extensions.</summary>
    [Benchmark]
    public bool Parse() => _packet.TryParse(_ingress, _ingressLength, Packets.Capacity);

    /// <summary>The producer's extension rewrite (ExtensionListBuilder + SetExtensions: 8-byte
    /// MID slot, copies under the router's ids, payload moved), on a fresh copy of the ingress
    /// packet each time: includes a 1200-byte copy and a parse (see Parse).</summary>
    [Benchmark]
    public bool ProducerSetExtensions()
    {
        Buffer.MemoryCopy(_ingress, _work, Packets.Capacity, _ingressLength);
        if (!_packet.TryParse(_work, _ingressLength, Packets.Capacity))
            return false;
        _packet.ExtensionIds = IngressIds;
        return ProducerRewrite(_packet);
    }

    // Mirrors Producer.RewriteExtensions (video).
    private static bool ProducerRewrite(RtpPacket packet)
    {
        Span<ExtensionSpec> specs = stackalloc ExtensionSpec[12];
        Span<byte> values = stackalloc byte[128];
        var builder = new ExtensionListBuilder(specs, values);
        HeaderExtensionIds from = packet.ExtensionIds;
        HeaderExtensionIds to = HeaderExtensionIds.Internal;
        builder.Reserve(to.Mid, HeaderExtensionIds.MidMaxLength);
        Copy(packet, ref builder, from.AbsSendTime, to.AbsSendTime);
        Copy(packet, ref builder, from.TransportWideCc01, to.TransportWideCc01);
        Copy(packet, ref builder, from.DependencyDescriptor, to.DependencyDescriptor);
        Copy(packet, ref builder, from.VideoOrientation, to.VideoOrientation);
        Copy(packet, ref builder, from.TimeOffset, to.TimeOffset);
        Copy(packet, ref builder, from.AbsCaptureTime, to.AbsCaptureTime);
        Copy(packet, ref builder, from.PlayoutDelay, to.PlayoutDelay);
        if (!builder.Apply(packet))
            return false;
        packet.ExtensionIds = to;
        return true;
    }

    private static void Copy(RtpPacket packet, ref ExtensionListBuilder builder, byte fromId, byte toId)
    {
        if (fromId != 0 && packet.TryGetExtension(fromId, out Span<byte> value))
            builder.Add(toId, value);
    }

    /// <summary>One consumer's share of forwarding a packet: copy into its send buffer, then
    /// SSRC, sequence number, timestamp, payload type and MID (RtpRewrite.ApplyTo).</summary>
    [Benchmark]
    public bool ConsumerRewrite()
    {
        if (!_source.CopyTo(_egress, Packets.Capacity, _out))
            return false;
        var rewrite = new RtpRewrite(_consumerId, 0x22334455, _seq++, _source.Timestamp + 90, 101, _mid);
        rewrite.ApplyTo(_out);
        return _out.SequenceNumber != 0xFFFF || true;
    }
}

/// <summary>Parsing a receiver's RTCP compound: RR (1 block) + SDES CNAME + NACK + PLI.</summary>
[MemoryDiagnoser]
public class RtcpBenchmarks
{
    private byte[] _compound = [];

    [GlobalSetup]
    public void Setup()
    {
        var buffer = new byte[1500];
        var b = new CompoundBuilder(buffer);
        b.AddReceiverReport(0x55667788, [new ReportBlock(0x0B0B0B0B, 3, 17, 0x1_2345, 40, 0x1234_5678, 0x100)]);
        b.AddSdesCname(0x55667788, "abcdefghijklmnop"u8);
        b.AddNack(0x55667788, 0x0B0B0B0B, [new NackItem(1000, 0x0005), new NackItem(1020, 0)]);
        b.AddPli(0x55667788, 0x0B0B0B0B);
        _compound = b.Written.ToArray();
        if (Parse() != 4)
            throw new InvalidOperationException($"compound parsed as {Parse()} packets");
    }

    /// <summary>RtcpCompoundReader over the whole compound, each packet read as its type.</summary>
    [Benchmark]
    public int Parse()
    {
        var reader = new RtcpCompoundReader(_compound);
        if (reader.Error != RtcpError.None)
            return -1;
        int seen = 0;
        uint sum = 0;
        foreach (RtcpPacket p in reader)
        {
            switch (p.Type)
            {
                case RtcpPacketType.RR:
                    if (ReceiverReport.TryRead(p, out ReceiverReport rr) && rr.ReportCount > 0)
                        sum += rr.GetReportBlock(0).Ssrc;
                    break;
                case RtcpPacketType.SDES:
                    if (Sdes.TryRead(p, out Sdes sdes))
                        sum += (uint)sdes.ChunkCount;
                    break;
                case RtcpPacketType.RTPFB:
                    if (GenericNack.TryRead(p, out GenericNack nack))
                        sum += nack.MediaSsrc;
                    break;
                case RtcpPacketType.PSFB:
                    if (Pli.TryRead(p, out Pli pli))
                        sum += pli.MediaSsrc;
                    break;
            }
            seen++;
        }
        return sum == 0 ? -seen : seen;
    }
}

/// <summary>libsrtp through SrtpSession, per suite, on 1200-byte RTP packets. Each operation
/// includes copying the 1200-byte input into the work buffer (protect and unprotect work in
/// place).</summary>
[MemoryDiagnoser]
public unsafe class SrtpBenchmarks
{
    private const int Ring = 256;

    /// <summary>Public mirror of the internal SrtpCryptoSuite (same values): AEAD_AES_256_GCM,
    /// AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32.</summary>
    public enum SuiteName : byte
    {
        Gcm256 = SrtpCryptoSuite.AeadAes256Gcm,
        Gcm128 = SrtpCryptoSuite.AeadAes128Gcm,
        Sha1_80 = SrtpCryptoSuite.AesCm128HmacSha1_80,
        Sha1_32 = SrtpCryptoSuite.AesCm128HmacSha1_32,
    }

    [ParamsAllValues]
    public SuiteName Suite { get; set; }

    /// <summary>Our OpenSSL transforms (the worker's default) and libsrtp2 as Debian ships it.</summary>
    public enum EngineName
    {
        OpenSsl = SrtpEngineKind.OpenSsl,
        LibSrtp = SrtpEngineKind.LibSrtp,
    }

    [ParamsAllValues]
    public EngineName Engine { get; set; }

    private SrtpSession _tx = null!, _rx = null!;
    private byte* _plain, _work, _ring;
    private int[] _ringLength = new int[Ring];
    private int _next;
    private ushort _seq;

    [GlobalSetup]
    public void Setup()
    {
        var suite = (SrtpCryptoSuite)Suite;
        byte[] key = SrtpKeys.Generate(suite);
        _tx = new SrtpSession(SrtpDirection.Outbound, suite, key, (SrtpEngineKind)Engine);
        _rx = new SrtpSession(SrtpDirection.Inbound, suite, key, (SrtpEngineKind)Engine);
        _plain = Packets.Alloc();
        _work = Packets.Alloc();
        Packets.WriteIngress(_plain, 0);
        // Unprotect needs fresh indexes (replay protection): a ring of protected packets,
        // replayed after the receiver forgets the stream (one srtp_remove_stream per Ring).
        var sender = new SrtpSession(SrtpDirection.Outbound, suite, key, (SrtpEngineKind)Engine);
        _ring = (byte*)NativeMemory.AlignedAlloc((nuint)(Ring * Packets.Capacity), 64);
        for (int i = 0; i < Ring; i++)
        {
            byte* p = _ring + i * Packets.Capacity;
            Packets.WriteIngress(p, (ushort)(i + 1));
            int len = Packets.Size;
            if (!sender.ProtectRtp(p, ref len, Packets.Capacity))
                throw new InvalidOperationException($"protect failed: {sender.LastError}");
            _ringLength[i] = len;
        }
        sender.Dispose();
        if (!Protect() || !Unprotect())
            throw new InvalidOperationException($"SRTP round trip failed: {_tx.LastError} {_rx.LastError}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tx.Dispose();
        _rx.Dispose();
        NativeMemory.AlignedFree(_plain);
        NativeMemory.AlignedFree(_work);
        NativeMemory.AlignedFree(_ring);
    }

    [Benchmark]
    public bool Protect()
    {
        Buffer.MemoryCopy(_plain, _work, Packets.Capacity, Packets.Size);
        ushort seq = _seq++;
        _work[2] = (byte)(seq >> 8);
        _work[3] = (byte)seq;
        int len = Packets.Size;
        return _tx.ProtectRtp(_work, ref len, Packets.Capacity);
    }

    [Benchmark]
    public bool Unprotect()
    {
        int i = _next++;
        if (_next == Ring)
        {
            _next = 0;
            _rx.RemoveStream(0x0B0B0B0B);
        }
        int len = _ringLength[i];
        Buffer.MemoryCopy(_ring + i * Packets.Capacity, _work, Packets.Capacity, len);
        return _rx.UnprotectRtp(_work, ref len);
    }
}
