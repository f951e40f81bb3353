using Mediasoup.Rtp;
using Xunit;
using static Mediasoup.Tests.Rtp.RtpTestPackets;

namespace Mediasoup.Tests.Rtp;

/// <summary>
/// Hostile input: random, truncated and mutated packets must never throw, never touch memory
/// past the capacity, and every mutator that succeeds must leave a packet that parses back to
/// the same state.
/// </summary>
public sealed class RtpPacketFuzzTests
{
    private const int Guard = 64;
    private const byte GuardByte = 0xA5;

    private static byte[] Rich() => Build(
        payloadType: 100, seq: 65535, marker: true, csrcs: [1, 2, 3],
        extensionProfile: 0xBEDE,
        extensionValue: [0x10, 0x01, 0x22, 0x61, 0x62, 0x63, 0x00, 0x00, 0x31, 0x01, 0x02, 0x00],
        payload: [0x90, 0xE0, 0x80, 0x01, 0x00, 0x9D, 0x01, 0x2A], padding: 4);

    // A pinned buffer: [capacity bytes][Guard bytes of GuardByte].
    private static byte[] Arena(ReadOnlySpan<byte> bytes, int capacity)
    {
        byte[] buffer = GC.AllocateArray<byte>(capacity + Guard, pinned: true);
        buffer.AsSpan(capacity).Fill(GuardByte);
        bytes.CopyTo(buffer);
        return buffer;
    }

    private static void AssertGuard(byte[] buffer, int capacity)
    {
        foreach (byte b in buffer.AsSpan(capacity))
        {
            Assert.Equal(GuardByte, b);
        }
    }

    private static void AssertInvariants(RtpPacket p)
    {
        Assert.True(p.IsValid);
        Assert.Equal(2, p.Version);
        Assert.InRange(p.Length, RtpPacket.FixedHeaderLength, p.Capacity);
        Assert.Equal(p.Length, p.PayloadOffset + p.PayloadLength + p.PaddingLength);
        Assert.True(p.PayloadLength >= 0);
        Assert.Equal(p.HasPadding, p.PaddingLength > 0);
        Assert.Equal(p.HasHeaderExtension, p.ExtensionForm != ExtensionForm.None);
    }

    // The packet's bytes parse back to what the instance says.
    private static void AssertReparses(RtpPacket p, bool deep)
    {
        AssertInvariants(p);
        byte[] copy = GC.AllocateArray<byte>(p.Length, pinned: true);
        p.Data.CopyTo(copy);
        var fresh = new RtpPacket();
        Assert.True(fresh.TryParse(copy.AsSpan(), copy.Length), "mutated packet no longer parses");
        Assert.Equal(p.PayloadOffset, fresh.PayloadOffset);
        Assert.Equal(p.PaddingLength, fresh.PaddingLength);
        Assert.Equal(p.ExtensionForm, fresh.ExtensionForm);
        Assert.Equal(p.ExtensionCount, fresh.ExtensionCount);
        if (deep)
        {
            for (int id = 0; id < 256; id++)
            {
                bool a = p.TryGetExtension((byte)id, out Span<byte> va);
                bool b = fresh.TryGetExtension((byte)id, out Span<byte> vb);
                Assert.Equal(a, b);
                Assert.True(va.SequenceEqual(vb));
            }
        }
    }

    private static HeaderExtensionIds RandomIds(Random rng) => new()
    {
        Mid = (byte)rng.Next(16), Rid = (byte)rng.Next(16), Rrid = (byte)rng.Next(16),
        AbsSendTime = (byte)rng.Next(16), TransportWideCc01 = (byte)rng.Next(16),
        SsrcAudioLevel = (byte)rng.Next(16), DependencyDescriptor = (byte)rng.Next(16),
        VideoOrientation = (byte)rng.Next(16), TimeOffset = (byte)rng.Next(16),
        AbsCaptureTime = (byte)rng.Next(16), PlayoutDelay = (byte)rng.Next(16),
        MediasoupPacketId = (byte)rng.Next(16),
    };

