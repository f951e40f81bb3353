using System;
using Mediasoup.Channel;

namespace Mediasoup.RtpParameters;

public enum MediaKind : byte
{
    Audio = 0,
    Video = 1,
}

public enum CodecSubtype : byte
{
    Opus, MultiOpus, Pcma, Pcmu, Isac, G722, Ilbc, Silk, Vp8, Vp9, H264, Av1, Cn, TelephoneEvent,
    Rtx, Ulpfec, Flexfec, XUlpfecuc, Red,
}

/// <summary>A codec MIME type normalised the way the reference echoes it ("audio/opus", "video/VP8").</summary>
public readonly record struct RtpCodecMimeType(MediaKind Kind, CodecSubtype Subtype)
{
    public static RtpCodecMimeType Parse(string? mimeType)
    {
        int slash = mimeType?.IndexOf('/') ?? -1;
        if (mimeType == null || slash <= 0 || slash == mimeType.Length - 1)
            throw new MediasoupTypeError("wrong codec MIME");
        string type = mimeType[..slash].ToLowerInvariant();
        string subtype = mimeType[(slash + 1)..].ToLowerInvariant();
        MediaKind kind = type switch
        {
            "audio" => MediaKind.Audio,
            "video" => MediaKind.Video,
            _ => throw new MediasoupTypeError($"unknown codec MIME type '{type}'"),
        };
        CodecSubtype sub = subtype switch
        {
            "opus" => CodecSubtype.Opus,
            "multiopus" => CodecSubtype.MultiOpus,
            "pcma" => CodecSubtype.Pcma,
            "pcmu" => CodecSubtype.Pcmu,
            "isac" => CodecSubtype.Isac,
            "g722" => CodecSubtype.G722,
            "ilbc" => CodecSubtype.Ilbc,
            "silk" => CodecSubtype.Silk,
            "vp8" => CodecSubtype.Vp8,
            "vp9" => CodecSubtype.Vp9,
            "h264" => CodecSubtype.H264,
            "av1" => CodecSubtype.Av1,
            "cn" => CodecSubtype.Cn,
            "telephone-event" => CodecSubtype.TelephoneEvent,
            "rtx" => CodecSubtype.Rtx,
            "ulpfec" => CodecSubtype.Ulpfec,
            "flexfec" => CodecSubtype.Flexfec,
            "x-ulpfecuc" => CodecSubtype.XUlpfecuc,
            "red" => CodecSubtype.Red,
            _ => throw new MediasoupTypeError($"unknown codec MIME subtype '{subtype}'"),
        };
        return new RtpCodecMimeType(kind, sub);
    }

    /// <summary>Codecs that carry media (not RTX, FEC, RED, comfort noise or DTMF).</summary>
    public bool IsMediaCodec => Subtype is not (CodecSubtype.Rtx or CodecSubtype.Ulpfec or CodecSubtype.Flexfec
        or CodecSubtype.XUlpfecuc or CodecSubtype.Red or CodecSubtype.Cn or CodecSubtype.TelephoneEvent);

    public bool IsFeatureCodec => Subtype is CodecSubtype.Rtx or CodecSubtype.Ulpfec or CodecSubtype.Flexfec
        or CodecSubtype.XUlpfecuc or CodecSubtype.Red;

    public string SubtypeText => Subtype switch
    {
        CodecSubtype.Opus => "opus",
        CodecSubtype.MultiOpus => "multiopus",
        CodecSubtype.Pcma => "PCMA",
        CodecSubtype.Pcmu => "PCMU",
        CodecSubtype.Isac => "ISAC",
        CodecSubtype.G722 => "G722",
        CodecSubtype.Ilbc => "iLBC",
        CodecSubtype.Silk => "SILK",
        CodecSubtype.Vp8 => "VP8",
        CodecSubtype.Vp9 => "VP9",
        CodecSubtype.H264 => "H264",
        CodecSubtype.Av1 => "AV1",
        CodecSubtype.Cn => "CN",
        CodecSubtype.TelephoneEvent => "telephone-event",
        CodecSubtype.Rtx => "rtx",
        CodecSubtype.Ulpfec => "ulpfec",
        CodecSubtype.Flexfec => "flexfec",
        CodecSubtype.XUlpfecuc => "x-ulpfecuc",
        _ => "red",
    };

    public override string ToString() => (Kind == MediaKind.Audio ? "audio/" : "video/") + SubtypeText;

    /// <summary>Which stream types a codec supports (simulcast needs per-encoding keyframe
    /// handling; SVC needs layer information in the payload or a dependency descriptor).</summary>
    public bool SupportsSimulcast => Subtype is CodecSubtype.Vp8 or CodecSubtype.H264;

    public bool SupportsSvc => Subtype is CodecSubtype.Vp8 or CodecSubtype.Vp9 or CodecSubtype.H264 or CodecSubtype.Av1;
}
