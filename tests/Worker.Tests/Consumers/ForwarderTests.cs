using System;
using System.Collections.Generic;
using System.Linq;
using Mediasoup.Codecs;
using Mediasoup.Consumers;
using Mediasoup.Rtp;
using Xunit;

namespace Mediasoup.Tests.Consumers;

/// <summary>The per-type forwarders, fed synthetic VP8/VP9/Opus packets: what goes out and how it is numbered.</summary>
public sealed class ForwarderTests
{
    private sealed class Host : IForwarderHost
    {
        public readonly List<int> KeyFrameRequests = new();
        public int LayerChanges;
        public void RequestKeyFrame(int encoding) => KeyFrameRequests.Add(encoding);
        public void OnLayersChanged() => LayerChanges++;
        public readonly Dictionary<int, (long NtpUs, uint Rtp)> Clocks = new();
        public bool TryGetSenderClock(int encoding, out long ntpUs, out uint rtpTimestamp)
        {
            bool ok = Clocks.TryGetValue(encoding, out var c);
            (ntpUs, rtpTimestamp) = c;
            return ok;
        }
        public readonly Dictionary<(int Encoding, int Spatial, int Temporal), long> Rates = new();
        public long LayerBitrate(int encoding, int spatial, int temporal) =>
            Rates.TryGetValue((encoding, spatial, temporal), out long r) ? r : 0;
    }

    private readonly record struct Sent(ushort Seq, uint Timestamp, ushort PictureId, byte Tl0, bool Marker, int Tid, int Sid);

    // Keeps every packet's bytes alive (pinned) for the RtpPacket views.
    private readonly List<byte[]> _buffers = new();

    private RtpPacket Packet(ushort seq, uint ts, uint ssrc, ReadOnlySpan<byte> payload, bool marker = true, byte pt = 96)
    {
        byte[] b = GC.AllocateArray<byte>(12 + payload.Length + 64, pinned: true);
        b[0] = 0x80;
        b[1] = (byte)((marker ? 0x80 : 0) | pt);
        b[2] = (byte)(seq >> 8); b[3] = (byte)seq;
        b[4] = (byte)(ts >> 24); b[5] = (byte)(ts >> 16); b[6] = (byte)(ts >> 8); b[7] = (byte)ts;
        b[8] = (byte)(ssrc >> 24); b[9] = (byte)(ssrc >> 16); b[10] = (byte)(ssrc >> 8); b[11] = (byte)ssrc;
        payload.CopyTo(b.AsSpan(12));
        _buffers.Add(b);
        var p = new RtpPacket();
        Assert.True(p.TryParse(b.AsSpan(), 12 + payload.Length));
        return p;
    }

    // RFC 7741 §4.2 descriptor with a 15-bit picture id, TL0PICIDX and TID/Y, then a VP8 payload
    // header whose P bit says key (0) or delta (1).
    private static byte[] Vp8(ushort pictureId, byte tl0, int tid, bool layerSync, bool key, bool start = true)
    {
        return new byte[]
        {
            (byte)(0x80 | (start ? 0x10 : 0)), 0xE0, (byte)(0x80 | (pictureId >> 8)), (byte)pictureId, tl0,
            (byte)((tid << 6) | (layerSync ? 0x20 : 0)), (byte)(key ? 0x00 : 0x01), 0x00, 0x00, 0x9d, 0x01, 0x2a,
        };
    }

    private static bool Feed(IRtpForwarder f, RtpPacket p, int encoding, long nowUs, out ForwardedPacket fwd) =>
        f.OnPacket(p, Layers(p), encoding, nowUs, out fwd);

    private static LayerInfo Layers(RtpPacket p)
    {
        // Payload type 100 carries Opus, 98 VP9, everything else VP8 in these tests.
        CodecKind kind = p.PayloadType switch { 100 => CodecKind.Opus, 98 => CodecKind.Vp9, _ => CodecKind.Vp8 };
        return kind != CodecKind.Opus && LayerInfo.TryRead(kind, p.Payload, p.Marker, default, null, out LayerInfo l) ? l : LayerInfo.None;
    }

    private static Sent Read(RtpPacket original, in ForwardedPacket f)
    {
        // Apply the rewrite to a copy, as the transport does.
        byte[] copy = GC.AllocateArray<byte>(original.Length + 64, pinned: true);
        var tx = new RtpPacket();
        Assert.True(original.CopyTo(copy, tx));
        f.Payload.ApplyTo(tx);
        Assert.True(Vp8PayloadDescriptor.TryParse(tx.Payload, out Vp8PayloadDescriptor d));
        return new Sent(f.SequenceNumber, f.Timestamp, d.PictureId, d.Tl0PicIdx, tx.Marker, d.TemporalLayer, 0);
    }

