using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Mediasoup.Bench;

/// <summary>
/// dotnet run -c Release --project bench/micro -- [--full] [--out DIR] [--filter PATTERN]
/// Short (default): in-process, 2 warm-ups + 5 iterations of ~100 ms per benchmark.
/// --full: BenchmarkDotNet's default iteration selection (in-process as well).
/// Exit code 1 when any benchmark allocates (every one is a per-packet operation).
/// --check-twcc DUMP...: checks the load sink's transport-cc feedback instead (TwccDumpCheck).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--check-twcc")
            return TwccDumpCheck.Run(args.Skip(1));
        bool full = args.Contains("--full");
        string outDir = ArgValue(args, "--out") ?? Path.Combine("bench", "results", "micro");
        string? filter = ArgValue(args, "--filter");

        Job job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId(full ? "full" : "short");
        if (!full)
        {
            job = job.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5)
                .WithIterationTime(TimeInterval.FromMilliseconds(100));
        }
        ManualConfig config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .WithArtifactsPath(Path.GetFullPath(outDir))
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
        if (filter != null)
            config = config.AddFilter(new BenchmarkDotNet.Filters.GlobFilter([filter]));

        Summary[] summaries = BenchmarkRunner.Run(
            [typeof(RtpBenchmarks), typeof(RtcpBenchmarks), typeof(SrtpBenchmarks), typeof(CodecBenchmarks), typeof(ForwardingBenchmarks), typeof(BweBenchmarks)], config);

        int allocating = 0, failed = 0;
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                if (!report.Success || report.ResultStatistics == null)
                {
                    Console.WriteLine($"FAILED: {report.BenchmarkCase.DisplayInfo}");
                    failed++;
                    continue;
                }
                long? bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
                if (bytes is > 0)
                {
                    Console.WriteLine($"ALLOCATES {bytes} B/op: {report.BenchmarkCase.DisplayInfo}");
                    allocating++;
                }
            }
        }
        Console.WriteLine(allocating == 0 && failed == 0
            ? "micro: every per-packet operation allocates 0 B"
            : $"micro: {allocating} allocating, {failed} failed");
        return allocating == 0 && failed == 0 ? 0 : 1;
    }

    private static string? ArgValue(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
