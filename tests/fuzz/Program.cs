using SharpFuzz;

namespace Mediasoup.Fuzz;

/// <summary>
/// One executable, one harness per parser (Targets/*.cs, listed in <see cref="FuzzTargets"/>).
///   Mediasoup.Worker.Fuzz TARGET              run under afl-fuzz (SharpFuzz's server; MSW_FUZZ_MODE)
///   Mediasoup.Worker.Fuzz TARGET --replay F…  run files or directories through the target once
///   Mediasoup.Worker.Fuzz --list              target names
///   Mediasoup.Worker.Fuzz --write-seeds DIR   (re)write the seed corpora
/// An exception escaping a target is a crash; targets also assert invariants by throwing.
/// </summary>
internal static class Program
{
    private const int MaxInput = 64 * 1024;

    private static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "--list")
        {
            foreach (string name in FuzzTargets.Names)
                Console.WriteLine(name);
            return 0;
        }
        if (args.Length == 2 && args[0] == "--write-seeds")
        {
            Seeds.WriteAll(args[1]);
            return 0;
        }
        if (args.Length == 0 || !FuzzTargets.TryGet(args[0], out Func<IFuzzTarget>? create))
        {
            Console.Error.WriteLine($"usage: Mediasoup.Worker.Fuzz TARGET [--replay FILE|DIR ...] | --list | --write-seeds DIR; targets: {string.Join(", ", FuzzTargets.Names)}");
            return 2;
        }
        if (args.Length >= 2 && args[1] == "--replay")
            return Replay(create(), args.Skip(2));

        byte[] buffer = new byte[MaxInput];
        IFuzzTarget? target = null;
        Action<Stream> run = stream =>
        {
            if (target == null)
            {
                target = create();
                WarmUp(target);
            }
            // Every input's first edge starts from the same "previous block" (SharpFuzz's
            // in-process loop does not reset it: the last block of the previous input leaked in).
            SharpFuzz.Common.Trace.PrevLocation = 0;
            int n = 0;
            int read;
            while (n < buffer.Length && (read = stream.Read(buffer, n, buffer.Length - n)) > 0)
                n += read;
            target.Run(buffer.AsSpan(0, n));
        };
        // In process by default (2-3x the executions of the out-of-process server; a stack
        // overflow ends it, which run.sh turns into a saved crash and a resumed run).
        if (Environment.GetEnvironmentVariable("MSW_FUZZ_MODE") == "out-of-process")
            Fuzzer.OutOfProcess.Run(run);
        else
            Fuzzer.Run(run);
        return 0;
    }

    /// <summary>
    /// Runs the target's seeds once before the first input is measured, then clears what they
    /// traced: lazily created state (cipher contexts, pooled streams, static tables) is then
    /// already there for every input, so AFL does not see the first inputs take paths the
    /// later ones never take again (unstable edges).
    /// </summary>
    private static unsafe void WarmUp(IFuzzTarget target)
    {
        foreach (byte[] seed in target.Seeds())
        {
            try
            {
                target.Run(seed);
            }
            catch (Exception)
            {
                // A seed that throws is AFL's to report, as its first input.
            }
        }
        // SharpFuzz's map (AFL's MAP_SIZE, 64 KiB).
        new Span<byte>(SharpFuzz.Common.Trace.SharedMem, 1 << 16).Clear();
    }

    private static int Replay(IFuzzTarget target, IEnumerable<string> paths)
    {
        int files = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> inputs = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith("README.txt", StringComparison.Ordinal))
                : [path];
            foreach (string file in inputs.OrderBy(f => f, StringComparer.Ordinal))
            {
                byte[] data = File.ReadAllBytes(file);
                target.Run(data.AsSpan(0, Math.Min(data.Length, MaxInput)));
                files++;
            }
        }
        // What the inputs left behind: a target that leaks per input grows these with the count.
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        long rss = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;
        Console.WriteLine($"{files} inputs replayed; managed heap {managed / 1024} KiB, RSS {rss / 1024} KiB");
        return 0;
    }
}
