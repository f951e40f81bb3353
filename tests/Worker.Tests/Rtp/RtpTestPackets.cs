using Mediasoup.Rtp;
using Xunit;

namespace Mediasoup.Tests.Rtp;

/// <summary>Hand-assembled RTP packets in pinned buffers for the packet tests.</summary>
internal static class RtpTestPackets
{
    /// <summary>Builds an RTP packet byte by byte (RFC 3550 5.1 layout).</summary>
    public static byte[] Build(
        byte payloadType = 96,
        ushort seq = 0x1234,
        uint timestamp = 0xDEADBEEF,
        uint ssrc = 0x11223344,
        bool marker = false,
        uint[]? csrcs = null,
        ushort? extensionProfile = null,
        byte[]? extensionValue = null,
        byte[]? payload = null,
        int padding = 0)
    {
        csrcs ??= [];
        payload ??= [];
        extensionValue ??= [];
        var bytes = new List<byte>
        {
            (byte)(0x80 | (padding > 0 ? 0x20 : 0) | (extensionProfile.HasValue ? 0x10 : 0) | csrcs.Length),
            (byte)((marker ? 0x80 : 0) | payloadType),
            (byte)(seq >> 8), (byte)seq,
            (byte)(timestamp >> 24), (byte)(timestamp >> 16), (byte)(timestamp >> 8), (byte)timestamp,
            (byte)(ssrc >> 24), (byte)(ssrc >> 16), (byte)(ssrc >> 8), (byte)ssrc,
        };
        foreach (uint c in csrcs)
        {
            bytes.AddRange([(byte)(c >> 24), (byte)(c >> 16), (byte)(c >> 8), (byte)c]);
        }
        if (extensionProfile is ushort profile)
        {
            Assert.True(extensionValue.Length % 4 == 0, "extension value must be whole words");
            int words = extensionValue.Length / 4;
            bytes.AddRange([(byte)(profile >> 8), (byte)profile, (byte)(words >> 8), (byte)words]);
            bytes.AddRange(extensionValue);
        }
        bytes.AddRange(payload);
        for (int i = 0; i < padding - 1; i++)
        {
            bytes.Add(0);
        }
        if (padding > 0)
        {
            bytes.Add((byte)padding);
        }
        return bytes.ToArray();
    }

    /// <summary>A pinned buffer of <paramref name="capacity"/> bytes holding <paramref name="bytes"/>.</summary>
    public static byte[] Pinned(byte[] bytes, int capacity = 1500)
    {
        byte[] buffer = GC.AllocateArray<byte>(Math.Max(capacity, bytes.Length), pinned: true);
        bytes.CopyTo(buffer, 0);
        return buffer;
    }

    /// <summary>Parses <paramref name="bytes"/> copied into a pinned buffer; asserts success.</summary>
    public static RtpPacket Parse(byte[] bytes, int capacity = 1500)
    {
        return Parse(bytes, capacity, out _);
    }

    public static RtpPacket Parse(byte[] bytes, int capacity, out byte[] buffer)
    {
        buffer = Pinned(bytes, capacity);
        var packet = new RtpPacket();
        Assert.True(packet.TryParse(buffer.AsSpan(0, capacity), bytes.Length));
        return packet;
    }

    /// <summary>Re-parses the packet's current bytes from scratch into a new instance.</summary>
    public static RtpPacket Reparse(RtpPacket packet)
    {
        byte[] copy = packet.Data.ToArray();
        var fresh = Parse(copy, Math.Max(copy.Length, 16));
        fresh.ExtensionIds = packet.ExtensionIds;
        return fresh;
    }
}
