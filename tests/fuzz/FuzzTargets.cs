using System.Diagnostics.CodeAnalysis;
using Mediasoup.Fuzz.Targets;

namespace Mediasoup.Fuzz;

/// <summary>
/// Every fuzz target, by name. ./build.sh fuzz runs each of these. Targets are built lazily:
/// instrumented worker code must not run before SharpFuzz has set up AFL's coverage map.
/// </summary>
internal static class FuzzTargets
{
    private static readonly (string Name, Func<IFuzzTarget> Create)[] All =
    [
        ("rtp", () => new RtpTarget()),
        ("rtcp", () => new RtcpTarget()),
        ("stun", () => new StunTarget()),
        ("dtls-demux", () => new DtlsDemuxTarget()),
        ("srtp", () => new SrtpTarget()),
        ("sctp-check", () => new SctpCheckTarget()),
        ("vp8", () => new Vp8Target()),
        ("vp9", () => new Vp9Target()),
        ("h264", () => new H264Target()),
        ("opus", () => new OpusTarget()),
        ("channel", () => new ChannelTarget()),
        ("dependency-descriptor", () => new DependencyDescriptorTarget()),
        ("av1", () => new Av1Target()),
        // Codec parsers joining (AV1, the dependency descriptor, layer parsers): one file in
        // Targets/ implementing IFuzzTarget (its Seeds() too), one line here and a seeds/NAME folder
        // (Mediasoup.Worker.Fuzz --write-seeds). Nothing else
        // changes: ./build.sh fuzz, CI and the replay test pick every entry up by name.
    ];

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static bool TryGet(string name, [NotNullWhen(true)] out Func<IFuzzTarget>? create)
    {
        create = All.FirstOrDefault(t => t.Name == name).Create;
        return create != null;
    }
}
