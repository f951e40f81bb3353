using System;
using System.Collections.Generic;
using System.IO;
using Mediasoup.Interop.Libc;
using Mediasoup.Logging;

namespace Mediasoup.Settings;

/// <summary>
/// Parses argv the way the reference worker's getopt_long_only does: options start with
/// '-' or '--', any unambiguous prefix of a name is accepted (the host sends --logTag for
/// the option logTags), a value only comes as --name=value, unknown or ambiguous options are
/// errors, non-option words are ignored, and "--" ends the options.
/// </summary>
public static class SettingsParser
{
    private enum Option
    {
        LogLevel,
        LogTags,
        RtcMinPort,
        RtcMaxPort,
        DtlsCertificateFile,
        DtlsPrivateKeyFile,
        LibwebrtcFieldTrials,
    }

    private static readonly (string Name, Option Option)[] Options =
    [
        ("logLevel", Option.LogLevel),
        ("logTags", Option.LogTags),
        ("rtcMinPort", Option.RtcMinPort),
        ("rtcMaxPort", Option.RtcMaxPort),
        ("dtlsCertificateFile", Option.DtlsCertificateFile),
        ("dtlsPrivateKeyFile", Option.DtlsPrivateKeyFile),
        ("libwebrtcFieldTrials", Option.LibwebrtcFieldTrials),
    ];

    /// <summary>Parses args (without the program name). Throws SettingsException.</summary>
    public static WorkerSettings Parse(IReadOnlyList<string> args, List<string>? warnings = null)
    {
        var settings = new WorkerSettings();
        var tags = new List<string>();
        bool sawTags = false;

        foreach (string arg in args)
        {
            if (arg == "--")
                break;
            if (arg.Length < 2 || arg[0] != '-')
                continue; // non-option words are permuted away by getopt and ignored

            string body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            int eq = body.IndexOf('=');
            string name = eq >= 0 ? body[..eq] : body;
            string? value = eq >= 0 ? body[(eq + 1)..] : null;

            Option option = Resolve(name, arg);
            if (value == null)
                throw new SettingsException($"missing value in command line argument in option '{name}'");

            switch (option)
            {
                case Option.LogLevel:
                    if (!LogNames.TryParseLevel(value, out LogLevel level))
                        throw new SettingsException($"invalid value '{value.ToLowerInvariant()}' for logLevel");
                    settings.LogLevel = level;
                    break;
                case Option.LogTags:
                    sawTags = true;
                    tags.Add(value);
                    break;
                case Option.RtcMinPort:
                    settings.RtcMinPort = (ushort)ParseCInt(value, "rtcMinPort");
                    break;
                case Option.RtcMaxPort:
                    settings.RtcMaxPort = (ushort)ParseCInt(value, "rtcMaxPort");
                    break;
                case Option.DtlsCertificateFile:
                    settings.DtlsCertificateFile = value;
                    break;
                case Option.DtlsPrivateKeyFile:
                    settings.DtlsPrivateKeyFile = value;
                    break;
                case Option.LibwebrtcFieldTrials:
                    if (value != settings.LibwebrtcFieldTrials)
                        warnings?.Add("overriding default value of libwebrtcFieldTrials (accepted, not used)");
                    settings.LibwebrtcFieldTrials = value;
                    break;
            }
        }

        if (sawTags)
            settings.LogTags = ParseTags(tags);

        if (settings.RtcMaxPort < settings.RtcMinPort)
            throw new SettingsException("rtcMaxPort cannot be less than rtcMinPort");

        CheckCertificateFiles(settings);
        return settings;
    }

    public static LogTags ParseTags(IEnumerable<string> names)
    {
        LogTags tags = LogTags.None;
        foreach (string n in names)
            tags |= LogNames.ParseTag(n);
        return tags;
    }

    private static Option Resolve(string name, string arg)
    {
        Option? prefixMatch = null;
        int prefixMatches = 0;
        foreach ((string optName, Option option) in Options)
        {
            if (optName == name)
                return option;
            if (name.Length > 0 && optName.StartsWith(name, StringComparison.Ordinal))
            {
                prefixMatch = option;
                prefixMatches++;
            }
        }
        if (prefixMatches == 1)
            return prefixMatch!.Value;
        if (prefixMatches > 1)
            throw new SettingsException($"ambiguous option '{arg}'");
        throw new SettingsException(arg.StartsWith("--", StringComparison.Ordinal) || arg.Length > 2
            ? "unknown long option given as argument"
            : $"invalid option '{arg}'");
    }

    /// <summary>C++ std::stoi: leading white space, optional sign, at least one digit,
    /// trailing characters ignored; out of int range is an error.</summary>
    public static int ParseCInt(string text, string what)
    {
        int i = 0;
        while (i < text.Length && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r')))
            i++;
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-'))
        {
            negative = text[i] == '-';
            i++;
        }
        int start = i;
        long value = 0;
        while (i < text.Length && text[i] >= '0' && text[i] <= '9')
        {
            value = value * 10 + (text[i] - '0');
            if (value > (long)int.MaxValue + 1)
                throw new SettingsException($"stoi: out of range ({what})");
            i++;
        }
        if (i == start)
            throw new SettingsException($"stoi: no conversion ({what})");
        if (negative)
            value = -value;
        if (value > int.MaxValue || value < int.MinValue)
            throw new SettingsException($"stoi: out of range ({what})");
        return (int)value;
    }

    private static void CheckCertificateFiles(WorkerSettings s)
    {
        bool haveCert = !string.IsNullOrEmpty(s.DtlsCertificateFile);
        bool haveKey = !string.IsNullOrEmpty(s.DtlsPrivateKeyFile);
        if (haveCert && !haveKey)
            throw new SettingsException("missing dtlsPrivateKeyFile");
        if (!haveCert && haveKey)
            throw new SettingsException("missing dtlsCertificateFile");
        if (!haveCert)
            return;
        CheckFile(s.DtlsCertificateFile!, "dtlsCertificateFile");
        CheckFile(s.DtlsPrivateKeyFile!, "dtlsPrivateKeyFile");
    }

    private static void CheckFile(string path, string what)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (Directory.Exists(path))
                throw new SettingsException($"{what}: file is not a regular file: {path}");
            throw new SettingsException($"{what}: file does not exist: {path}");
        }
        if (info.LinkTarget != null && info.ResolveLinkTarget(true) is { Exists: false })
            throw new SettingsException($"{what}: file does not exist: {path}");
        // FileInfo.Exists is true for FIFOs and devices too; the reference requires S_ISREG
        // (and opening a FIFO below would block start-up until a writer appears).
        if (Libc.TryGetFileType(path, out int type) && type != Libc.S_IFREG)
            throw new SettingsException($"{what}: file is not a regular file: {path}");
        try
        {
            using FileStream _ = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new SettingsException($"{what}: cannot read file: {path}");
        }
    }
}
