using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Mediasoup.Channel;

namespace Mediasoup.RtpParameters;

public enum RtpStreamType : byte
{
    Simple = 0,
    Simulcast = 1,
    Svc = 2,
    Pipe = 3,
}

/// <summary>Codec-specific parameters, kept as the host sent them (typed values round-trip).</summary>
public sealed class CodecParameters
{
    public CodecParameters(List<FBS.RtpParameters.ParameterT> items) => Items = items;

    public List<FBS.RtpParameters.ParameterT> Items { get; }

    public bool TryGetInteger(string name, out int value)
    {
        foreach (FBS.RtpParameters.ParameterT p in Items)
        {
            if (p.Name == name && p.Value?.Type == FBS.RtpParameters.Value.Integer32)
            {
                value = p.Value.AsInteger32().Value;
                return true;
            }
        }
        value = 0;
        return false;
    }

    public List<FBS.RtpParameters.ParameterT> Clone()
    {
        var list = new List<FBS.RtpParameters.ParameterT>(Items.Count);
        foreach (FBS.RtpParameters.ParameterT p in Items)
            list.Add(new FBS.RtpParameters.ParameterT { Name = p.Name, Value = p.Value });
        return list;
    }
}

public sealed class RtpCodec
{
    public required RtpCodecMimeType MimeType { get; init; }
    public byte PayloadType { get; init; }
    public uint ClockRate { get; init; }
    public byte Channels { get; init; }
    public required CodecParameters Parameters { get; init; }
    public required List<(string Type, string? Parameter)> RtcpFeedback { get; init; }

    public bool HasFeedback(string type, string? parameter = null)
    {
        foreach ((string t, string? p) in RtcpFeedback)
        {
            if (t == type && (parameter == null ? string.IsNullOrEmpty(p) : p == parameter))
                return true;
        }
        return false;
    }

    internal static RtpCodec FromFbs(FBS.RtpParameters.RtpCodecParametersT c)
    {
        var codec = new RtpCodec
        {
            MimeType = RtpCodecMimeType.Parse(c.MimeType),
            PayloadType = c.PayloadType,
            ClockRate = c.ClockRate,
            Channels = c.Channels ?? 0,
            Parameters = new CodecParameters(c.Parameters ?? new List<FBS.RtpParameters.ParameterT>()),
            RtcpFeedback = new List<(string, string?)>(),
        };
        foreach (FBS.RtpParameters.RtcpFeedbackT fb in c.RtcpFeedback ?? new List<FBS.RtpParameters.RtcpFeedbackT>())
            codec.RtcpFeedback.Add((fb.Type ?? "", fb.Parameter));
        if (codec.MimeType.Subtype == CodecSubtype.Rtx
            && !(codec.Parameters.TryGetInteger("apt", out int apt) && apt > 0))
            throw new MediasoupTypeError("missing apt parameter in RTX codec");
        return codec;
    }

    public FBS.RtpParameters.RtpCodecParametersT ToFbs()
    {
        var fb = new List<FBS.RtpParameters.RtcpFeedbackT>(RtcpFeedback.Count);
        foreach ((string type, string? parameter) in RtcpFeedback)
            fb.Add(new FBS.RtpParameters.RtcpFeedbackT { Type = type, Parameter = string.IsNullOrEmpty(parameter) ? null : parameter });
        return new FBS.RtpParameters.RtpCodecParametersT
        {
            MimeType = MimeType.ToString(),
            PayloadType = PayloadType,
            ClockRate = ClockRate,
            Channels = Channels > 1 ? Channels : null,
            Parameters = Parameters.Clone(),
            RtcpFeedback = fb,
        };
    }
}

public sealed class RtpEncoding
{
    private static readonly Regex ScalabilityModeRegex = new("^[LS]([1-9][0-9]?)T([1-9][0-9]?)(_KEY)?", RegexOptions.CultureInvariant);

    public uint Ssrc { get; set; }
    public string Rid { get; set; } = "";
    public byte CodecPayloadType { get; set; }
    public bool HasCodecPayloadType { get; set; }
    public uint RtxSsrc { get; set; }
    public bool HasRtx { get; set; }
    public bool Dtx { get; set; }
    public string ScalabilityMode { get; set; } = "";
    public int SpatialLayers { get; set; } = 1;
    public int TemporalLayers { get; set; } = 1;
    public bool Ksvc { get; set; }
    public ulong MaxBitrate { get; set; }

    internal static RtpEncoding FromFbs(FBS.RtpParameters.RtpEncodingParametersT e)
    {
        var enc = new RtpEncoding
        {
            Ssrc = e.Ssrc ?? 0,
            Rid = e.Rid ?? "",
            CodecPayloadType = e.CodecPayloadType ?? 0,
            HasCodecPayloadType = e.CodecPayloadType.HasValue,
            RtxSsrc = e.Rtx?.Ssrc ?? 0,
            HasRtx = e.Rtx != null,
            Dtx = e.Dtx,
            MaxBitrate = e.MaxBitrate ?? 0,
        };
        if (e.ScalabilityMode != null)
            enc.SetScalabilityMode(e.ScalabilityMode);
        return enc;
    }

