using System.Runtime.InteropServices;
using Mediasoup.Logging;
using Mediasoup.Settings;
using Xunit;

namespace Mediasoup.Tests.Settings;

public sealed class SettingsParserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("settings-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static WorkerSettings Parse(params string[] args) => SettingsParser.Parse(args);

    private static string ParseError(params string[] args) =>
        Assert.Throws<SettingsException>(() => SettingsParser.Parse(args)).Message;

    private string TempFile(string name)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, "x");
        return path;
    }

    [Fact]
    public void NoArguments_GiveDefaults()
    {
        WorkerSettings s = Parse();
        Assert.Equal(LogLevel.Error, s.LogLevel);
        Assert.Equal(LogTags.None, s.LogTags);
        Assert.Equal(10000, s.RtcMinPort);
        Assert.Equal(59999, s.RtcMaxPort);
        Assert.Null(s.DtlsCertificateFile);
        Assert.Null(s.DtlsPrivateKeyFile);
        Assert.Equal("WebRTC-Bwe-AlrLimitedBackoff/Enabled/", s.LibwebrtcFieldTrials);
    }

    [Fact]
    public void TypicalHostCommandLine_IsAccepted()
    {
        WorkerSettings s = Parse("--logLevel=warn", "--logTag=info", "--logTag=ice", "--rtcMinPort=20000", "--rtcMaxPort=20100");
        Assert.Equal(LogLevel.Warn, s.LogLevel);
        Assert.Equal(LogTags.Info | LogTags.Ice, s.LogTags);
        Assert.Equal(20000, s.RtcMinPort);
        Assert.Equal(20100, s.RtcMaxPort);
    }

    [Theory]
    [InlineData("--logTag=info")]   // what the host sends: a prefix of logTags
    [InlineData("--logTags=info")]
    [InlineData("--logT=info")]
    [InlineData("-logTag=info")]
    public void LogTags_AcceptsFullNameAndUnambiguousPrefixes(string arg)
    {
        Assert.Equal(LogTags.Info, Parse(arg).LogTags);
    }

    [Theory]
    [InlineData("--rtc=1")]    // rtcMinPort / rtcMaxPort
    [InlineData("--rtcM=1")]
    [InlineData("--log=debug")] // logLevel / logTags
    [InlineData("--l=debug")]   // logLevel / logTags / libwebrtcFieldTrials
    [InlineData("--dtls=x")]    // dtlsCertificateFile / dtlsPrivateKeyFile
    public void AmbiguousPrefix_IsError(string arg)
    {
        Assert.Contains("ambiguous", ParseError(arg));
    }

    [Fact]
    public void UnambiguousPrefixes_ResolveToTheRightOption()
    {
        WorkerSettings s = Parse("--rtcMi=100", "--rtcMa=200", "--logL=debug", "--li=trial/x/");
        Assert.Equal(100, s.RtcMinPort);
        Assert.Equal(200, s.RtcMaxPort);
        Assert.Equal(LogLevel.Debug, s.LogLevel);
        Assert.Equal("trial/x/", s.LibwebrtcFieldTrials);
    }

    [Fact]
    public void SingleDashLongOption_Works()
    {
        Assert.Equal(LogLevel.Debug, Parse("-logLevel=debug").LogLevel);
        Assert.Equal(1234, Parse("-rtcMinPort=1234").RtcMinPort);
    }

    [Fact]
    public void ValueInNextSlot_IsMissingValueError()
    {
        string msg = ParseError("--logLevel", "debug");
        Assert.Contains("missing value", msg);
        Assert.Contains("missing value", ParseError("--rtcMinPort"));
    }

    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("Warn", LogLevel.Warn)]
    [InlineData("eRRoR", LogLevel.Error)]
    [InlineData("NONE", LogLevel.None)]
    public void LogLevel_IsCaseInsensitive(string value, LogLevel expected)
    {
        Assert.Equal(expected, Parse($"--logLevel={value}").LogLevel);
    }

    [Theory]
    [InlineData("chicken")]
    [InlineData("")]
    [InlineData("info")]
    public void LogLevel_InvalidValue_IsError(string value)
    {
        Assert.Contains("logLevel", ParseError($"--logLevel={value}"));
    }

    [Theory]
    [InlineData("--foo=bar")]
    [InlineData("-foo=bar")]
    [InlineData("--LogLevel=debug")] // option names are case-sensitive
    [InlineData("--disableLiburing=true")]
    [InlineData("-x")]
    public void UnknownOption_IsError(string arg)
    {
        ParseError(arg);
    }

    [Fact]
    public void NonOptionWords_AreIgnored()
    {
        WorkerSettings s = Parse("hello", "--logLevel=debug", "world", "-", "42");
        Assert.Equal(LogLevel.Debug, s.LogLevel);
        Assert.Equal(10000, s.RtcMinPort);
    }

    [Fact]
    public void DoubleDash_StopsParsing()
    {
        WorkerSettings s = Parse("--logLevel=warn", "--", "--logLevel=debug", "--bogus", "--rtcMinPort=abc");
        Assert.Equal(LogLevel.Warn, s.LogLevel);
        Assert.Equal(10000, s.RtcMinPort);
    }

    [Fact]
    public void LogTags_Accumulate_AndUnknownNamesAreIgnored()
    {
        WorkerSettings s = Parse("--logTag=rtp", "--logTag=nonsense", "--logTags=message", "--logTag=sctp");
        Assert.Equal(LogTags.Rtp | LogTags.Message | LogTags.Sctp, s.LogTags);
    }

    [Theory]
    [InlineData("12abc", 12)]     // stoi stops at the first non-digit
    [InlineData("  42", 42)]      // leading white space is skipped
    [InlineData("+7", 7)]
    [InlineData("-1", 65535)]     // then truncated to uint16
    [InlineData("65535", 65535)]
    [InlineData("65537", 1)]
    [InlineData("0", 0)]
    public void MaxPort_ParsedLikeStoi_ThenTruncatedToUint16(string text, int expected)
    {
        WorkerSettings s = Parse("--rtcMinPort=0", $"--rtcMaxPort={text}");
        Assert.Equal(expected, s.RtcMaxPort);
    }

    [Fact]
    public void MaxPort65536_WrapsToZero_WhichIsBelowDefaultMin()
    {
        Assert.Contains("rtcMaxPort cannot be less than rtcMinPort", ParseError("--rtcMaxPort=65536"));
        // With min also 0 the wrap is accepted.
        Assert.Equal(0, Parse("--rtcMinPort=0", "--rtcMaxPort=65536").RtcMaxPort);
    }

    [Fact]
    public void MinPort65536_WrapsToZero()
    {
        Assert.Equal(0, Parse("--rtcMinPort=65536").RtcMinPort);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("99999999999")]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    public void PortValue_NotConvertibleByStoi_IsError(string text)
    {
        ParseError($"--rtcMinPort={text}");
    }

    [Fact]
    public void IntRangeEdges_AreAcceptedByStoi()
    {
        Assert.Equal(int.MaxValue, SettingsParser.ParseCInt("2147483647", "x"));
        Assert.Equal(int.MinValue, SettingsParser.ParseCInt("-2147483648", "x"));
        Assert.Equal(65535, Parse("--rtcMinPort=0", "--rtcMaxPort=2147483647").RtcMaxPort);
    }

    [Fact]
    public void MaxLessThanMin_IsError()
    {
        Assert.Contains("rtcMaxPort cannot be less than rtcMinPort", ParseError("--rtcMinPort=2000", "--rtcMaxPort=1999"));
        WorkerSettings s = Parse("--rtcMinPort=2000", "--rtcMaxPort=2000");
        Assert.Equal(2000, s.RtcMinPort);
        Assert.Equal(2000, s.RtcMaxPort);
    }

    [Fact]
    public void LastOccurrence_Wins()
    {
        Assert.Equal(LogLevel.Debug, Parse("--logLevel=none", "--logLevel=debug").LogLevel);
    }

    [Fact]
    public void CertificateAndKey_BothExisting_AreAccepted()
    {
        string cert = TempFile("cert.pem");
        string key = TempFile("key.pem");
        WorkerSettings s = Parse($"--dtlsCertificateFile={cert}", $"--dtlsPrivateKeyFile={key}");
        Assert.Equal(cert, s.DtlsCertificateFile);
        Assert.Equal(key, s.DtlsPrivateKeyFile);
    }

    [Fact]
    public void CertificateWithoutKey_IsError()
    {
        Assert.Contains("dtlsPrivateKeyFile", ParseError($"--dtlsCertificateFile={TempFile("cert.pem")}"));
    }

    [Fact]
    public void KeyWithoutCertificate_IsError()
    {
        Assert.Contains("dtlsCertificateFile", ParseError($"--dtlsPrivateKeyFile={TempFile("key.pem")}"));
    }

    [Fact]
    public void MissingCertificateFile_IsError()
    {
        string missing = Path.Combine(_dir, "missing.pem");
        string msg = ParseError($"--dtlsCertificateFile={missing}", $"--dtlsPrivateKeyFile={TempFile("key.pem")}");
        Assert.Contains("does not exist", msg);
        Assert.Contains("dtlsCertificateFile", msg);
    }

    [Fact]
    public void MissingKeyFile_IsError()
    {
        string missing = Path.Combine(_dir, "missing.key");
        string msg = ParseError($"--dtlsCertificateFile={TempFile("cert.pem")}", $"--dtlsPrivateKeyFile={missing}");
        Assert.Contains("dtlsPrivateKeyFile", msg);
    }

    [Fact]
    public void DirectoryAsCertificate_IsError()
    {
        string msg = ParseError($"--dtlsCertificateFile={_dir}", $"--dtlsPrivateKeyFile={TempFile("key.pem")}");
        Assert.Contains("not a regular file", msg);
    }

    [Fact]
    public void CharacterDeviceAsCertificate_IsError()
    {
        string msg = ParseError("--dtlsCertificateFile=/dev/null", $"--dtlsPrivateKeyFile={TempFile("key.pem")}");
        Assert.Contains("not a regular file", msg);
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);

    [Fact]
    public void FifoAsKey_IsError_WithoutBlocking()
    {
        string fifo = Path.Combine(_dir, "key.fifo");
        Assert.Equal(0, MkFifo(fifo, 0x180 /* 0600 */));
        Task<WorkerSettings> parse = Task.Run(() =>
            SettingsParser.Parse([$"--dtlsCertificateFile={TempFile("cert.pem")}", $"--dtlsPrivateKeyFile={fifo}"]));
        bool finished = ((IAsyncResult)parse).AsyncWaitHandle.WaitOne(2000);
        if (!finished)
        {
            // Opening the FIFO blocked: give it a writer so the stuck thread ends, then fail.
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            Assert.Fail("Parse blocked opening a FIFO");
        }
        var ex = Assert.IsType<SettingsException>(parse.Exception?.InnerException);
        Assert.Contains("not a regular file", ex.Message);
    }

    [Fact]
    public void DanglingSymlinkAsKey_IsError()
    {
        string link = Path.Combine(_dir, "dangling.pem");
        File.CreateSymbolicLink(link, Path.Combine(_dir, "nowhere.pem"));
        ParseError($"--dtlsCertificateFile={TempFile("cert.pem")}", $"--dtlsPrivateKeyFile={link}");
    }

    [Fact]
    public void FieldTrials_AreAccepted_WithWarningWhenChanged()
    {
        var warnings = new List<string>();
        WorkerSettings s = SettingsParser.Parse(["--libwebrtcFieldTrials=WebRTC-Foo/Enabled/"], warnings);
        Assert.Equal("WebRTC-Foo/Enabled/", s.LibwebrtcFieldTrials);
        Assert.Single(warnings);

        warnings.Clear();
        SettingsParser.Parse(["--libwebrtcFieldTrials=WebRTC-Bwe-AlrLimitedBackoff/Enabled/"], warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public void ValueMayContainEqualsSign()
    {
        Assert.Equal("a=b/c/", Parse("--libwebrtcFieldTrials=a=b/c/").LibwebrtcFieldTrials);
    }
}
