using System;
using Google.FlatBuffers;

namespace Mediasoup.Channel;

/// <summary>
/// Presents exactly one received frame to the FlatBuffers reader. The frame is copied to the
/// start of a reusable array and the reader's length is the frame's, so a corrupt offset
/// fails with an out-of-range error instead of reading stale bytes of earlier messages.
/// </summary>
internal sealed class FrameWindow : ByteBufferAllocator
{
    private byte[] _scratch = new byte[64 * 1024];

    public FrameWindow()
    {
        Buffer = _scratch;
        Length = 0;
        View = new ByteBuffer(this, 0);
    }

    /// <summary>Reader over the current frame; the same instance every time.</summary>
    public ByteBuffer View { get; }

    public void Load(byte[] source, int offset, int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
            Buffer = _scratch;
        }
        System.Buffer.BlockCopy(source, offset, _scratch, 0, length);
        Length = length;
        View.Position = 0;
    }

    public override void GrowFront(int newSize) => throw new NotSupportedException("received frames are read-only");
}
