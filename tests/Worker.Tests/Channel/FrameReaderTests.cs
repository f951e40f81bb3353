using System.Buffers.Binary;
using Mediasoup.Channel;
using Xunit;

namespace Mediasoup.Tests.Channel;

public sealed class FrameReaderTests
{
    private static byte[] Frame(byte[] payload) => Prefixed((uint)payload.Length, payload);

    private static byte[] Prefixed(uint length, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, length);
        payload.CopyTo(frame.AsSpan(4));
        return frame;
    }

    private static byte[] Payload(int length, int seed)
    {
        var p = new byte[length];
        new Random(seed).NextBytes(p);
        return p;
    }

    /// <summary>Writes data into the reader in pieces of at most chunk bytes, draining after each.</summary>
    private static List<byte[]> Feed(FrameReader reader, ReadOnlySpan<byte> data, int chunk = int.MaxValue)
    {
        var frames = new List<byte[]>();
        while (!data.IsEmpty)
        {
            Span<byte> target = reader.GetWritable();
            int n = Math.Min(Math.Min(chunk, target.Length), data.Length);
            Assert.True(n > 0, "GetWritable returned no space");
            data[..n].CopyTo(target);
            reader.Commit(n);
            data = data[n..];
            frames.AddRange(Drain(reader));
        }
        return frames;
    }

    private static List<byte[]> Drain(FrameReader reader)
    {
        var frames = new List<byte[]>();
        while (reader.TryRead(out int offset, out int length))
            frames.Add(reader.Buffer.AsSpan(offset, length).ToArray());
        return frames;
    }

    [Fact]
    public void SingleFrame_IsReturnedWithoutPrefix()
    {
        var reader = new FrameReader();
        byte[] payload = Payload(100, 1);
        List<byte[]> frames = Feed(reader, Frame(payload));
        Assert.Single(frames);
        Assert.Equal(payload, frames[0]);
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void SplitMessages_ByteByByte_AreReassembledOnlyWhenComplete()
    {
        var reader = new FrameReader(16);
        byte[][] payloads = [Payload(37, 2), [], Payload(300, 3), Payload(1, 4)];
        byte[] stream = payloads.SelectMany(Frame).ToArray();

        var received = new List<byte[]>();
        var completedAt = new List<int>();
        for (int i = 0; i < stream.Length; i++)
        {
            List<byte[]> got = Feed(reader, stream.AsSpan(i, 1));
            foreach (byte[] f in got)
                completedAt.Add(i);
            received.AddRange(got);
        }

        Assert.Equal(payloads.Length, received.Count);
        for (int i = 0; i < payloads.Length; i++)
            Assert.Equal(payloads[i], received[i]);
        // Each frame must pop out exactly at its own last byte.
        int end = -1;
        for (int i = 0; i < payloads.Length; i++)
        {
            end += 4 + payloads[i].Length;
            Assert.Equal(end, completedAt[i]);
        }
        Assert.Equal(0, reader.Buffered);
    }

    [Fact]
    public void MergedMessages_InOneChunk_AreAllReturnedInOrder()
    {
        var reader = new FrameReader();
        byte[][] payloads = Enumerable.Range(0, 50).Select(i => Payload(i * 7, 100 + i)).ToArray();
        byte[] stream = payloads.SelectMany(Frame).ToArray();

        List<byte[]> frames = Feed(reader, stream);

        Assert.Equal(payloads.Length, frames.Count);
        for (int i = 0; i < payloads.Length; i++)
            Assert.Equal(payloads[i], frames[i]);
    }

    [Fact]
    public void RandomChunkBoundaries_PreserveEveryFrame()
    {
        var rng = new Random(1234);
        var reader = new FrameReader(64);
        byte[][] payloads = Enumerable.Range(0, 200).Select(i => Payload(rng.Next(0, 3000), i)).ToArray();
        byte[] stream = payloads.SelectMany(Frame).ToArray();

        var frames = new List<byte[]>();
        int pos = 0;
        while (pos < stream.Length)
        {
            int n = Math.Min(rng.Next(1, 5000), stream.Length - pos);
            frames.AddRange(Feed(reader, stream.AsSpan(pos, n)));
            pos += n;
        }

        Assert.Equal(payloads.Length, frames.Count);
        for (int i = 0; i < payloads.Length; i++)
            Assert.Equal(payloads[i], frames[i]);
    }

    [Fact]
    public void OversizeLengthPrefix_IsSkipped_AndStreamStaysInSync()
    {
        var reader = new FrameReader();
        byte[] before = Payload(10, 5);
        byte[] after = Payload(20, 6);
        int oversize = FrameReader.PayloadMaxLen + 1;
        // The oversized body is filled with bytes that would look like small frames if misparsed.
        byte[] junk = new byte[oversize];
        Array.Fill(junk, (byte)1);

        var frames = new List<byte[]>();
        frames.AddRange(Feed(reader, Frame(before)));
        frames.AddRange(Feed(reader, Prefixed((uint)oversize, junk), chunk: 256 * 1024));
        frames.AddRange(Feed(reader, Frame(after), chunk: 3));

        Assert.Equal(2, frames.Count);
        Assert.Equal(before, frames[0]);
        Assert.Equal(after, frames[1]);
        Assert.Equal(1, reader.OversizedFrames);
        Assert.Equal(0, reader.Buffered);
        // Skipping must not have grown the buffer to hold the oversized frame.
        Assert.True(reader.Buffer.Length < oversize, $"buffer grew to {reader.Buffer.Length}");
    }

    [Fact]
    public void OversizeFrame_FollowedByValidFrameInSameChunk()
    {
        var reader = new FrameReader();
        int oversize = FrameReader.PayloadMaxLen + 1000;
        byte[] next = Payload(33, 7);
        byte[] stream = [.. Prefixed((uint)oversize, new byte[oversize]), .. Frame(next)];

        List<byte[]> frames = Feed(reader, stream, chunk: 1 << 20);

        Assert.Single(frames);
        Assert.Equal(next, frames[0]);
        Assert.Equal(1, reader.OversizedFrames);
    }

    [Fact]
    public void LargestAllowedPayload_IsDelivered()
    {
        var reader = new FrameReader();
        byte[] payload = Payload(FrameReader.PayloadMaxLen, 8);

        List<byte[]> frames = Feed(reader, Frame(payload), chunk: 1 << 20);

        Assert.Single(frames);
        Assert.Equal(payload.Length, frames[0].Length);
        Assert.True(payload.AsSpan().SequenceEqual(frames[0]));
        Assert.Equal(0, reader.OversizedFrames);
    }

    [Fact]
    public void LargeFrame_GrowsBuffer_AndGetWritableOffersRoomForTheRest()
    {
        var reader = new FrameReader(64 * 1024);
        byte[] payload = Payload(5 * 1024 * 1024, 9);
        byte[] frame = Frame(payload);

        // First only the prefix and a little data: the reader now knows the length.
        Assert.Empty(Feed(reader, frame.AsSpan(0, 100)));
        Span<byte> writable = reader.GetWritable();
        Assert.True(writable.Length >= frame.Length - 100,
            $"writable {writable.Length} < remaining {frame.Length - 100}");

        List<byte[]> frames = Feed(reader, frame.AsSpan(100), chunk: 64 * 1024);
        Assert.Single(frames);
        Assert.True(payload.AsSpan().SequenceEqual(frames[0]));
        Assert.True(reader.Buffer.Length >= frame.Length);
    }

    [Fact]
    public void Garbage_NeverThrows_AndNeverYieldsOversizedFrames()
    {
        var rng = new Random(42);
        var reader = new FrameReader();
        var garbage = new byte[4 * 1024 * 1024];
        rng.NextBytes(garbage);

        // Chunked like a real socket; every frame handed out must respect the limit.
        int pos = 0;
        while (pos < garbage.Length)
        {
            int n = Math.Min(rng.Next(1, 70000), garbage.Length - pos);
            Span<byte> target = reader.GetWritable();
            n = Math.Min(n, target.Length);
            garbage.AsSpan(pos, n).CopyTo(target);
            reader.Commit(n);
            pos += n;
            while (reader.TryRead(out int offset, out int length))
            {
                Assert.InRange(length, 0, FrameReader.PayloadMaxLen);
                Assert.InRange(offset + length, 0, reader.Buffer.Length);
            }
        }
        Assert.True(reader.Buffer.Length <= FrameReader.MessageMaxLen * 2);
    }

    [Fact]
    public void SmallLengthPrefixes_0To7_AreDeliveredAsFrames()
    {
        // The reader only frames bytes; judging content is the channel's job.
        var reader = new FrameReader();
        byte[][] payloads = Enumerable.Range(0, 8).Select(i => Payload(i, i)).ToArray();
        List<byte[]> frames = Feed(reader, payloads.SelectMany(Frame).ToArray());
        Assert.Equal(8, frames.Count);
        for (int i = 0; i < 8; i++)
            Assert.Equal(payloads[i], frames[i]);
    }

    [Fact]
    public void Commit_BeyondWritable_Throws()
    {
        var reader = new FrameReader(16);
        int free = reader.GetWritable(1).Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Commit(free + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Commit(-1));
    }

    [Fact]
    public void PartialPrefix_WaitsForMoreBytes()
    {
        var reader = new FrameReader();
        byte[] frame = Frame([1, 2, 3]);
        Assert.Empty(Feed(reader, frame.AsSpan(0, 3)));
        Assert.Equal(3, reader.Buffered);
        List<byte[]> frames = Feed(reader, frame.AsSpan(3));
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(frames));
    }
}
