using System;
using System.Numerics;

namespace Mediasoup.Rtp.Streams;

/// <summary>Consumer-side sequence number rewriting: output numbers continue from a random
/// start, survive 16-bit wraps, and close the gaps left by inputs the consumer dropped on
/// purpose (real losses stay visible so the receiver can NACK them).
///
/// output(x) = x + offset + (number of drops after x still remembered), where offset already
/// discounts every drop so far. Drops are remembered in a bitmap covering half the sequence
/// space behind the newest input (4 KB), the same horizon at which the reference forgets
/// them; anything further back is "newer" by RFC 1982 ordering anyway.</summary>
public sealed class SeqManager
{
    /// <summary>How far behind the newest input drops are remembered.</summary>
    public const int DropWindow = 32768;
    private const int WindowMask = DropWindow - 1;

    private readonly ushort _initialOutput;
    private readonly ulong[] _dropped = new ulong[DropWindow / 64];
    private bool _started;
    private ushort _offset;      // in the space without _initialOutput
    private ushort _maxInput;
    private ushort _maxOutput;   // in the space without _initialOutput
    private ushort _maxDropped;
    private ushort _maxForwarded;
    private int _droppedCount;   // bits set in the window

    public SeqManager(ushort initialOutput = 0) => _initialOutput = initialOutput;

    public ushort MaxInput => _maxInput;
    public ushort MaxOutput => (ushort)(_maxOutput + _initialOutput);
    public bool Started => _started;

    /// <summary>Re-bases so that the input after <paramref name="input"/> continues right
    /// after the highest output sent (source switch; pass seq-2 to leave a one-number gap
    /// that tells the receiver the previous frame is incomplete).</summary>
    public void Sync(ushort input)
    {
        _offset = (ushort)(_maxOutput - input);
        _maxInput = input;
        ClearWindow();
    }

    /// <summary>The consumer will not send this input: later outputs close the gap.</summary>
    public void Drop(ushort input)
    {
        if (SeqMath.IsHigher(input, _maxInput))
        {
            AdvanceMaxInput(input);
            _maxDropped = input;
            MarkDropped(input);
        }
        // A late input may still be hidden while nothing above it has been forwarded since
        // the last drop, i.e. no output number beyond it has been given away yet.
        else if (_maxInput == _maxDropped && SeqMath.IsHigher(input, _maxForwarded)
                 && (ushort)(_maxInput - input) < DropWindow)
        {
            MarkDropped(input);
        }
    }

    /// <summary>Maps an input to its output; false if the input was dropped or is too old.</summary>
    public bool Input(ushort input, out ushort output)
    {
        output = 0;
        bool newest;
        if (!_started && _droppedCount == 0)
        {
            newest = true;
            _maxInput = input;
        }
        else
        {
            newest = SeqMath.IsHigher(input, _maxInput);
        }

        ushort mapped;
        if (newest)
        {
            // Every remembered drop lies below it.
            if (input != _maxInput)
                AdvanceMaxInput(input);
            _maxForwarded = input;
            mapped = (ushort)(input + _offset);
        }
        else
        {
            int behind = (ushort)(_maxInput - input);
            if (behind >= DropWindow || IsDropped(input))
                return false;
            mapped = (ushort)(input + _offset + CountDroppedAfter(input, behind));
        }

        if (!_started)
        {
            _started = true;
            _maxOutput = mapped;
        }
        else if (SeqMath.IsHigher(mapped, _maxOutput))
        {
            _maxOutput = mapped;
        }
        output = (ushort)(mapped + _initialOutput);
        return true;
    }

    private void AdvanceMaxInput(ushort input)
    {
        int step = (ushort)(input - _maxInput);
        // The slots the window slides over belong to inputs a window back: forget them.
        if (step >= DropWindow)
            ClearWindow();
        else
            ClearRange((ushort)(_maxInput + 1), step);
        _maxInput = input;
    }

    private void MarkDropped(ushort input)
    {
        int bit = input & WindowMask;
        ulong mask = 1UL << (bit & 63);
        ref ulong word = ref _dropped[bit >> 6];
        if ((word & mask) != 0)
            return;
        word |= mask;
        _droppedCount++;
        _offset--;
    }

    private bool IsDropped(ushort input)
    {
        int bit = input & WindowMask;
        return (_dropped[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    // Drops among (input, _maxInput], i.e. the 'behind' slots after input.
    private int CountDroppedAfter(ushort input, int behind)
    {
        if (_droppedCount == 0 || behind == 0)
            return 0;
        int count = 0;
        int start = (input + 1) & WindowMask;
        int n = behind;
        while (n > 0)
        {
            int bit = start & 63;
            int take = Math.Min(64 - bit, n);
            ulong mask = (take == 64 ? ulong.MaxValue : (1UL << take) - 1) << bit;
            count += BitOperations.PopCount(_dropped[start >> 6] & mask);
            start = (start + take) & WindowMask;
            n -= take;
        }
        return count;
    }

    private void ClearRange(ushort from, int n)
    {
        if (_droppedCount == 0)
            return;
        int start = from & WindowMask;
        while (n > 0)
        {
            int bit = start & 63;
            int take = Math.Min(64 - bit, n);
            ulong mask = (take == 64 ? ulong.MaxValue : (1UL << take) - 1) << bit;
            ref ulong word = ref _dropped[start >> 6];
            _droppedCount -= BitOperations.PopCount(word & mask);
            word &= ~mask;
            start = (start + take) & WindowMask;
            n -= take;
        }
    }

    private void ClearWindow()
    {
        if (_droppedCount != 0)
            Array.Clear(_dropped);
        _droppedCount = 0;
    }
}
