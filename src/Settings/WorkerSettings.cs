using Mediasoup.Logging;

namespace Mediasoup.Settings;

/// <summary>Command-line configuration of one worker.</summary>
public sealed class WorkerSettings
{
    public LogLevel LogLevel { get; set; } = LogLevel.Error;
    public LogTags LogTags { get; set; } = LogTags.None;
    public ushort RtcMinPort { get; set; } = 10000;
    public ushort RtcMaxPort { get; set; } = 59999;
    public string? DtlsCertificateFile { get; set; }
    public string? DtlsPrivateKeyFile { get; set; }
    public string LibwebrtcFieldTrials { get; set; } = "WebRTC-Bwe-AlrLimitedBackoff/Enabled/";
}

/// <summary>A configuration error: the process exits with code 42.</summary>
public sealed class SettingsException(string message) : System.Exception(message);
