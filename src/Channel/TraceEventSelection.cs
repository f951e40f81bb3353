using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Mediasoup.Channel;

/// <summary>
/// The trace event types an ENABLE_TRACE_EVENT request selects. The schema's event enums are
/// one byte wide, so the request's vector is read as raw bytes.
/// </summary>
internal static class TraceEventSelection
{
    /// <summary>Replaces set with the distinct requested types, in request order (the order dumps show).</summary>
    public static void Replace<T>(List<T> set, ArraySegment<byte>? requested) where T : unmanaged, Enum
    {
        if (Unsafe.SizeOf<T>() != 1)
            throw new ArgumentException($"{typeof(T).Name} is not a one-byte enum");
        set.Clear();
        if (requested is not { } bytes)
            return;
        foreach (byte raw in bytes)
        {
            byte copy = raw;
            T type = Unsafe.As<byte, T>(ref copy);
            if (!set.Contains(type))
                set.Add(type);
        }
    }
}