    // L1T3 pattern 0,2,1,2 (Y on the first 1 and 2 after each 0), one packet per frame.
    private List<Sent> FeedL1T3(IRtpForwarder f, int frames, ref ushort seq, ref ushort pid, ref byte tl0, ref uint ts, bool firstKey,
        int skipSeqAt = -1)
    {
        var sent = new List<Sent>();
        int[] pattern = { 0, 2, 1, 2 };
        for (int i = 0; i < frames; i++)
        {
            int tid = pattern[i % 4];
            if (tid == 0 && i > 0)
                tl0++;
            bool key = firstKey && i == 0;
            RtpPacket p = Packet(seq, ts, 1111, Vp8(pid, tl0, tid, layerSync: tid != 0 && i % 4 != 3, key));
            if (i != skipSeqAt && f.OnPacket(p, Layers(p), 0, i * 33_000L, out ForwardedPacket fwd))
                sent.Add(Read(p, fwd));
            seq++;
            pid = (ushort)((pid + 1) & 0x7FFF);
            ts += 3000;
        }
        return sent;
    }

    private static void AssertContinuous(List<Sent> sent)
    {
        for (int i = 1; i < sent.Count; i++)
        {
            Assert.Equal((ushort)(sent[i - 1].Seq + 1), sent[i].Seq);
            Assert.Equal((sent[i - 1].PictureId + 1) & 0x7FFF, sent[i].PictureId);
        }
    }

    [Fact]
    public void Svc_Vp8_TemporalCap_DropsUpperLayers_WithoutGaps()
    {
        var host = new Host();
        var f = new SvcForwarder(host, CodecKind.Vp8, 1, 3, new VideoLayers(0, 0), 5000);
        ushort seq = 65530, pid = 32760; // both wrap during the run
        byte tl0 = 250;
        uint ts = 1000;
        List<Sent> sent = FeedL1T3(f, 40, ref seq, ref pid, ref tl0, ref ts, firstKey: true);
        Assert.Equal(10, sent.Count); // one frame in four is layer 0
        Assert.All(sent, s => Assert.Equal(0, s.Tid));
        AssertContinuous(sent);
        for (int i = 1; i < sent.Count; i++)
            Assert.Equal((byte)(sent[i - 1].Tl0 + 1), sent[i].Tl0);
        Assert.Equal(new VideoLayers(0, 0), f.CurrentLayers);
        Assert.Equal((ushort)5001, sent[0].Seq);
    }

    [Fact]
    public void Svc_Vp8_TemporalUpswitch_AtLayerSync_KeepsContinuity()
    {
        var host = new Host();
        var f = new SvcForwarder(host, CodecKind.Vp8, 1, 3, new VideoLayers(0, 0), 100);
        ushort seq = 1, pid = 10;
        byte tl0 = 0;
        uint ts = 0;
        List<Sent> low = FeedL1T3(f, 8, ref seq, ref pid, ref tl0, ref ts, firstKey: true);
        Assert.Equal(2, low.Count);
        f.SetPreferredLayers(new VideoLayers(0, 2));
        List<Sent> all = FeedL1T3(f, 8, ref seq, ref pid, ref tl0, ref ts, firstKey: false);
        // Layer 2 at index 1 has Y: it and everything after go (the tid-2 frame at index 3 has no Y,
        // but layer 2 is already current by then).
        Assert.Equal(8, all.Count);
        var combined = new List<Sent>(low);
        combined.AddRange(all);
        AssertContinuous(combined);
        Assert.Equal(new VideoLayers(0, 2), f.CurrentLayers);
    }

    [Fact]
    public void Svc_Vp8_RealLossKeepsItsGap()
    {
        var f = new SvcForwarder(new Host(), CodecKind.Vp8, 1, 3, new VideoLayers(0, 2), 0);
        ushort seq = 1, pid = 1;
        byte tl0 = 0;
        uint ts = 0;
        List<Sent> sent = FeedL1T3(f, 8, ref seq, ref pid, ref tl0, ref ts, firstKey: true, skipSeqAt: 5);
        Assert.Equal(7, sent.Count);
        Assert.Equal((ushort)(sent[4].Seq + 2), sent[5].Seq);
        Assert.Equal(sent[4].PictureId + 2, sent[5].PictureId);
    }

