using System.Diagnostics;
using Mediasoup.Srtp;
using Xunit;
using Xunit.Abstractions;

namespace Mediasoup.Tests.Srtp;

/// <summary>
/// Micro-measure, not a gate: ns per 1200-byte packet for protect and unprotect per suite,
/// printed to the test output (dotnet test --logger "console;verbosity=detailed"). Runs
/// alone (its own non-parallel collection) so other tests do not share its cores.
/// </summary>
[Collection(nameof(SrtpThroughputTests))]
public sealed unsafe class SrtpThroughputTests
{
    private const int PayloadLength = 1200 - 12;
    private const int Packets = 100_000;
    private const int Chunk = 4_096; // unprotect needs distinct sequence numbers: protect a chunk, time its unprotect

    [CollectionDefinition(nameof(SrtpThroughputTests), DisableParallelization = true)]
    public sealed class Alone;

    private readonly ITestOutputHelper _output;

    public SrtpThroughputTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Measure_ProtectAndUnprotect_1200BytePackets()
    {
        Measure(SrtpCryptoSuite.AeadAes256Gcm, warmUp: true); // JIT and first-stream set-up out of the way
        foreach (SrtpCryptoSuite suite in SrtpCryptoSuites.All)
        {
            (double protect, double unprotect) = Measure(suite, warmUp: false);
            _output.WriteLine($"{suite.ToName(),-24} protect {protect,6:F0} ns/packet   unprotect {unprotect,6:F0} ns/packet");
        }
    }

    private static (double Protect, double Unprotect) Measure(SrtpCryptoSuite suite, bool warmUp)
    {
        (SrtpSession tx, SrtpSession rx) = SrtpTestPackets.Pair(suite);
        using (tx)
        using (rx)
        {
            int packets = warmUp ? Chunk : Packets;
            byte[] plain = SrtpTestPackets.RtpPacketBytes(0, payloadLength: PayloadLength);
            int stride = plain.Length + SrtpSession.MaxTrailerLength;
            var chunk = new byte[Chunk * stride];
            var lengths = new int[Chunk];
            long protectTicks = 0, unprotectTicks = 0;

            fixed (byte* chunkBase = chunk)
            {
                int seq = 0;
                for (int done = 0; done < packets; done += Chunk)
                {
                    int n = Math.Min(Chunk, packets - done);
                    for (int i = 0; i < n; i++)
                    {
                        byte* p = chunkBase + i * stride;
                        plain.CopyTo(new Span<byte>(p, plain.Length));
                        p[2] = (byte)(seq >> 8);
                        p[3] = (byte)seq++;
                    }

                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < n; i++)
                    {
                        int length = plain.Length;
                        if (!tx.ProtectRtp(chunkBase + i * stride, ref length, stride))
                            throw new InvalidOperationException($"protect: {tx.LastError}");
                        lengths[i] = length;
                    }
                    long t1 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < n; i++)
                    {
                        int length = lengths[i];
                        if (!rx.UnprotectRtp(chunkBase + i * stride, ref length))
                            throw new InvalidOperationException($"unprotect: {rx.LastError}");
                    }
                    long t2 = Stopwatch.GetTimestamp();
                    protectTicks += t1 - t0;
                    unprotectTicks += t2 - t1;
                }
            }

            double nsPerTick = 1e9 / Stopwatch.Frequency;
            return (protectTicks * nsPerTick / packets, unprotectTicks * nsPerTick / packets);
        }
    }
}
