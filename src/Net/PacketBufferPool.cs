using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Mediasoup.Net;

/// <summary>
/// Fixed-size native packet buffers for one worker: never moved by the GC, so the kernel and
/// native libraries can use them directly, and recycled so the packet path never allocates.
/// Grows by slabs when a burst needs more; memory is only touched when used.
/// </summary>
public sealed unsafe class PacketBufferPool : IDisposable
{
    /// <summary>Room for a full-size datagram plus SRTP trailers and header growth.</summary>
    public const int BufferSize = 2048;
    private const int SlabBuffers = 256;

    private readonly List<nint> _slabs = new();
    private nint[] _free = new nint[SlabBuffers];
    private int _freeCount;
    private bool _disposed;

    public int Capacity => _slabs.Count * SlabBuffers;

    public int InUse => Capacity - _freeCount;

    public byte* Rent()
    {
        if (_freeCount == 0)
            Grow();
        return (byte*)_free[--_freeCount];
    }

    public void Return(byte* buffer)
    {
        if (_freeCount == _free.Length)
            Array.Resize(ref _free, _free.Length * 2);
        _free[_freeCount++] = (nint)buffer;
    }

    private void Grow()
    {
        byte* slab = (byte*)NativeMemory.AlignedAlloc(SlabBuffers * BufferSize, 64);
        _slabs.Add((nint)slab);
        if (_free.Length < _freeCount + SlabBuffers)
            Array.Resize(ref _free, Math.Max(_free.Length * 2, _freeCount + SlabBuffers));
        for (int i = SlabBuffers - 1; i >= 0; i--)
            _free[_freeCount++] = (nint)(slab + i * BufferSize);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (nint slab in _slabs)
            NativeMemory.AlignedFree((void*)slab);
        _slabs.Clear();
        _freeCount = 0;
    }
}
