using System;
using System.Runtime.CompilerServices;

namespace Mediasoup.Rtp;

/// <summary>
/// One element for <see cref="RtpPacket.SetExtensions(ReadOnlySpan{ExtensionSpec}, ReadOnlySpan{byte}, ExtensionForm)"/>:
/// its value is <c>values[ValueOffset .. ValueOffset + Length]</c> of a caller-owned scratch span,
/// so a list of them is plain data (no pointers, no allocation).
/// </summary>
internal readonly struct ExtensionSpec
{
    public readonly byte Id;
    public readonly byte Length;
    public readonly ushort ValueOffset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ExtensionSpec(byte id, byte length, ushort valueOffset)
    {
        Id = id;
        Length = length;
        ValueOffset = valueOffset;
    }
}
