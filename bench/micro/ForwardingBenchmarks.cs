using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Mediasoup.Codecs;
using Mediasoup.Consumers;
using Mediasoup.Rtp;

namespace Mediasoup.Bench;

/// <summary>The per-consumer forwarding decision for layered video: VP8 L1T3 with the top
/// temporal layer dropped (SVC consumer) and a simulcast consumer forwarding its encoding,
/// both renumbering sequence numbers and picture ids; plus the producer's once-per-packet
/// layer read. Each call advances one packet (sequence, picture id, temporal pattern).</summary>
[MemoryDiagnoser]
public unsafe class ForwardingBenchmarks
{
    private sealed class Host : IForwarderHost
    {
        public void RequestKeyFrame(int encoding) { }
        public void OnLayersChanged() { }
        public long LayerBitrate(int encoding, int spatial, int temporal) => 0;
        public bool TryGetSenderClock(int encoding, out long ntpUs, out uint rtpTimestamp)
        {
            ntpUs = 0;
            rtpTimestamp = 0;
            return false;
        }
    }

    private byte* _buf;
    private readonly RtpPacket _packet = new();
    private SvcForwarder _svc = null!;
    private SimulcastForwarder _simulcast = null!;
    private ushort _seq = 1, _pid = 1;
    private byte _tl0;
    private uint _ts;
    private int _i;
    private static readonly int[] Pattern = { 0, 2, 1, 2 };

    [GlobalSetup]
    public void Setup()
    {
        _buf = (byte*)NativeMemory.AlignedAlloc(Packets.Capacity, 64);
        var host = new Host();
        _svc = new SvcForwarder(host, CodecKind.Vp8, 1, 3, new VideoLayers(0, 1), 1000);
        _simulcast = new SimulcastForwarder(host, CodecKind.Vp8, 3, 3, new VideoLayers(2, 2), 90000, 1000);
        _simulcast.OnProducerScore(2, 10);
        Next(key: true);
        _svc.OnPacket(_packet, Read(), 0, 0, out _);
        _simulcast.OnPacket(_packet, Read(), 2, 0, out _);
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_buf);

    // A 1200-byte VP8 packet of the next frame: descriptor with 15-bit picture id, TL0PICIDX, TID/Y.
    private void Next(bool key = false)
    {
        var span = new Span<byte>(_buf, Packets.Capacity);
        int tid = Pattern[_i++ & 3];
        if (tid == 0)
            _tl0++;
        span[0] = 0x80; span[1] = 96;
        span[2] = (byte)(_seq >> 8); span[3] = (byte)_seq;
        span[4] = (byte)(_ts >> 24); span[5] = (byte)(_ts >> 16); span[6] = (byte)(_ts >> 8); span[7] = (byte)_ts;
        span[8] = 0x0B; span[9] = 0x0B; span[10] = 0x0B; span[11] = 0x0B;
        span[12] = 0x90; span[13] = 0xE0; span[14] = (byte)(0x80 | (_pid >> 8)); span[15] = (byte)_pid;
        span[16] = _tl0; span[17] = (byte)((tid << 6) | 0x20); span[18] = (byte)(key ? 0 : 1);
        _packet.TryParse(_buf, 1200, Packets.Capacity);
        _seq++;
        _pid = (ushort)((_pid + 1) & 0x7FFF);
        _ts += 3000;
    }

    private LayerInfo Read() => LayerInfo.TryRead(CodecKind.Vp8, _packet.Payload, _packet.Marker, default, null, out LayerInfo l) ? l : LayerInfo.None;

    [Benchmark]
    public bool ReadLayers()
    {
        Next();
        return LayerInfo.TryRead(CodecKind.Vp8, _packet.Payload, _packet.Marker, default, null, out _);
    }

    [Benchmark]
    public bool SvcTemporalDrop()
    {
        Next();
        return _svc.OnPacket(_packet, Read(), 0, 0, out _);
    }

    [Benchmark]
    public bool SimulcastForward()
    {
        Next();
        return _simulcast.OnPacket(_packet, Read(), 2, 0, out _);
    }
}
