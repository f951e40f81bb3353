using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Mediasoup.Net;

/// <summary>
/// Fixed-size native packet buffers for one worker: never moved by the GC, so the kernel and
/// native libraries can use them directly, and recycled so the packet path never allocates.
/// Grows by slabs when a burst needs more; memory is only touched when used. <see cref="Trim"/>
/// gives slabs whose buffers are all back to the system, so a burst does not pin its peak.
/// </summary>
public sealed unsafe class PacketBufferPool : IDisposable
{
    /// <summary>Room for a full-size datagram plus SRTP trailers and header growth.</summary>
    public const int BufferSize = 2048;
    public const int SlabBuffers = 256;

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

    /// <summary>
    /// Frees slabs none of whose buffers are rented, as long as at least <paramref name="keepFree"/>
    /// free buffers remain. Returns the number of slabs freed. Cost linear in the free buffers:
    /// for a periodic or idle call, not the packet path.
    /// </summary>
    public int Trim(int keepFree)
    {
        if (_disposed || _slabs.Count == 0 || _freeCount - SlabBuffers < keepFree)
            return 0;
        nint[] slabs = _slabs.ToArray();
        Array.Sort(slabs);
        var freeInSlab = new int[slabs.Length];
        for (int i = 0; i < _freeCount; i++)
            freeInSlab[SlabOf(slabs, _free[i])]++;

        var release = new bool[slabs.Length];
        int released = 0;
        for (int s = 0; s < slabs.Length && _freeCount - (released + 1) * SlabBuffers >= keepFree; s++)
        {
            if (freeInSlab[s] == SlabBuffers)
            {
                release[s] = true;
                released++;
            }
        }
        if (released == 0)
            return 0;

        int kept = 0;
        for (int i = 0; i < _freeCount; i++)
        {
            if (!release[SlabOf(slabs, _free[i])])
                _free[kept++] = _free[i];
        }
        _freeCount = kept;
        for (int s = 0; s < slabs.Length; s++)
        {
            if (!release[s])
                continue;
            _slabs.Remove(slabs[s]);
            NativeMemory.AlignedFree((void*)slabs[s]);
        }
        int wanted = Math.Max(SlabBuffers, _slabs.Count * SlabBuffers);
        if (_free.Length > 2 * wanted)
            Array.Resize(ref _free, wanted);
        return released;
    }

    // The slab holding a buffer: the last slab starting at or below it (slabs sorted).
    private static int SlabOf(nint[] sortedSlabs, nint buffer)
    {
        int i = Array.BinarySearch(sortedSlabs, buffer);
        return i >= 0 ? i : ~i - 1;
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
