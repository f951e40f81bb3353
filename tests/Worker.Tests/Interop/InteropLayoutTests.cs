using Mediasoup.InteropCheck;
using Xunit;

namespace Mediasoup.Tests.InteropLayout;

/// <summary>The interop check on this machine's architecture (x64): the C# declarations
/// against the shim's C layout table, and the kernel round trips. build.sh runs the same
/// code for arm64 under qemu-user (tests/InteropCheck).</summary>
public class InteropLayoutTests
{
    [Fact]
    public void Every_mirrored_layout_and_constant_matches_the_C_compiler()
    {
        var problems = InteropLayouts.Compare(out int checkedCount);
        Assert.True(checkedCount > 150, $"only {checkedCount} entries checked");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Epoll_event_is_packed_on_x64()
    {
        // The one layout that differs by architecture: 12 bytes here, 16 on arm64.
        Assert.Equal(12, InteropLayouts.Native()["struct epoll_event"]);
        Assert.Equal(4, InteropLayouts.Native()["struct epoll_event.data"]);
    }

    public static TheoryData<string> Probes()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in InteropProbes.All())
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void Kernel_round_trip(string probe)
    {
        foreach (var (name, run) in InteropProbes.All())
        {
            if (name == probe)
            {
                string? error = run();
                Assert.True(error == null, error);
                return;
            }
        }
        Assert.Fail($"no probe {probe}");
    }
}
