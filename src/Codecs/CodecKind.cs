using System;
namespace Mediasoup.Codecs;

/// <summary>The codecs whose payloads the worker looks into; everything else is Other.</summary>
internal enum CodecKind : byte
{
    Other = 0,
    Opus,
    MultiOpus,
    Vp8,
    Vp9,
    H264,
    Av1,
}

internal static class CodecKinds
{
    /// <summary>Maps a mime type ("video/VP8", case-insensitive) to its kind; once per codec, not per packet.</summary>
    public static CodecKind FromMimeType(ReadOnlySpan<char> mimeType)
    {
        int slash = mimeType.IndexOf('/');
        ReadOnlySpan<char> subtype = slash >= 0 ? mimeType[(slash + 1)..] : mimeType;
        if (subtype.Equals("opus", StringComparison.OrdinalIgnoreCase)) return CodecKind.Opus;
        if (subtype.Equals("multiopus", StringComparison.OrdinalIgnoreCase)) return CodecKind.MultiOpus;
        if (subtype.Equals("VP8", StringComparison.OrdinalIgnoreCase)) return CodecKind.Vp8;
        if (subtype.Equals("VP9", StringComparison.OrdinalIgnoreCase)) return CodecKind.Vp9;
        if (subtype.Equals("H264", StringComparison.OrdinalIgnoreCase)) return CodecKind.H264;
        if (subtype.Equals("AV1", StringComparison.OrdinalIgnoreCase)) return CodecKind.Av1;
        return CodecKind.Other;
    }
}