    [Fact]
    public void Svc_Vp8_WaitsForKeyFrame_AndAsksOnce()
    {
        var host = new Host();
        var f = new SvcForwarder(host, CodecKind.Vp8, 1, 3, new VideoLayers(0, 2), 0);
        ushort seq = 1, pid = 1;
        byte tl0 = 0;
        uint ts = 0;
        Assert.Empty(FeedL1T3(f, 8, ref seq, ref pid, ref tl0, ref ts, firstKey: false));
        Assert.Single(host.KeyFrameRequests);
        Assert.Equal(VideoLayers.None, f.CurrentLayers);
        Assert.Equal(8, FeedL1T3(f, 8, ref seq, ref pid, ref tl0, ref ts, firstKey: true).Count);
        Assert.Equal(new VideoLayers(0, 2), f.CurrentLayers);
    }

    [Fact]
    public void Simulcast_Switch_ContinuesSeqTimestampAndPictureId_AndDropsOlderPackets()
    {
        var host = new Host();
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 1, new VideoLayers(1, 0), 90000, 300);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        Assert.Equal(1, f.TargetLayers.Spatial);
        var sent = new List<Sent>();
        // Encoding 1 (high): key frame then deltas; encoding 0 (low) flows alongside.
        for (int i = 0; i < 5; i++)
        {
            RtpPacket hi = Packet((ushort)(2000 + i), (uint)(90_000 + 3000 * i), 2, Vp8((ushort)(500 + i), (byte)(7 + i), 0, false, i == 0));
            if (f.OnPacket(hi, Layers(hi), 1, i * 33_000L, out ForwardedPacket fw))
                sent.Add(Read(hi, fw));
            RtpPacket lo = Packet((ushort)(9000 + i), (uint)(5_000_000 + 3000 * i), 1, Vp8((ushort)(20000 + i), (byte)(100 + i), 0, false, i == 0));
            Assert.False(f.OnPacket(lo, Layers(lo), 0, i * 33_000L, out _));
        }
        Assert.Equal(5, sent.Count);
        Assert.Equal(new VideoLayers(1, 0), f.CurrentLayers);

        f.SetPreferredLayers(new VideoLayers(0, 0));
        Assert.Equal(0, host.KeyFrameRequests[^1]); // asked encoding 0 for a key frame
        // A delta of the target first: not yet; then its key frame switches; a straggler from before it is dropped.
        RtpPacket delta = Packet(9010, 5_030_000, 1, Vp8(20010, 110, 0, false, false));
        Assert.False(f.OnPacket(delta, Layers(delta), 0, 200_000, out _));
        RtpPacket key = Packet(9012, 5_036_000, 1, Vp8(20012, 112, 0, false, true));
        Assert.True(f.OnPacket(key, Layers(key), 0, 233_000, out ForwardedPacket kf));
        Sent k = Read(key, kf);
        RtpPacket straggler = Packet(9011, 5_033_000, 1, Vp8(20011, 111, 0, false, false));
        Assert.False(f.OnPacket(straggler, Layers(straggler), 0, 234_000, out _));
        RtpPacket next = Packet(9013, 5_039_000, 1, Vp8(20013, 113, 0, false, false));
        Assert.True(f.OnPacket(next, Layers(next), 0, 266_000, out ForwardedPacket nf));
        Sent n = Read(next, nf);

