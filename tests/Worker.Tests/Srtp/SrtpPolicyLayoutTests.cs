using System.Diagnostics;
using System.Runtime.CompilerServices;
using Mediasoup.Interop.LibSrtp;
using Xunit;

namespace Mediasoup.Tests.Srtp;

/// <summary>
/// The C# srtp_policy_t must match the installed header byte for byte: compile a tiny C
/// program against /usr/include/srtp2/srtp.h with gcc and compare every offset and size.
/// </summary>
public sealed unsafe class SrtpPolicyLayoutTests
{
    [Fact]
    public void SrtpPolicy_MatchesCHeaderLayout()
    {
        Dictionary<string, (long Offset, long Size)> c = CompileAndRunLayoutProgram();

        SrtpPolicy p = default;
        byte* b = (byte*)&p;
        long Off(void* field) => (byte*)field - b;

        Assert.Equal((128L, 8L), c["sizeof"]);
        Assert.Equal(sizeof(SrtpPolicy), (int)c["sizeof"].Offset);
        Assert.Equal(sizeof(SrtpCryptoPolicy), (int)c["crypto_policy"].Size);

        var expected = new Dictionary<string, (long Offset, long Size)>
        {
            ["SsrcType"] = (Off(&p.SsrcType), sizeof(SrtpSsrcType)),
            ["SsrcValue"] = (Off(&p.SsrcValue), sizeof(uint)),
            ["Rtp"] = (Off(&p.Rtp), sizeof(SrtpCryptoPolicy)),
            ["Rtp.AuthTagLen"] = (Off(&p.Rtp.AuthTagLen), sizeof(int)),
            ["Rtcp"] = (Off(&p.Rtcp), sizeof(SrtpCryptoPolicy)),
            ["Key"] = (Off(&p.Key), sizeof(byte*)),
            ["Keys"] = (Off(&p.Keys), sizeof(void*)),
            ["NumMasterKeys"] = (Off(&p.NumMasterKeys), sizeof(nuint)),
            ["DeprecatedEkt"] = (Off(&p.DeprecatedEkt), sizeof(void*)),
            ["WindowSize"] = (Off(&p.WindowSize), sizeof(nuint)),
            ["AllowRepeatTx"] = (Off(&p.AllowRepeatTx), sizeof(int)),
            ["EncXtnHdr"] = (Off(&p.EncXtnHdr), sizeof(int*)),
            ["EncXtnHdrCount"] = (Off(&p.EncXtnHdrCount), sizeof(int)),
            ["Next"] = (Off(&p.Next), sizeof(SrtpPolicy*)),
        };
        foreach ((string name, (long Offset, long Size) layout) in expected)
            Assert.True(c[name] == layout, $"{name}: C {c[name]}, C# {layout}");
    }

    private static Dictionary<string, (long, long)> CompileAndRunLayoutProgram([CallerFilePath] string thisFile = "")
    {
        string source = Path.Combine(Path.GetDirectoryName(thisFile)!, "srtp_policy_layout.c");
        string dir = Directory.CreateTempSubdirectory("srtp-layout-").FullName;
        try
        {
            string exe = Path.Combine(dir, "layout");
            Run("gcc", "-Wall", "-Werror", "-o", exe, source);
            var result = new Dictionary<string, (long, long)>();
            foreach (string line in Run(exe).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split(' ');
                result[parts[0]] = (long.Parse(parts[1]), long.Parse(parts[2]));
            }
            return result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {stderr.Result}");
        return stdout;
    }
}