    // Every reader, then a random mutator, then checks.
    private static void Exercise(RtpPacket p, Random rng, bool deep, int[]? successes = null)
    {
        AssertInvariants(p);
        _ = p.PayloadType + p.SequenceNumber + p.Timestamp + p.Ssrc + p.CsrcCount + p.GetCsrc(rng.Next(-1, 16));
        _ = p.Payload.Length + p.Data.Length + p.ExtensionBlockValue.Length + p.ExtensionProfile;
        for (int i = 0; i < p.ExtensionCount + 1; i++)
        {
            p.GetExtensionAt(i, out _, out _);
        }
        p.ExtensionIds = RandomIds(rng);
        RtpReaders.ReadTypedExtensions(p);
        p.GetExtensionRoom((byte)rng.Next(16));

        int op = rng.Next(14);
        bool ok = true;
        switch (op)
        {
            case 0:
                p.ExtensionIds.Mid = ExistingId(p, rng);
                ok = p.UpdateMid(RandomBytes(rng, rng.Next(10)));
                break;
            case 1:
                p.UpdateAbsSendTime(rng.NextInt64(long.MinValue, long.MaxValue));
                p.UpdateTransportWideCc01((ushort)rng.Next());
                p.UpdateAbsCaptureTimeClockOffset(rng.NextInt64());
                break;
            case 2:
                ok = p.SetExtensionLength(ExistingId(p, rng), rng.Next(-1, 20));
                break;
            case 3:
                ok = p.RtxEncode((byte)rng.Next(128), (uint)rng.Next(), (ushort)rng.Next());
                break;
            case 4:
                ok = p.RtxDecode((byte)rng.Next(128), (uint)rng.Next());
                break;
            case 5:
                p.RemoveExtensionBlock();
                break;
            case 6:
            {
                int n = rng.Next(0, 20);
                Span<ExtensionSpec> specs = stackalloc ExtensionSpec[n];
                byte[] values = RandomBytes(rng, 64);
                for (int i = 0; i < n; i++)
                {
                    byte len = (byte)rng.Next(0, 18);
                    specs[i] = new ExtensionSpec((byte)rng.Next(0, 40), len, (ushort)rng.Next(0, 70 - len));
                }
                ok = p.SetExtensions(specs, values, (ExtensionForm)rng.Next(5));
                break;
            }
            case 7:
            {
                // Values taken from the packet's own bytes.
                Span<byte> data = p.Data;
                int n = rng.Next(1, 6);
                Span<ExtensionSpec> specs = stackalloc ExtensionSpec[n];
                for (int i = 0; i < n; i++)
                {
                    byte len = (byte)rng.Next(1, 17);
                    specs[i] = new ExtensionSpec((byte)(i + 1), len, (ushort)rng.Next(0, Math.Max(1, data.Length - len)));
                }
                ok = p.SetExtensions(specs, data);
                break;
            }
            case 8:
                ok = p.SetPaddingLength(rng.Next(-1, 300));
                break;
            case 9:
                ok = p.PadTo4Bytes();
                break;
            case 10:
                ok = p.SetPayloadLength(rng.Next(-1, 1600));
                break;
            case 11:
                ok = p.ShiftPayload(rng.Next(-1, p.PayloadLength + 2), rng.Next(-8, 9));
                break;
            case 12:
                p.PayloadType = (byte)rng.Next(256);
                p.Marker = rng.Next(2) == 0;
                p.SequenceNumber = (ushort)rng.Next();
                p.Timestamp = (uint)rng.Next();
                p.Ssrc = (uint)rng.Next();
                break;
            default:
                ok = p.SetPayload(RandomBytes(rng, rng.Next(0, 100)));
                break;
        }
        if (ok && successes != null)
        {
            successes[op]++;
        }
        AssertReparses(p, deep);
    }