        Assert.Equal((ushort)(sent[^1].Seq + 1), k.Seq);
        Assert.Equal((ushort)(k.Seq + 1), n.Seq);
        Assert.Equal(sent[^1].PictureId + 1, k.PictureId);
        Assert.Equal(k.PictureId + 1, n.PictureId);
        Assert.Equal((byte)(sent[^1].Tl0 + 1), k.Tl0);
        Assert.True(k.Timestamp - sent[^1].Timestamp is > 0 and < 90_000); // advanced, not jumped
        Assert.Equal(3000u, n.Timestamp - k.Timestamp);
        Assert.Equal(new VideoLayers(0, 0), f.CurrentLayers);
    }

    [Fact]
    public void Simulcast_Switch_UsesSenderReports_ToKeepCaptureTimes()
    {
        var host = new Host();
        // Both encodings' SRs describe the same NTP instant: encoding 1 read 90 000, encoding 0 read 5 000 000.
        host.Clocks[1] = (1_000_000_000, 90_000);
        host.Clocks[0] = (1_000_000_000, 5_000_000);
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 1, new VideoLayers(1, 0), 90000, 0);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        RtpPacket hi = Packet(10, 90_000, 2, Vp8(1, 1, 0, false, true));
        Assert.True(Feed(f, hi, 1, 0, out ForwardedPacket a));
        Assert.Equal(90_000u, a.Timestamp);
        f.SetPreferredLayers(new VideoLayers(0, 0));
        // Captured one second after that SR instant, as far as encoding 0 knows; the switch
        // happens 5 s later by the wall clock (which must not matter).
        RtpPacket lowKey = Packet(50, 5_090_000, 1, Vp8(9, 9, 0, false, true));
        Assert.True(Feed(f, lowKey, 0, 5_000_000, out ForwardedPacket b));
        Assert.Equal(180_000u, b.Timestamp);
    }

    [Fact]
    public void Simulcast_BogusSenderReport_FallsBackToTheWallClock()
    {
        var host = new Host();
        host.Clocks[1] = (1_000_000_000, 90_000);
        host.Clocks[0] = (long.MaxValue / 2, 5_000_000); // an SR from another century
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 1, new VideoLayers(1, 0), 90000, 0);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        Assert.True(Feed(f, Packet(10, 90_000, 2, Vp8(1, 1, 0, false, true)), 1, 0, out ForwardedPacket a));
        f.SetPreferredLayers(new VideoLayers(0, 0));
        Assert.True(Feed(f, Packet(50, 5_090_000, 1, Vp8(9, 9, 0, false, true)), 0, 1_000_000, out ForwardedPacket b));
        Assert.Equal(90_000u, b.Timestamp - a.Timestamp); // one second of wall clock
    }

    [Fact]
    public void Simulcast_KeyFramePacketsAheadOfItsFirst_AreHeldAndForwardedInOrder()
    {
        var host = new Host();
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 1, new VideoLayers(1, 0), 90000, 0);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        Assert.True(Feed(f, Packet(10, 0, 2, Vp8(1, 1, 0, false, true)), 1, 0, out ForwardedPacket first));
        f.SetPreferredLayers(new VideoLayers(0, 0));
        // The low encoding's key frame is three packets, 101..103; 103 and 102 arrive first.
        RtpPacket p103 = Packet(103, 9000, 1, Vp8(5, 5, 0, false, false, start: false), marker: true);
        RtpPacket p102 = Packet(102, 9000, 1, Vp8(5, 5, 0, false, false, start: false), marker: false);
        RtpPacket older = Packet(99, 6000, 1, Vp8(4, 4, 0, false, false), marker: true); // a delta before it
        Assert.False(Feed(f, p103, 0, 1000, out _));
        Assert.False(Feed(f, older, 0, 1000, out _));
        Assert.False(Feed(f, p102, 0, 1000, out _));
        RtpPacket p101 = Packet(101, 9000, 1, Vp8(5, 5, 0, false, true), marker: false);
        Assert.True(Feed(f, p101, 0, 2000, out ForwardedPacket k));
        var outSeqs = new List<ushort> { k.SequenceNumber };
        while (f.TryTakeHeld(out RtpPacket held, out LayerInfo hl, out int enc))
        {
            Assert.True(f.OnPacket(held, hl, enc, 2000, out ForwardedPacket h));
            outSeqs.Add(h.SequenceNumber);
        }
        Assert.Equal(new[] { (ushort)(first.SequenceNumber + 1), (ushort)(first.SequenceNumber + 2), (ushort)(first.SequenceNumber + 3) }, outSeqs);
        // Nothing is held any more; the next packet follows on.
        Assert.True(Feed(f, Packet(104, 12000, 1, Vp8(6, 5, 0, false, false)), 0, 3000, out ForwardedPacket next));
        Assert.Equal((ushort)(first.SequenceNumber + 4), next.SequenceNumber);
        Assert.False(f.TryTakeHeld(out _, out _, out _));
    }

    [Fact]
    public void Simulcast_SwitchInsideAFrame_LeavesOneSequenceNumberFree()
    {
        var f = new SimulcastForwarder(new Host(), CodecKind.Vp8, 2, 1, new VideoLayers(1, 0), 90000, 0);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        RtpPacket k = Packet(10, 0, 2, Vp8(1, 1, 0, false, true), marker: false);
        Assert.True(f.OnPacket(k, Layers(k), 1, 0, out ForwardedPacket a));
        f.SetPreferredLayers(new VideoLayers(0, 0));
        RtpPacket lowKey = Packet(50, 0, 1, Vp8(9, 9, 0, false, true));
        Assert.True(f.OnPacket(lowKey, Layers(lowKey), 0, 1000, out ForwardedPacket b));
        Assert.Equal((ushort)(a.SequenceNumber + 2), b.SequenceNumber);
    }

    [Fact]
    public void Simulcast_AllEncodingsGone_ReportsNoLayers()
    {
        var host = new Host();
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 1, new VideoLayers(1, 0), 90000, 0);
        f.OnProducerScore(1, 10);
        RtpPacket k = Packet(10, 0, 2, Vp8(1, 1, 0, false, true));
        Assert.True(f.OnPacket(k, Layers(k), 1, 0, out _));
        Assert.Equal(new VideoLayers(1, 0), f.CurrentLayers);
        f.OnProducerScore(1, 0);
        Assert.Equal(VideoLayers.None, f.CurrentLayers);
        Assert.Equal(2, host.LayerChanges);
    }

    [Fact]
    public void Simple_DropsPaddingAndDtx_WithoutGaps_AndWaitsForKeyFrame()
    {
        var host = new Host();
        var audio = new SimpleForwarder(host, CodecKind.Opus, video: false, ignoreDtx: true, initialSeq: 40);
        var outSeqs = new List<ushort>();
        byte[][] payloads = { new byte[] { 0x78, 1, 2 }, new byte[] { 0x78 }, Array.Empty<byte>(), new byte[] { 0x78, 3, 4 } };
        for (int i = 0; i < payloads.Length; i++)
        {
            if (Feed(audio, Packet((ushort)(100 + i), 0, 5, payloads[i], pt: 100), 0, 0, out ForwardedPacket f))
                outSeqs.Add(f.SequenceNumber);
        }
        Assert.Equal(new ushort[] { 41, 42 }, outSeqs);

        var video = new SimpleForwarder(host, CodecKind.Vp8, video: true, ignoreDtx: false, initialSeq: 0);
        Assert.False(Feed(video, Packet(1, 0, 5, Vp8(1, 0, 0, false, false)), 0, 0, out _));
        Assert.False(Feed(video, Packet(2, 0, 5, Vp8(2, 0, 0, false, false)), 0, 0, out _));
        Assert.Single(host.KeyFrameRequests);
        Assert.True(Feed(video, Packet(3, 0, 5, Vp8(3, 0, 0, false, true)), 0, 0, out ForwardedPacket first));
        Assert.Equal((ushort)1, first.SequenceNumber);
        // Resumed: numbering continues after the last one sent.
        video.Restart();
        Assert.True(Feed(video, Packet(900, 0, 5, Vp8(4, 0, 0, false, true)), 0, 0, out ForwardedPacket again));
        Assert.Equal((ushort)2, again.SequenceNumber);
        // A packet from before the re-sync would reuse a number: dropped.
        Assert.False(Feed(video, Packet(899, 0, 5, Vp8(4, 0, 0, false, false)), 0, 0, out _));
    }

    // Every forwarder, 70000 packets in order after a key frame: all forwarded with consecutive
    // numbers. A sync point that stayed where the stream started compared higher than every
    // packet from 32768 on (RFC 1982 order) and dropped the next 32768 (the 60-minute soak
    // lost half of what it sent).
    [Fact]
    public void EveryForwarder_KeepsForwarding_PastHalfTheSequenceSpaceFromItsSyncPoint()
    {
        var forwarders = new (string Name, IRtpForwarder F)[]
        {
            ("simple", new SimpleForwarder(new Host(), CodecKind.Vp8, video: true, ignoreDtx: false, initialSeq: 7)),
            ("svc", new SvcForwarder(new Host(), CodecKind.Vp8, 1, 1, new VideoLayers(0, 0), 7)),
            ("simulcast", new SimulcastForwarder(new Host(), CodecKind.Vp8, 1, 1, new VideoLayers(0, 0), 90000, 7)),
            ("pipe", new PipeForwarder([7])),
        };
        forwarders[2].F.OnProducerScore(0, 10);
        byte[] key = Vp8(1, 0, 0, false, key: true);
        byte[] delta = Vp8(2, 0, 0, false, key: false);
        byte[] buffer = GC.AllocateArray<byte>(12 + key.Length, pinned: true);
        var packet = new RtpPacket();
        foreach (var (name, f) in forwarders)
        {
            int forwarded = 0;
            ushort expected = 0;
            for (int i = 0; i < 70_000; i++)
            {
                ushort seq = (ushort)(1000 + i);
                buffer[0] = 0x80; buffer[1] = 0x80 | 96;
                buffer[2] = (byte)(seq >> 8); buffer[3] = (byte)seq;
                uint ts = (uint)(3000 * i);
                buffer[4] = (byte)(ts >> 24); buffer[5] = (byte)(ts >> 16); buffer[6] = (byte)(ts >> 8); buffer[7] = (byte)ts;
                buffer[11] = 5;
                (i == 0 ? key : delta).CopyTo(buffer.AsSpan(12));
                Assert.True(packet.TryParse(buffer.AsSpan(), buffer.Length));
                if (!Feed(f, packet, 0, i * 3_000L, out ForwardedPacket fw))
                    continue;
                if (forwarded > 0)
                    Assert.True(expected == fw.SequenceNumber, $"{name}: packet {i} went out as {fw.SequenceNumber}, expected {expected}");
                expected = (ushort)(fw.SequenceNumber + 1);
                forwarded++;
            }
            Assert.True(forwarded == 70_000, $"{name}: {forwarded} of 70000 forwarded");
        }
    }

    // RFC 9628 §4.2 descriptor: I P L F B E V Z, 15-bit picture id, layer indices, TL0PICIDX.
    private static byte[] Vp9(ushort pid, int sid, int tid, bool interPicture, bool begin, bool end, bool switchUp = false)
    {
        byte first = (byte)(0x80 | (interPicture ? 0x40 : 0) | 0x20 | (begin ? 0x08 : 0) | (end ? 0x04 : 0));
        return new byte[]
        {
            first, (byte)(0x80 | (pid >> 8)), (byte)pid, (byte)((tid << 5) | (switchUp ? 0x10 : 0) | (sid << 1) | (sid > 0 ? 1 : 0)), 0, 0xAA, 0xBB,
        };
    }

    [Fact]
    public void Svc_Vp9_SpatialCap_MovesMarker_AndUpswitchWaitsForKeyPicture()
    {
        var host = new Host();
        var f = new SvcForwarder(host, CodecKind.Vp9, 3, 1, new VideoLayers(1, 0), 0);
        ushort seq = 100;
        var forwarded = new List<(int Sid, bool Marker, ushort Seq)>();
        void Picture(ushort pid, bool key)
        {
            for (int sid = 0; sid < 3; sid++)
            {
                // Two packets per layer frame; RTP marker on the very last one of the picture.
                for (int part = 0; part < 2; part++)
                {
                    RtpPacket p = Packet(seq++, pid * 3000u, 7, Vp9(pid, sid, 0, interPicture: !key, begin: part == 0, end: part == 1),
                        marker: sid == 2 && part == 1, pt: 98);
                    if (f.OnPacket(p, Layers(p), 0, 0, out ForwardedPacket fw))
                    {
                        byte[] copy = GC.AllocateArray<byte>(p.Length + 64, pinned: true);
                        var tx = new RtpPacket();
                        Assert.True(p.CopyTo(copy, tx));
                        fw.Payload.ApplyTo(tx);
                        forwarded.Add((sid, tx.Marker, fw.SequenceNumber));
                    }
                }
            }
        }
        Picture(1, key: true);
        Picture(2, key: false);
        Assert.Equal(8, forwarded.Count); // layers 0 and 1 of two pictures
        Assert.All(forwarded, x => Assert.True(x.Sid <= 1));
        Assert.Equal(new[] { false, false, false, true, false, false, false, true }, forwarded.ConvertAll(x => x.Marker));
        for (int i = 1; i < forwarded.Count; i++)
            Assert.Equal((ushort)(forwarded[i - 1].Seq + 1), forwarded[i].Seq);
        Assert.Equal(new VideoLayers(1, 0), f.CurrentLayers);

        forwarded.Clear();
        host.KeyFrameRequests.Clear();
        f.SetPreferredLayers(new VideoLayers(2, 0));
        Assert.NotEmpty(host.KeyFrameRequests);
        Picture(3, key: false); // layer 2 predicts from its past: cannot start here
        Assert.Equal(4, forwarded.Count);
        Picture(4, key: true);
        Assert.Equal(4 + 6, forwarded.Count);
        Assert.Equal(new VideoLayers(2, 0), f.CurrentLayers);

        forwarded.Clear();
        f.SetPreferredLayers(new VideoLayers(0, 0));
        Picture(5, key: false);
        Assert.Equal(2, forwarded.Count); // down at the next picture
        Assert.True(forwarded[^1].Marker);
        Assert.Equal(new VideoLayers(0, 0), f.CurrentLayers);
    }

    [Fact]
    public void PictureIds_LatePacketOfAForwardedFrame_GetsItsFramesId()
    {
        var ids = new PictureIdContinuity();
        Assert.True(ids.Map(100, 15, 5, out ushort a, out _));
        ids.Drop(101, 15);
        Assert.True(ids.Map(102, 15, 6, out ushort c, out _));
        Assert.Equal(a + 1, c);
        Assert.True(ids.Map(100, 15, 5, out ushort again, out _));
        Assert.Equal(a, again);
        Assert.False(ids.Map(101, 15, 5, out _, out _)); // the dropped frame never gets a number
        // 7-bit ids wrap at 128.
        var small = new PictureIdContinuity();
        Assert.True(small.Map(127, 7, 0, out ushort x, out _));
        Assert.True(small.Map(0, 7, 0, out ushort y, out _));
        Assert.Equal((x + 1) & 0x7F, y);
    }

    [Fact]
    public void Simulcast_BitrateCap_SwitchesDownAtAKeyFrame_AndBackUpWhenLifted()
    {
        var host = new Host();
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 3, new VideoLayers(1, 2), 90000, 300);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        Assert.Equal(new VideoLayers(1, 2), f.TargetLayers);

        f.SetBitrateCap(new VideoLayers(0, 1));
        Assert.Equal(new VideoLayers(0, 1), f.TargetLayers); // below the preferred encoding: its temporal cap holds
        Assert.Equal(0, host.KeyFrameRequests[^1]);
        f.SetBitrateCap(new VideoLayers(1, 0));
        Assert.Equal(new VideoLayers(1, 0), f.TargetLayers);
        f.SetBitrateCap(new VideoLayers(1, 2));
        Assert.Equal(new VideoLayers(1, 2), f.TargetLayers);
        f.SetBitrateCap(VideoLayers.None);
        Assert.Equal(new VideoLayers(1, 2), f.TargetLayers);

        // The preferred layers stay the ceiling: a cap above them changes nothing.
        f.SetPreferredLayers(new VideoLayers(0, 1));
        f.SetBitrateCap(new VideoLayers(1, 2));
        Assert.Equal(new VideoLayers(0, 1), f.TargetLayers);
    }

    [Fact]
    public void Simulcast_CappedEncodingGone_FallsBackWithThePreferredTemporalLayer()
    {
        var host = new Host();
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 3, 3, new VideoLayers(2, 2), 90000, 300);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(2, 10);
        f.SetBitrateCap(new VideoLayers(1, 0)); // encoding 1 is not active: 0 is what remains
        Assert.Equal(new VideoLayers(0, 2), f.TargetLayers);
        f.OnProducerScore(1, 10);
        Assert.Equal(new VideoLayers(1, 0), f.TargetLayers);
    }

    [Fact]
    public void Ladders_ListFlowingLayersUpToThePreferredOnes()
    {
        var host = new Host();
        for (int e = 0; e < 3; e++)
            for (int t = 0; t < 3; t++)
                host.Rates[(e, 0, t)] = (e + 1) * 100_000 + t * 20_000;
        host.Rates.Remove((1, 0, 0)); host.Rates.Remove((1, 0, 1)); host.Rates.Remove((1, 0, 2)); // encoding 1 does not flow
        var sim = new SimulcastForwarder(host, CodecKind.Vp8, 3, 3, new VideoLayers(2, 1), 90000, 300);
        Span<Mediasoup.Bwe.LayerRung> rungs = stackalloc Mediasoup.Bwe.LayerRung[16];
        int n = sim.FillLadder(rungs);
        Assert.Equal(new[] { (0, 0), (0, 1), (0, 2), (2, 0), (2, 1) }, rungs[..n].ToArray().Select(r => ((int)r.Spatial, (int)r.Temporal)).ToArray());
        Assert.Equal(320_000, rungs[4].Bitrate);

        var svcHost = new Host();
        svcHost.Rates[(0, 0, 0)] = 100_000;
        svcHost.Rates[(0, 1, 0)] = 300_000;
        svcHost.Rates[(0, 1, 1)] = 450_000;
        var svc = new SvcForwarder(svcHost, CodecKind.Vp9, 3, 2, new VideoLayers(1, 1), 300);
        n = svc.FillLadder(rungs);
        Assert.Equal(new[] { (0, 0), (1, 0), (1, 1) }, rungs[..n].ToArray().Select(r => ((int)r.Spatial, (int)r.Temporal)).ToArray());
        Assert.Equal(0, new SimpleForwarderProbe().Count);
    }

    // A non-layered forwarder does not adapt: its ladder is empty.
    private sealed class SimpleForwarderProbe
    {
        public int Count
        {
            get
            {
                IRtpForwarder f = new SimpleForwarder(new Host(), CodecKind.Vp8, video: true, ignoreDtx: false, 300);
                Span<Mediasoup.Bwe.LayerRung> r = stackalloc Mediasoup.Bwe.LayerRung[4];
                return f.FillLadder(r);
            }
        }
    }

    [Fact]
    public void Svc_Vp8_BitrateCap_LowersTheTemporalLayer()
    {
        var host = new Host();
        var f = new SvcForwarder(host, CodecKind.Vp8, 1, 3, new VideoLayers(0, 2), 5000);
        f.SetBitrateCap(new VideoLayers(0, 0));
        ushort seq = 100, pid = 10;
        byte tl0 = 1;
        uint ts = 1000;
        List<Sent> sent = FeedL1T3(f, 40, ref seq, ref pid, ref tl0, ref ts, firstKey: true);
        Assert.Equal(10, sent.Count);
        AssertContinuous(sent);
        f.SetBitrateCap(VideoLayers.None);
        Assert.Equal(new VideoLayers(0, 2), f.TargetLayers);
    }

    [Fact]
    public void Simulcast_StepDownForBandwidth_ThinsTheCurrentEncodingUntilTheKeyFrame()
    {
        var host = new Host();
        var f = new SimulcastForwarder(host, CodecKind.Vp8, 2, 3, new VideoLayers(1, 2), 90000, 300);
        f.OnProducerScore(0, 10);
        f.OnProducerScore(1, 10);
        ushort seq = 1000, pid = 10;
        byte tl0 = 1;
        uint ts = 1000;
        // Encoding 1 flows at all three temporal layers.
        var sent = new List<Sent>();
        int[] pattern = { 0, 2, 1, 2 };
        for (int i = 0; i < 8; i++)
        {
            RtpPacket p = Packet(seq++, ts += 3000, 2, Vp8(pid++, (byte)(tl0 + i / 4), pattern[i % 4], pattern[i % 4] != 0, i == 0));
            if (f.OnPacket(p, Layers(p), 1, i * 33_000L, out ForwardedPacket fw))
                sent.Add(Read(p, fw));
        }
        Assert.Equal(8, sent.Count);
        f.SetBitrateCap(new VideoLayers(0, 2));
        Assert.Equal(0, f.TargetLayers.Spatial);
        // Until encoding 0's key frame comes, encoding 1 goes on at temporal layer 0 only.
        int forwarded = 0;
        for (int i = 8; i < 16; i++)
        {
            RtpPacket p = Packet(seq++, ts += 3000, 2, Vp8(pid++, (byte)(tl0 + i / 4), pattern[i % 4], pattern[i % 4] != 0, false));
            if (f.OnPacket(p, Layers(p), 1, i * 33_000L, out _))
                forwarded++;
        }
        Assert.Equal(2, forwarded);
        Assert.Equal(new VideoLayers(1, 0), f.CurrentLayers);
        // The key frame of encoding 0: switched, at the capped temporal layer 2.
        RtpPacket key = Packet(5000, 7_000_000, 1, Vp8(300, 50, 0, false, true));
        Assert.True(f.OnPacket(key, Layers(key), 0, 600_000, out _));
        Assert.Equal(new VideoLayers(0, 2), f.TargetLayers);

        // A preferred-layer change (no bandwidth cap involved) keeps the full frame rate while it waits.
        var g = new SimulcastForwarder(new Host(), CodecKind.Vp8, 2, 3, new VideoLayers(1, 2), 90000, 300);
        g.OnProducerScore(0, 10);
        g.OnProducerScore(1, 10);
        RtpPacket k1 = Packet(9000, 1000, 2, Vp8(1, 1, 0, false, true));
        Assert.True(g.OnPacket(k1, Layers(k1), 1, 0, out _));
        g.SetPreferredLayers(new VideoLayers(0, 2));
        Assert.Equal(new VideoLayers(0, 2), g.TargetLayers);
        RtpPacket t2 = Packet(9001, 4000, 2, Vp8(2, 1, 2, true, false));
        Assert.True(g.OnPacket(t2, Layers(t2), 1, 33_000, out _));
    }
}
