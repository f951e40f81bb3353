using System.Runtime.CompilerServices;

namespace Mediasoup.Rtp.Streams;

/// <summary>Wrap-aware ordering of RTP sequence numbers and timestamps (RFC 1982 style).
/// A distance of exactly half the range counts as "higher" only for the numerically
/// lower operand, which keeps the relation antisymmetric like the reference.</summary>
public static class SeqMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHigher(ushort lhs, ushort rhs)
    {
        ushort d = (ushort)(lhs - rhs);
        return d != 0 && (d < 0x8000 || (d == 0x8000 && lhs < rhs));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLower(ushort lhs, ushort rhs) => IsHigher(rhs, lhs);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHigherOrEqual(ushort lhs, ushort rhs) => lhs == rhs || IsHigher(lhs, rhs);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHigher(uint lhs, uint rhs)
    {
        uint d = lhs - rhs;
        return d != 0 && (d < 0x8000_0000u || (d == 0x8000_0000u && lhs < rhs));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLower(uint lhs, uint rhs) => IsHigher(rhs, lhs);

    /// <summary>std::round semantics (half away from zero); Math.Round defaults to banker's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double RoundHalfAway(double v) => System.Math.Round(v, System.MidpointRounding.AwayFromZero);
}