    // Mostly the id of an element the packet has, so in-place edits get exercised.
    private static byte ExistingId(RtpPacket p, Random rng)
    {
        if (p.ExtensionCount > 0 && rng.Next(4) != 0)
        {
            p.GetExtensionAt(rng.Next(p.ExtensionCount), out byte id, out _);
            return id;
        }
        return (byte)rng.Next(256);
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        byte[] b = new byte[length];
        rng.NextBytes(b);
        return b;
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(1234);
        var p = new RtpPacket();
        int valid = 0;
        for (int iter = 0; iter < 100_000; iter++)
        {
            int length = rng.Next(0, 120);
            byte[] bytes = RandomBytes(rng, length);
            if (length > 0 && rng.Next(2) == 0)
            {
                // Often look like RTP, with an RFC 8285 profile, to get deeper.
                bytes[0] = (byte)(0x80 | (bytes[0] & 0x3F));
                if (length > 15 && rng.Next(2) == 0)
                {
                    int ext = 12 + 4 * (bytes[0] & 0x0F);
                    if (ext + 4 <= length)
                    {
                        bytes[0] |= 0x10;
                        bytes[ext] = rng.Next(2) == 0 ? (byte)0xBE : (byte)0x10;
                        bytes[ext + 1] = bytes[ext] == 0xBE ? (byte)0xDE : (byte)0;
                        bytes[ext + 2] = 0;
                        bytes[ext + 3] = (byte)rng.Next(0, 6);
                    }
                }
            }
            int capacity = length + rng.Next(0, 40);
            byte[] arena = Arena(bytes, capacity);
            if (p.TryParse(arena.AsSpan(0, capacity), length))
            {
                valid++;
                Exercise(p, rng, deep: iter % 16 == 0);
            }
            else
            {
                Assert.False(p.IsValid);
            }
            AssertGuard(arena, capacity);
        }
        Assert.True(valid > 1000, $"only {valid} random packets parsed");
    }

    [Fact]
    public void TruncatedPackets_OfEveryLength_NeverThrow()
    {
        byte[] full = Rich();
        var p = new RtpPacket();
        var rng = new Random(7);
        for (int length = 0; length <= full.Length; length++)
        {
            for (int capacity = length; capacity <= length + 4; capacity++)
            {
                byte[] arena = Arena(full.AsSpan(0, length), capacity);
                if (p.TryParse(arena.AsSpan(0, capacity), length))
                {
                    Exercise(p, rng, deep: true);
                }
                AssertGuard(arena, capacity);
            }
        }
        byte[] whole = Arena(full, full.Length);
        Assert.True(p.TryParse(whole.AsSpan(0, full.Length), full.Length));
        Assert.False(p.TryParse(whole.AsSpan(0, full.Length), full.Length - 1)); // padding then overruns
    }

    [Fact]
    public void MutatedPackets_NeverThrow()
    {
        var rng = new Random(99);
        var p = new RtpPacket();
        byte[][] seeds =
        [
            Rich(),
            Build(extensionProfile: 0x1000, extensionValue: [0x01, 0x00, 0x02, 0x01, 0xB1, 0x00, 0x03, 0x04, 1, 2, 3, 4], payload: [1, 2, 3]),
            Build(padding: 200),
            Build(csrcs: [9], payload: new byte[300]),
        ];
        for (int iter = 0; iter < 50_000; iter++)
        {
            byte[] bytes = (byte[])seeds[iter % seeds.Length].Clone();
            int flips = rng.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            }
            int capacity = bytes.Length + rng.Next(0, 32);
            byte[] arena = Arena(bytes, capacity);
            if (p.TryParse(arena.AsSpan(0, capacity), bytes.Length))
            {
                Exercise(p, rng, deep: iter % 8 == 0);
                // A second mutation on top of the first.
                Exercise(p, rng, deep: false);
            }
            AssertGuard(arena, capacity);
        }
    }

    [Fact]
    public void ChainedMutations_KeepThePacketConsistent()
    {
        var rng = new Random(2024);
        var p = new RtpPacket();
        int[] successes = new int[14];
        for (int round = 0; round < 300; round++)
        {
            byte[] bytes = Rich();
            int capacity = bytes.Length + rng.Next(0, 200);
            byte[] arena = Arena(bytes, capacity);
            Assert.True(p.TryParse(arena.AsSpan(0, capacity), bytes.Length));
            for (int step = 0; step < 40; step++)
            {
                Exercise(p, rng, deep: step % 4 == 0, successes);
            }
            AssertGuard(arena, capacity);
        }
        // Every mutator really ran (not just refused) many times.
        Assert.All(successes, count => Assert.True(count > 50, string.Join(",", successes)));
    }
}
