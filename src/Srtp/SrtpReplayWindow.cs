using System;
using Mediasoup.Interop.LibSrtp;

namespace Mediasoup.Srtp;

/// <summary>
/// Replay protection for one SSRC (RFC 3711 §3.3.2): the highest packet index accepted so far
/// and a bitmap of the last <c>size</c> indices, kept as a ring indexed by index mod size.
/// For SRTP the 48-bit index is also estimated here from the 16-bit sequence number
/// (RFC 3711 Appendix A), which is how the rollover counter is tracked.
/// </summary>
internal sealed class SrtpReplayWindow
{
    private const long SeqMedian = 1 << 15;

    private readonly ulong[] _bits;
    private readonly int _mask;

    /// <param name="size">A power of two, at least 64.</param>
    public SrtpReplayWindow(int size)
    {
        if (size < 64 || (size & (size - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(size));
        _bits = new ulong[size / 64];
        _mask = size - 1;
    }

    /// <summary>The highest index accepted (0 before any).</summary>
    public ulong Highest { get; private set; }

    public int Size => _mask + 1;

    /// <summary>Back to the state of a new window (nothing seen).</summary>
    public void Reset()
    {
        Array.Clear(_bits);
        Highest = 0;
    }

    /// <summary>
    /// The 48-bit SRTP index for <paramref name="seq"/> and its distance from <see cref="Highest"/>.
    /// Until the highest index passes 2^15 the rollover counter is taken as 0, as libsrtp does,
    /// so a stream that starts at a high sequence number is not guessed into ROC −1.
    /// </summary>
    public long EstimateRtpIndex(ushort seq, out ulong index)
    {
        if (Highest <= SeqMedian)
        {
            index = seq;
            return (long)seq - (long)Highest;
        }
        uint localRoc = (uint)(Highest >> 16);
        int localSeq = (int)(Highest & 0xFFFF);
        uint roc = localRoc;
        if (localSeq < SeqMedian)
        {
            if (seq - localSeq > SeqMedian)
                roc = localRoc - 1;
        }
        else if (localSeq - SeqMedian > seq)
        {
            roc = localRoc + 1;
        }
        index = (((ulong)roc << 16) | seq) & 0xFFFF_FFFF_FFFFUL;
        return (long)index - (long)Highest;
    }

    /// <summary>Ok when <paramref name="index"/> (at <paramref name="delta"/> from Highest) was not seen and is not too old.</summary>
    public SrtpErrorStatus Check(ulong index, long delta)
    {
        if (delta > 0)
            return SrtpErrorStatus.Ok;
        if (delta <= -Size)
            return SrtpErrorStatus.ReplayOld;
        return IsSet(index) ? SrtpErrorStatus.ReplayFail : SrtpErrorStatus.Ok;
    }

    /// <summary>Records <paramref name="index"/> as seen; call only after <see cref="Check"/> said Ok and the packet authenticated.</summary>
    public void Add(ulong index, long delta)
    {
        if (delta > 0)
        {
            if (delta >= Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                // Forget the indices skipped over: their ring slots held ones a window ago.
                for (ulong i = Highest + 1; i < index; i++)
                    Clear(i);
            }
            Highest = index;
        }
        Set(index);
    }

    private bool IsSet(ulong index)
    {
        int pos = (int)(index & (ulong)_mask);
        return (_bits[pos >> 6] & (1UL << (pos & 63))) != 0;
    }

    private void Set(ulong index)
    {
        int pos = (int)(index & (ulong)_mask);
        _bits[pos >> 6] |= 1UL << (pos & 63);
    }

    private void Clear(ulong index)
    {
        int pos = (int)(index & (ulong)_mask);
        _bits[pos >> 6] &= ~(1UL << (pos & 63));
    }
}
