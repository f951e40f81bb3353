using System;

namespace Mediasoup.Logging;

public enum LogLevel
{
    Debug = 0,
    Warn = 1,
    Error = 2,
    None = 3,
}

/// <summary>The reference worker's log tags; each enables debug/warn lines of one area.</summary>
[Flags]
public enum LogTags : ushort
{
    None = 0,
    Info = 1 << 0,
    Ice = 1 << 1,
    Dtls = 1 << 2,
    Rtp = 1 << 3,
    Srtp = 1 << 4,
    Rtcp = 1 << 5,
    Rtx = 1 << 6,
    Bwe = 1 << 7,
    Score = 1 << 8,
    Simulcast = 1 << 9,
    Svc = 1 << 10,
    Sctp = 1 << 11,
    Message = 1 << 12,
}

public static class LogNames
{
    public static bool TryParseLevel(string value, out LogLevel level)
    {
        switch (value.ToLowerInvariant())
        {
            case "debug": level = LogLevel.Debug; return true;
            case "warn": level = LogLevel.Warn; return true;
            case "error": level = LogLevel.Error; return true;
            case "none": level = LogLevel.None; return true;
            default: level = LogLevel.Error; return false;
        }
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Debug => "debug",
        LogLevel.Warn => "warn",
        LogLevel.Error => "error",
        _ => "none",
    };

    /// <summary>Unknown names are ignored, as the reference does.</summary>
    public static LogTags ParseTag(string name) => name switch
    {
        "info" => LogTags.Info,
        "ice" => LogTags.Ice,
        "dtls" => LogTags.Dtls,
        "rtp" => LogTags.Rtp,
        "srtp" => LogTags.Srtp,
        "rtcp" => LogTags.Rtcp,
        "rtx" => LogTags.Rtx,
        "bwe" => LogTags.Bwe,
        "score" => LogTags.Score,
        "simulcast" => LogTags.Simulcast,
        "svc" => LogTags.Svc,
        "sctp" => LogTags.Sctp,
        "message" => LogTags.Message,
        _ => LogTags.None,
    };

    public static string TagsText(LogTags tags)
    {
        if (tags == LogTags.None)
            return "";
        var parts = new System.Collections.Generic.List<string>();
        foreach (LogTags t in Enum.GetValues<LogTags>())
        {
            if (t != LogTags.None && (tags & t) != 0)
                parts.Add(t.ToString().ToLowerInvariant());
        }
        return string.Join(',', parts);
    }
}