    /// <summary>"L3T3_KEY" → 3 spatial, 3 temporal, K-SVC. Unparseable modes mean one layer.</summary>
    public void SetScalabilityMode(string mode)
    {
        Match m = ScalabilityModeRegex.Match(mode);
        if (!m.Success)
            return;
        ScalabilityMode = mode;
        SpatialLayers = int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        TemporalLayers = int.Parse(m.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        Ksvc = m.Groups[3].Success;
    }

    public RtpEncoding Clone() => (RtpEncoding)MemberwiseClone();

    public FBS.RtpParameters.RtpEncodingParametersT ToFbs() => new()
    {
        Ssrc = Ssrc != 0 ? Ssrc : null,
        Rid = Rid.Length > 0 ? Rid : null,
        CodecPayloadType = HasCodecPayloadType ? CodecPayloadType : null,
        Rtx = HasRtx ? new FBS.RtpParameters.RtxT { Ssrc = RtxSsrc } : null,
        Dtx = Dtx,
        ScalabilityMode = ScalabilityMode,
    };
}

public sealed class RtpHeaderExtension
{
    public FBS.RtpParameters.RtpHeaderExtensionUri Uri { get; init; }
    public byte Id { get; init; }
    public bool Encrypt { get; init; }
    public required List<FBS.RtpParameters.ParameterT> Parameters { get; init; }

    internal static RtpHeaderExtension FromFbs(FBS.RtpParameters.RtpHeaderExtensionParametersT h)
    {
        if (h.Id == 0)
            throw new MediasoupTypeError("invalid id 0");
        return new RtpHeaderExtension
        {
            Uri = h.Uri,
            Id = h.Id,
            Encrypt = h.Encrypt,
            Parameters = h.Parameters ?? new List<FBS.RtpParameters.ParameterT>(),
        };
    }

    public FBS.RtpParameters.RtpHeaderExtensionParametersT ToFbs() => new()
    {
        Uri = Uri,
        Id = Id,
        Encrypt = Encrypt,
        Parameters = new List<FBS.RtpParameters.ParameterT>(Parameters),
    };
}

/// <summary>
/// RTP parameters of a Producer or Consumer, validated like the reference and echoed back
/// in dumps exactly (normalised MIME types, typed codec parameters, defaulted
/// codecPayloadType).
/// </summary>
public sealed class RtpParameters
{
    public string Mid { get; set; } = "";
    public required List<RtpCodec> Codecs { get; init; }
    public required List<RtpEncoding> Encodings { get; init; }
    public required List<RtpHeaderExtension> HeaderExtensions { get; init; }
    public string Cname { get; set; } = "";
    public bool ReducedSize { get; set; } = true;
    public string Msid { get; set; } = "";

    /// <summary>Parses and validates; TypeError on anything the reference rejects.</summary>
    public static RtpParameters FromFbs(FBS.RtpParameters.RtpParametersT p, bool requireCname = false)
    {
        var codecs = new List<RtpCodec>();
        foreach (FBS.RtpParameters.RtpCodecParametersT c in p.Codecs ?? new List<FBS.RtpParameters.RtpCodecParametersT>())
            codecs.Add(RtpCodec.FromFbs(c));
        if (codecs.Count == 0)
            throw new MediasoupTypeError("empty codecs");
        var encodings = new List<RtpEncoding>();
        foreach (FBS.RtpParameters.RtpEncodingParametersT e in p.Encodings ?? new List<FBS.RtpParameters.RtpEncodingParametersT>())
            encodings.Add(RtpEncoding.FromFbs(e));
        if (encodings.Count == 0)
            throw new MediasoupTypeError("empty encodings");
        var exts = new List<RtpHeaderExtension>();
        foreach (FBS.RtpParameters.RtpHeaderExtensionParametersT h in p.HeaderExtensions ?? new List<FBS.RtpParameters.RtpHeaderExtensionParametersT>())
            exts.Add(RtpHeaderExtension.FromFbs(h));

        var result = new RtpParameters
        {
            Mid = p.Mid ?? "",
            Codecs = codecs,
            Encodings = encodings,
            HeaderExtensions = exts,
            Cname = p.Rtcp?.Cname ?? "",
            ReducedSize = p.Rtcp?.ReducedSize ?? true,
            Msid = p.Msid ?? "",
        };
        if (requireCname)
        {
            if (p.Rtcp?.Cname == null)
                throw new MediasoupTypeError("missing cname");
            if (result.Cname.Length == 0)
                throw new MediasoupTypeError("empty cname");
        }
        result.ValidateCodecs();
        result.ValidateEncodings();
        return result;
    }

