using Mediasoup.Rtp.Streams;

namespace Mediasoup.Consumers;

/// <summary>
/// Where a forwarder (re)started its output: packets numbered before it must be dropped, their
/// output numbers were given away. The point follows the stream at a distance of at most
/// <see cref="MaxTrail"/>: a fixed point would compare "higher" than every packet once the
/// stream is half the 16-bit sequence space past it (RFC 1982 order), and the forwarder would
/// drop 32768 packets in a row every 65536.
/// </summary>
internal struct SyncPoint
{
    /// <summary>Far enough back for any reordering, well inside half the sequence space.</summary>
    public const ushort MaxTrail = 0x4000;

    private ushort _seq;

    public void Set(ushort seq) => _seq = seq;

    /// <summary>True if <paramref name="seq"/> came before the point (to be dropped);
    /// otherwise the point catches up to within <see cref="MaxTrail"/> of it.</summary>
    public bool IsBefore(ushort seq)
    {
        if (SeqMath.IsHigher(_seq, seq))
            return true;
        if ((ushort)(seq - _seq) > MaxTrail)
            _seq = (ushort)(seq - MaxTrail);
        return false;
    }
}
