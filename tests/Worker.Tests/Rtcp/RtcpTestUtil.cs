using System.Globalization;
using Mediasoup.Rtcp;
using Xunit;

namespace Mediasoup.Tests.Rtcp;

internal static class RtcpTestUtil
{
    /// <summary>"80 c8 00 06 ..." to bytes; whitespace and '|' ignored.</summary>
    public static byte[] Hex(string text)
    {
        var clean = new string(text.Where(Uri.IsHexDigit).ToArray());
        var bytes = new byte[clean.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = byte.Parse(clean.AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return bytes;
    }

    public static RtcpPacket Single(ReadOnlySpan<byte> data)
    {
        Assert.True(RtcpPacket.TryCreate(data, out RtcpPacket packet), "not one valid RTCP packet");
        return packet;
    }

    /// <summary>
    /// Runs every reader over every packet and touches every field, as a transport would.
    /// Returns a checksum so nothing is optimised away, and counts how many packets no typed
    /// reader accepted.
    /// </summary>
    public static long ParseEverything(ReadOnlySpan<byte> data, out RtcpError error, out int rejected)
    {
        long sum = 0;
        rejected = 0;
        var reader = new RtcpCompoundReader(data);
        error = reader.Error;
        foreach (RtcpPacket p in reader)
        {
            sum += ReadPacket(p, out bool accepted);
            if (!accepted)
                rejected++;
        }
        return sum;
    }

    public static long ReadPacket(RtcpPacket p, out bool accepted) => RtcpReaders.ReadAll(p, out accepted);
}
