using Mediasoup.Codecs;
using Mediasoup.Rtp;
using Xunit;
using Xunit.Abstractions;
using static Mediasoup.Tests.Rtp.RtpTestPackets;

namespace Mediasoup.Tests.Rtp;

/// <summary>
/// Quick hot-path checks without a benchmark harness: the per-packet work allocates nothing,
/// and a rough ns/packet figure is printed for eyeballing regressions.
/// </summary>
public sealed unsafe class RtpPacketPerfTests
{
    private readonly ITestOutputHelper _output;

    public RtpPacketPerfTests(ITestOutputHelper output) => _output = output;

    // What a browser sends: MID, RID, abs-send-time, transport-cc, then ~1 KB of VP8.
    private static byte[] IngressPacket()
    {
        byte[] payload = new byte[1000];
        payload[0] = 0x90; // X=1 S=1
        payload[1] = 0xE0; // I L T
        payload[2] = 0x81; // 15-bit picture id
        payload[3] = 0x23;
        payload[4] = 0x05; // tl0picidx
        payload[5] = 0x40; // tid 1
        payload[6] = 0x01; // P=1: not a key frame
        return Build(payloadType: 96, seq: 100, ssrc: 0x1234, extensionProfile: 0xBEDE,
            extensionValue: [0x30, (byte)'0', 0x00, 0x00, 0xA2, 0x12, 0x34, 0x56, 0x51, 0x00, 0x07, 0x00, 0x90, (byte)'h', 0x00, 0x00],
            payload: payload);
    }

    private static readonly HeaderExtensionIds IngressIds = new() { Mid = 3, Rid = 9, AbsSendTime = 10, TransportWideCc01 = 5 };

    // One ingress + one egress pass; returns something so the work is not optimised away.
    private static int Pipeline(RtpPacket packet, RtpPacket clone, byte* src, int length, byte* rx, byte* tx, int capacity)
    {
        Buffer.MemoryCopy(src, rx, capacity, length);
        if (!packet.TryParse(rx, length, capacity))
        {
            return -1;
        }
        packet.ExtensionIds = IngressIds;
        int acc = 0;
        if (packet.TryReadMid(out ReadOnlySpan<byte> mid) && mid.SequenceEqual("0"u8))
        {
            acc++;
        }
        if (packet.TryReadTransportWideCc01(out ushort wide))
        {
            acc += wide;
        }
        packet.TryReadAbsSendTime(out uint ast);
        acc += (int)ast;
        acc += Codec.IsKeyFrame(CodecKind.Vp8, packet.Payload) ? 1 : 0;

        // Producer: rewrite extensions to the internal ids, reserving the MID slot.
        HeaderExtensionIds internalIds = HeaderExtensionIds.Internal;
        var builder = new ExtensionListBuilder(stackalloc ExtensionSpec[8], stackalloc byte[64]);
        builder.Reserve(internalIds.Mid, HeaderExtensionIds.MidMaxLength);
        builder.Reserve(internalIds.AbsSendTime, 3);
        builder.Reserve(internalIds.TransportWideCc01, 2);
        if (!builder.Apply(packet))
        {
            return -2;
        }
        packet.ExtensionIds = internalIds;
        packet.PayloadType = 101;
        packet.Ssrc = 0xABCDEF;

        // Consumer: copy into its send buffer, stamp MID, seq, transport-cc, abs-send-time.
        if (!packet.CopyTo(tx, capacity, clone))
        {
            return -3;
        }
        clone.UpdateMid("video"u8);
        clone.SequenceNumber = (ushort)(clone.SequenceNumber + 7);
        clone.UpdateTransportWideCc01(42);
        clone.UpdateAbsSendTime(123_456_789);
        clone.RtxEncode(102, 0x5555, 9);
        clone.RtxDecode(101, 0xABCDEF);
        return acc + clone.Length;
    }

    [Fact]
    public void HotPath_AllocatesNothing()
    {
        byte[] src = GC.AllocateArray<byte>(2048, pinned: true);
        byte[] rx = GC.AllocateArray<byte>(2048, pinned: true);
        byte[] tx = GC.AllocateArray<byte>(2048, pinned: true);
        byte[] bytes = IngressPacket();
        bytes.CopyTo(src, 0);
        var packet = new RtpPacket();
        var clone = new RtpPacket();
        fixed (byte* s = src, r = rx, t = tx)
        {
            int expected = Pipeline(packet, clone, s, bytes.Length, r, t, 2048);
            Assert.True(expected > 0, $"pipeline failed: {expected}");
            for (int i = 0; i < 1000; i++)
            {
                Pipeline(packet, clone, s, bytes.Length, r, t, 2048);
            }

            int mismatches = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100_000; i++)
            {
                if (Pipeline(packet, clone, s, bytes.Length, r, t, 2048) != expected)
                {
                    mismatches++;
                }
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, mismatches);
            Assert.Equal(0, allocated);
        }
        Assert.True(clone.TryReadMid(out ReadOnlySpan<byte> mid) && mid.SequenceEqual("video"u8));
        Assert.Equal(bytes.Length - 16 + 16, clone.Length); // 16-byte block in, 16-byte block out
    }
}