    private void ValidateCodecs()
    {
        var seen = new HashSet<byte>();
        foreach (RtpCodec codec in Codecs)
        {
            if (!seen.Add(codec.PayloadType))
                throw new MediasoupTypeError("duplicated payloadType");
            if (codec.MimeType.Subtype != CodecSubtype.Rtx)
                continue;
            codec.Parameters.TryGetInteger("apt", out int apt);
            RtpCodec? target = Codecs.Find(c => c.PayloadType == apt);
            if (target == null)
                throw new MediasoupTypeError("apt in RTX codec points to a non existing codec");
            if (target.MimeType.Subtype == CodecSubtype.Rtx)
                throw new MediasoupTypeError("apt in RTX codec points to a RTX codec");
            if (target.MimeType.Subtype == CodecSubtype.Ulpfec)
                throw new MediasoupTypeError("apt in RTX codec points to a ULPFEC codec");
            if (target.MimeType.Subtype == CodecSubtype.Flexfec)
                throw new MediasoupTypeError("apt in RTX codec points to a FLEXFEC codec");
        }
    }

    private void ValidateEncodings()
    {
        RtpCodec? firstMedia = Codecs.Find(c => c.MimeType.IsMediaCodec);
        if (firstMedia == null)
            throw new MediasoupTypeError("no media codecs found");
        foreach (RtpEncoding enc in Encodings)
        {
            if (enc.SpatialLayers > 1 && Encodings.Count > 1)
                throw new MediasoupTypeError("cannot use both simulcast and encodings with multiple SVC spatial layers");
            if (!enc.HasCodecPayloadType)
            {
                enc.CodecPayloadType = firstMedia.PayloadType;
                enc.HasCodecPayloadType = true;
                continue;
            }
            RtpCodec? codec = Codecs.Find(c => c.PayloadType == enc.CodecPayloadType);
            if (codec == null)
                throw new MediasoupTypeError("unknown codecPayloadType");
            if (!codec.MimeType.IsMediaCodec)
                throw new MediasoupTypeError("invalid codecPayloadType");
        }
    }

    /// <summary>Id of the first header extension with that URI, 0 when absent.</summary>
    public byte ExtensionId(FBS.RtpParameters.RtpHeaderExtensionUri uri)
    {
        foreach (RtpHeaderExtension h in HeaderExtensions)
        {
            if (h.Uri == uri)
                return h.Id;
        }
        return 0;
    }

    public RtpCodec CodecForEncoding(RtpEncoding encoding) =>
        Codecs.Find(c => c.PayloadType == encoding.CodecPayloadType) ?? Codecs[0];

    public RtpCodec? RtxCodecForEncoding(RtpEncoding encoding) =>
        Codecs.Find(c => c.MimeType.Subtype == CodecSubtype.Rtx
                         && c.Parameters.TryGetInteger("apt", out int apt) && apt == encoding.CodecPayloadType);

    /// <summary>simple / simulcast / svc from the encodings; null when the codec supports
    /// neither simulcast nor SVC but the encoding asks for layers.</summary>
    public RtpStreamType? StreamType()
    {
        if (Encodings.Count > 1)
            return RtpStreamType.Simulcast;
        RtpEncoding enc = Encodings[0];
        if (enc.SpatialLayers > 1 || enc.TemporalLayers > 1)
        {
            RtpCodecMimeType mime = CodecForEncoding(enc).MimeType;
            if (mime.Kind == MediaKind.Video && mime.SupportsSvc)
                return RtpStreamType.Svc;
            if (mime.Kind == MediaKind.Video && mime.SupportsSimulcast)
                return RtpStreamType.Simulcast;
            return null;
        }
        return RtpStreamType.Simple;
    }

    public FBS.RtpParameters.RtpParametersT ToFbs()
    {
        var p = new FBS.RtpParameters.RtpParametersT
        {
            Mid = Mid,
            Codecs = new List<FBS.RtpParameters.RtpCodecParametersT>(Codecs.Count),
            HeaderExtensions = new List<FBS.RtpParameters.RtpHeaderExtensionParametersT>(HeaderExtensions.Count),
            Encodings = new List<FBS.RtpParameters.RtpEncodingParametersT>(Encodings.Count),
            Rtcp = new FBS.RtpParameters.RtcpParametersT { Cname = Cname, ReducedSize = ReducedSize },
            Msid = Msid,
        };
        foreach (RtpCodec c in Codecs)
            p.Codecs.Add(c.ToFbs());
        foreach (RtpHeaderExtension h in HeaderExtensions)
            p.HeaderExtensions.Add(h.ToFbs());
        foreach (RtpEncoding e in Encodings)
            p.Encodings.Add(e.ToFbs());
        return p;
    }
}
