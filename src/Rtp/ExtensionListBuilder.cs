using System;

namespace Mediasoup.Rtp;

/// <summary>
/// Collects extension elements into caller-provided spans (typically stackalloc), then applies
/// them to a packet in one rewrite. Values are copied at Add time, so they may come from the
/// packet being rewritten.
/// </summary>
internal ref struct ExtensionListBuilder
{
    private readonly Span<ExtensionSpec> _specs;
    private readonly Span<byte> _values;
    private int _count;
    private int _used;
    private bool _overflow;

    public ExtensionListBuilder(Span<ExtensionSpec> specs, Span<byte> values)
    {
        _specs = specs;
        _values = values;
        _count = 0;
        _used = 0;
        _overflow = false;
    }

    public readonly int Count => _count;

    /// <summary>True when an Add did not fit the scratch spans; Apply then refuses.</summary>
    public readonly bool Overflowed => _overflow;

    public readonly ReadOnlySpan<ExtensionSpec> Specs => _specs[.._count];

    public readonly ReadOnlySpan<byte> Values => _values[.._used];

    /// <summary>Adds an element with a copy of <paramref name="value"/>.</summary>
    public bool Add(byte id, ReadOnlySpan<byte> value)
    {
        if (!TryReserve(id, value.Length, out Span<byte> slot))
        {
            return false;
        }
        value.CopyTo(slot);
        return true;
    }

    /// <summary>
    /// Adds an element of <paramref name="length"/> zero bytes and returns its value span for the
    /// caller to fill (or to leave as a placeholder, e.g. the 8-byte MID slot). Empty on overflow.
    /// </summary>
    public Span<byte> Reserve(byte id, int length)
    {
        TryReserve(id, length, out Span<byte> slot);
        return slot;
    }

    /// <summary><see cref="Reserve"/> that also says whether it fitted (a 0-byte slot is empty either way).</summary>
    public bool TryReserve(byte id, int length, out Span<byte> slot)
    {
        if (_count == _specs.Length || (uint)length > 255 || _used + length > _values.Length || _used + length > ushort.MaxValue)
        {
            _overflow = true;
            slot = default;
            return false;
        }
        slot = _values.Slice(_used, length);
        slot.Clear();
        _specs[_count++] = new ExtensionSpec(id, (byte)length, (ushort)_used);
        _used += length;
        return true;
    }

    /// <summary>Rewrites the packet's extension block; false if it overflowed or does not fit.</summary>
    public readonly bool Apply(RtpPacket packet, ExtensionForm form = ExtensionForm.Auto)
    {
        return !_overflow && packet.SetExtensions(Specs, Values, form);
    }
}
