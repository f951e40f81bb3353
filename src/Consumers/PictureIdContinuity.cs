namespace Mediasoup.Consumers;

/// <summary>
/// Keeps a VP8 stream's picture ids (RFC 7741 §4.2, 7 or 15 bits) and TL0PICIDX continuous for
/// one receiver, sans IO: frames the consumer drops on purpose (temporal layers above the
/// current one) leave no gap, and a switch to another source (simulcast encoding) continues
/// right after the last id sent instead of jumping to that source's numbering. Real losses
/// keep their gap. A few recent frames are remembered, so late packets (and retransmissions)
/// of a forwarded frame get the id their frame got.
/// </summary>
internal sealed class PictureIdContinuity
{
    private const int Remembered = 64;
    private readonly ushort[] _inIds = new ushort[Remembered];
    private readonly ushort[] _outIds = new ushort[Remembered];
    private readonly bool[] _used = new bool[Remembered];
    private bool _started;
    private bool _restart;
    private ushort _maxIn, _maxOut;
    private int _droppedSinceMax;
    private bool _haveLastDropped;
    private ushort _lastDropped;
    private byte _tl0Offset;
    private bool _haveTl0;
    private byte _lastTl0Out;

    /// <summary>The next frame comes from another source: number it after the last one sent.</summary>
    public void Restart()
    {
        _restart = true;
        _haveLastDropped = false;
        _droppedSinceMax = 0;
        System.Array.Clear(_used);
    }

    /// <summary>A frame the consumer does not forward (all its packets).</summary>
    public void Drop(ushort pictureId, int bits)
    {
        if (!_started || _restart)
            return;
        int mask = Mask(bits);
        int diff = (pictureId - _maxIn) & mask;
        if (diff == 0 || diff > mask / 2)
            return; // not newer than the newest forwarded frame
        if (_haveLastDropped && _lastDropped == pictureId)
            return;
        _haveLastDropped = true;
        _lastDropped = pictureId;
        _droppedSinceMax++;
    }

    /// <summary>The outgoing picture id and TL0PICIDX of a forwarded packet; false when the
    /// frame is too old to place (drop the packet).</summary>
    public bool Map(ushort pictureId, int bits, byte tl0PicIdx, out ushort outId, out byte outTl0)
    {
        int mask = Mask(bits);
        outTl0 = 0;
        if (!_started || _restart)
        {
            outId = _started ? (ushort)((_maxOut + 1) & mask) : (ushort)(pictureId & mask);
            _tl0Offset = _haveTl0 ? (byte)(_lastTl0Out + 1 - tl0PicIdx) : (byte)0;
            _started = true;
            _restart = false;
            SetMax(pictureId, outId);
        }
        else
        {
            int diff = (pictureId - _maxIn) & mask;
            if (diff == 0)
            {
                outId = _maxOut;
            }
            else if (diff <= mask / 2)
            {
                outId = (ushort)((_maxOut + diff - _droppedSinceMax) & mask);
                SetMax(pictureId, outId);
            }
            else
            {
                int slot = pictureId % Remembered;
                if (!_used[slot] || _inIds[slot] != pictureId)
                {
                    outId = 0;
                    return false;
                }
                outId = _outIds[slot];
            }
        }
        outTl0 = (byte)(tl0PicIdx + _tl0Offset);
        if (!_haveTl0 || (sbyte)(outTl0 - _lastTl0Out) > 0)
            _lastTl0Out = outTl0;
        _haveTl0 = true;
        return true;
    }

    private void SetMax(ushort pictureId, ushort outId)
    {
        _maxIn = pictureId;
        _maxOut = outId;
        _droppedSinceMax = 0;
        _haveLastDropped = false;
        int slot = pictureId % Remembered;
        _inIds[slot] = pictureId;
        _outIds[slot] = outId;
        _used[slot] = true;
    }

    private static int Mask(int bits) => bits == 7 ? 0x7F : 0x7FFF;
}
