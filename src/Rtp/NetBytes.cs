using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Mediasoup.Rtp;

/// <summary>
/// Unaligned network-order loads and stores over raw pointers. The callers have already
/// bounds-checked, so these compile to a load plus a byte swap.
/// </summary>
internal static unsafe class NetBytes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Get16(byte* p)
    {
        ushort v = Unsafe.ReadUnaligned<ushort>(p);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set16(byte* p, ushort value)
    {
        Unsafe.WriteUnaligned(p, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Get24(byte* p) => ((uint)p[0] << 16) | ((uint)p[1] << 8) | p[2];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set24(byte* p, uint value)
    {
        p[0] = (byte)(value >> 16);
        p[1] = (byte)(value >> 8);
        p[2] = (byte)value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Get32(byte* p)
    {
        uint v = Unsafe.ReadUnaligned<uint>(p);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set32(byte* p, uint value)
    {
        Unsafe.WriteUnaligned(p, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get64(byte* p)
    {
        ulong v = Unsafe.ReadUnaligned<ulong>(p);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set64(byte* p, ulong value)
    {
        Unsafe.WriteUnaligned(p, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
    }
}
