using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Mediasoup.InteropCheck;

/// <summary>
/// The interop check as a NativeAOT executable of the target architecture: the layout table
/// comparison and the kernel round trips. ./build.sh runs it under qemu-user for linux-arm64
/// (the x64 build runs the same code in the xunit tests). Exit code 1 on any failure.
/// </summary>
internal static class Program
{
    private static int Main()
    {
        int passed = 0, failed = 0;
        Console.WriteLine($"interop check on {RuntimeInformation.ProcessArchitecture}");

        List<string> problems = InteropLayouts.Compare(out int checkedCount);
        if (problems.Count == 0)
        {
            passed++;
            Console.WriteLine($"ok   layouts: {checkedCount} sizes, offsets and constants match the C compiler");
        }
        else
        {
            failed++;
            Console.WriteLine($"FAIL layouts: {problems.Count} of {checkedCount} disagree:");
            foreach (string p in problems)
                Console.WriteLine($"       {p}");
        }

        foreach ((string name, Func<string?> run) in InteropProbes.All())
        {
            string? error;
            try
            {
                error = run();
            }
            catch (Exception ex)
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
            }
            if (error == null)
            {
                passed++;
                Console.WriteLine($"ok   {name}");
            }
            else
            {
                failed++;
                Console.WriteLine($"FAIL {name}: {error}");
            }
        }
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
