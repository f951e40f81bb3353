using System.Buffers.Binary;
using Mediasoup.Rtcp;

namespace Mediasoup.Bench;

/// <summary>
/// `Mediasoup.Worker.Bench --check-twcc DUMP...`: reads the transport-cc feedback the load
/// sink (bench/load/twcc.h) wrote with what each status was meant to say, and checks every
/// packet through the worker's own RTCP and transport-cc parsers: packet type, base sequence,
/// status count, each status (received or not) and each arrival time rebuilt from the
/// reference time and the deltas, to the 250 µs tick; per media SSRC, the feedback packet
/// count steps by one and each packet starts where the previous one ended.
/// Dump record: u16 length, the RTCP packet, u16 status count, then per status u16 sequence,
/// u8 received, i64 arrival in 250 µs ticks (host byte order).
/// </summary>
internal static class TwccDumpCheck
{
    public static int Run(IEnumerable<string> files)
    {
        long packets = 0, statuses = 0, received = 0, lost = 0, largeDeltas = 0, runChunks = 0, oneBitChunks = 0, twoBitChunks = 0;
        var errors = new List<string>();
        int fileCount = 0;
        foreach (string file in files)
        {
            fileCount++;
            byte[] data = File.ReadAllBytes(file);
            var next = new Dictionary<uint, (ushort Seq, byte Count)>();
            int pos = 0, index = 0;
            while (pos < data.Length && errors.Count < 20)
            {
                string where = $"{Path.GetFileName(file)} #{index++}";
                if (pos + 2 > data.Length) { errors.Add($"{where}: truncated record"); break; }
                int len = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(pos));
                pos += 2;
                if (pos + len + 2 > data.Length) { errors.Add($"{where}: truncated packet"); break; }
                ReadOnlySpan<byte> raw = data.AsSpan(pos, len);
                pos += len;
                int n = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(pos));
                pos += 2;
                if (pos + n * 11 > data.Length) { errors.Add($"{where}: truncated status log"); break; }
                ReadOnlySpan<byte> log = data.AsSpan(pos, n * 11);
                pos += n * 11;
                packets++;

                var reader = new RtcpCompoundReader(raw);
                if (reader.Error != RtcpError.None || reader.PacketCount != 1) { errors.Add($"{where}: RTCP framing {reader.Error}, {reader.PacketCount} packets"); continue; }
                reader.MoveNext();
                RtcpPacket packet = reader.Current;
                if (packet.Type != RtcpPacketType.RTPFB || packet.Count != RtpFeedbackFmt.TransportCc) { errors.Add($"{where}: not RTPFB FMT 15"); continue; }
                if (!TransportCcFeedback.TryRead(packet, out TransportCcFeedback fb)) { errors.Add($"{where}: TransportCcFeedback.TryRead refused it"); continue; }
                if (fb.PacketStatusCount != n) { errors.Add($"{where}: {fb.PacketStatusCount} statuses, the sink meant {n}"); continue; }
                ushort firstSeq = BinaryPrimitives.ReadUInt16LittleEndian(log);
                if (fb.BaseSequence != firstSeq) { errors.Add($"{where}: base {fb.BaseSequence}, the sink meant {firstSeq}"); continue; }
                if (next.TryGetValue(fb.MediaSsrc, out var expect))
                {
                    if (expect.Seq != fb.BaseSequence) errors.Add($"{where}: base {fb.BaseSequence} after a packet that ended before {expect.Seq}");
                    if (expect.Count != fb.FeedbackPacketCount) errors.Add($"{where}: fb pkt count {fb.FeedbackPacketCount}, expected {expect.Count}");
                }
                next[fb.MediaSsrc] = ((ushort)(fb.BaseSequence + n), (byte)(fb.FeedbackPacketCount + 1));
                CountChunks(packet.Body.Slice(8 + TransportCcFeedback.FciFixedSize), n, ref runChunks, ref oneBitChunks, ref twoBitChunks);

                // Arrival times: 24-bit reference time (64 ms = 256 ticks), then cumulative deltas.
                long ticks = (long)fb.ReferenceTime * 256;
                int i = 0;
                foreach (TransportCcPacketStatus st in fb)
                {
                    ReadOnlySpan<byte> e = log.Slice(i * 11, 11);
                    ushort seq = BinaryPrimitives.ReadUInt16LittleEndian(e);
                    bool rcv = e[2] != 0;
                    long meant = BinaryPrimitives.ReadInt64LittleEndian(e.Slice(3));
                    if (st.Sequence != seq || st.Received != rcv)
                    {
                        errors.Add($"{where}: status {i}: seq {st.Sequence} received {st.Received}, the sink meant {seq} {rcv}");
                        break;
                    }
                    statuses++;
                    if (rcv)
                    {
                        received++;
                        ticks += st.Delta;
                        if (st.Delta < 0 || st.Delta > 255) largeDeltas++;
                        // The reference time keeps 24 bits of 64 ms units.
                        const long wrap = (1L << 24) * 256;
                        if (((ticks - meant) % wrap + wrap) % wrap != 0)
                        {
                            errors.Add($"{where}: status {i} (seq {seq}): arrival {ticks} ticks, the sink meant {meant}");
                            break;
                        }
                    }
                    else
                    {
                        lost++;
                    }
                    i++;
                }
                if (i != n && errors.Count == 0) errors.Add($"{where}: enumerated {i} of {n} statuses");
            }
        }
        foreach (string e in errors)
            Console.WriteLine($"twcc check: {e}");
        Console.WriteLine($"{(errors.Count == 0 ? "OK" : "FAILED")}: {fileCount} dumps, {packets} feedback packets, {statuses} statuses " +
            $"({received} received, {lost} lost, {largeDeltas} large or negative deltas; chunks: {runChunks} run length, {oneBitChunks} 1-bit vectors, " +
            $"{twoBitChunks} 2-bit vectors) read back by TransportCcFeedback as the sink meant them");
        return errors.Count == 0 && packets > 0 ? 0 : 1;
    }

    // Chunk kinds (§3.1.3, §3.1.4) over the first `statuses` statuses.
    private static void CountChunks(ReadOnlySpan<byte> chunks, int statuses, ref long run, ref long oneBit, ref long twoBit)
    {
        int pos = 0;
        while (statuses > 0 && pos + 2 <= chunks.Length)
        {
            int c = BinaryPrimitives.ReadUInt16BigEndian(chunks.Slice(pos));
            pos += 2;
            if ((c & 0x8000) == 0) { run++; statuses -= c & 0x1FFF; }
            else if ((c & 0x4000) == 0) { oneBit++; statuses -= 14; }
            else { twoBit++; statuses -= 7; }
        }
    }
}
