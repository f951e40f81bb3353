namespace Mediasoup.Fuzz;

/// <summary>One parser under fuzzing: fed arbitrary bytes, must not throw (a throw is a crash).</summary>
public interface IFuzzTarget
{
    /// <summary>Name on the command line and of the seed folder seeds/NAME.</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);

    /// <summary>Small valid (or interesting) inputs to start from.</summary>
    IEnumerable<byte[]> Seeds();
}

/// <summary>An invariant a target checks failed (reported to AFL as a crash).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
