using System;
using System.Runtime.CompilerServices;

namespace Mediasoup.Logging;

/// <summary>Where log lines go: the channel once it exists.</summary>
public interface ILogSink
{
    /// <summary>line = level char ('D', 'W', 'E') followed by the text.</summary>
    void WriteLog(char level, ReadOnlySpan<char> text);
}

/// <summary>
/// Per-worker logger with the reference's rules: errors when level ≤ error; warnings when
/// level ≤ warn and the tag is on; debug when level is debug and the tag is on. Disabled
/// lines cost a flag test: the interpolated message is never formatted.
/// </summary>
public sealed class Logger
{
    /// <summary>Longest line sent to the host.</summary>
    public const int MaxLineLength = 50_000;

    private ILogSink? _sink;

    public Logger(LogLevel level = LogLevel.Error, LogTags tags = LogTags.None)
    {
        Level = level;
        Tags = tags;
    }

    public LogLevel Level { get; set; }
    public LogTags Tags { get; set; }

    public void SetSink(ILogSink? sink) => _sink = sink;

    public bool IsDebugEnabled(LogTags tag) => Level <= LogLevel.Debug && (Tags & tag) != 0 && _sink != null;
    public bool IsWarnEnabled(LogTags tag) => Level <= LogLevel.Warn && (Tags & tag) != 0 && _sink != null;
    public bool IsErrorEnabled => Level <= LogLevel.Error && _sink != null;

    public void Debug(LogTags tag, [InterpolatedStringHandlerArgument("", "tag")] ref DebugHandler message)
    {
        if (message.Enabled)
            Write('D', ref message.Inner);
    }

    public void Warn(LogTags tag, [InterpolatedStringHandlerArgument("", "tag")] ref WarnHandler message)
    {
        if (message.Enabled)
            Write('W', ref message.Inner);
    }

    public void Error([InterpolatedStringHandlerArgument("")] ref ErrorHandler message)
    {
        if (message.Enabled)
            Write('E', ref message.Inner);
    }

    public void Error(string message)
    {
        if (IsErrorEnabled)
            _sink!.WriteLog('E', Truncate(message));
    }

    private void Write(char level, ref DefaultInterpolatedStringHandler inner)
    {
        string text = inner.ToStringAndClear();
        _sink!.WriteLog(level, Truncate(text));
    }

    private static ReadOnlySpan<char> Truncate(string text) =>
        text.Length > MaxLineLength ? text.AsSpan(0, MaxLineLength) : text.AsSpan();

    [InterpolatedStringHandler]
    public ref struct DebugHandler
    {
        internal DefaultInterpolatedStringHandler Inner;
        internal readonly bool Enabled;

        public DebugHandler(int literalLength, int formattedCount, Logger logger, LogTags tag, out bool enabled)
        {
            Enabled = enabled = logger.IsDebugEnabled(tag);
            Inner = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string s) => Inner.AppendLiteral(s);
        public void AppendFormatted<T>(T value) => Inner.AppendFormatted(value);
        public void AppendFormatted<T>(T value, string? format) => Inner.AppendFormatted(value, format);
        public void AppendFormatted(ReadOnlySpan<char> value) => Inner.AppendFormatted(value);
    }

    [InterpolatedStringHandler]
    public ref struct WarnHandler
    {
        internal DefaultInterpolatedStringHandler Inner;
        internal readonly bool Enabled;

        public WarnHandler(int literalLength, int formattedCount, Logger logger, LogTags tag, out bool enabled)
        {
            Enabled = enabled = logger.IsWarnEnabled(tag);
            Inner = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string s) => Inner.AppendLiteral(s);
        public void AppendFormatted<T>(T value) => Inner.AppendFormatted(value);
        public void AppendFormatted<T>(T value, string? format) => Inner.AppendFormatted(value, format);
        public void AppendFormatted(ReadOnlySpan<char> value) => Inner.AppendFormatted(value);
    }

    [InterpolatedStringHandler]
    public ref struct ErrorHandler
    {
        internal DefaultInterpolatedStringHandler Inner;
        internal readonly bool Enabled;

        public ErrorHandler(int literalLength, int formattedCount, Logger logger, out bool enabled)
        {
            Enabled = enabled = logger.IsErrorEnabled;
            Inner = enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string s) => Inner.AppendLiteral(s);
        public void AppendFormatted<T>(T value) => Inner.AppendFormatted(value);
        public void AppendFormatted<T>(T value, string? format) => Inner.AppendFormatted(value, format);
        public void AppendFormatted(ReadOnlySpan<char> value) => Inner.AppendFormatted(value);
    }
}
