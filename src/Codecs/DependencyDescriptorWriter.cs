using System;
namespace Mediasoup.Codecs;

/// <summary>
/// Rewrites a dependency descriptor with another active_decode_targets_bitmask (AV1 RTP
/// specification A.4, A.8.2), for a forwarder that sends a subset of the decode targets. Every
/// other field, the template structure and custom DTIs/fdiffs/chains included, is copied bit for
/// bit; a descriptor that had no bitmask (or only the mandatory fields) grows by it.
/// </summary>
internal static class DependencyDescriptorWriter
{
    private const int MandatoryBits = 24;
    private const int FlagBits = 5;
    private const uint ActiveDecodeTargetsPresentFlag = 0x08;

    /// <summary>The length <see cref="Write"/> produces for this descriptor, in bytes.</summary>
    public static int GetLength(in DependencyDescriptor d)
    {
        int bits = d.HasExtendedFields
            ? d.ConsumedBits - (d.HasActiveDecodeTargets ? d.DecodeTargetCount : 0) + d.DecodeTargetCount
            : MandatoryBits + FlagBits + d.DecodeTargetCount;
        return (bits + 7) >> 3;
    }

    /// <summary>
    /// Writes <paramref name="source"/> (the extension <paramref name="d"/> was parsed from) into
    /// <paramref name="destination"/> with the bitmask set to <paramref name="activeDecodeTargets"/>
    /// (bits above DtCnt ignored). Returns the written length (<see cref="GetLength"/>), or -1 when
    /// the destination is too small or source and descriptor do not match. The spans must not overlap.
    /// </summary>
    public static int Write(ReadOnlySpan<byte> source, in DependencyDescriptor d, uint activeDecodeTargets, Span<byte> destination)
    {
        int dtCnt = d.DecodeTargetCount;
        if (dtCnt == 0 || d.ConsumedBits > source.Length * 8 || d.ActiveDecodeTargetsBit > d.ConsumedBits)
        {
            return -1;
        }
        int length = GetLength(d);
        if (destination.Length < length)
        {
            return -1;
        }
        uint mask = dtCnt >= 32 ? activeDecodeTargets : activeDecodeTargets & ((1u << dtCnt) - 1);
        var writer = new BitWriter(destination);
        if (!writer.TryCopy(source, 0, MandatoryBits))
        {
            return -1;
        }
        if (!d.HasExtendedFields)
        {
            // No structure, custom fields or bitmask before: flags 0 1 0 0 0, then the bitmask.
            if (!writer.TryWrite(FlagBits, ActiveDecodeTargetsPresentFlag) || !writer.TryWrite(dtCnt, mask))
            {
                return -1;
            }
            return writer.ByteLength;
        }
        var reader = new BitReader(source);
        int maskEnd = d.ActiveDecodeTargetsBit + (d.HasActiveDecodeTargets ? dtCnt : 0);
        if (!reader.TryRead(MandatoryBits, out _)
            || !reader.TryRead(FlagBits, out uint flags)
            || maskEnd > d.ConsumedBits
            || !writer.TryWrite(FlagBits, flags | ActiveDecodeTargetsPresentFlag)
            || !writer.TryCopy(source, MandatoryBits + FlagBits, d.ActiveDecodeTargetsBit - MandatoryBits - FlagBits)
            || !writer.TryWrite(dtCnt, mask)
            || !writer.TryCopy(source, maskEnd, d.ConsumedBits - maskEnd))
        {
            return -1;
        }
        return writer.ByteLength;
    }
}
