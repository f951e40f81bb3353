using Mediasoup.Codecs;

namespace Mediasoup.Fuzz.Targets;

/// <summary>
/// The dependency descriptor (AV1 RTP specification, appendix A) as a stream sees it: input =
/// one length byte N, a first descriptor of N bytes (usually one carrying a template structure),
/// then a second descriptor resolved against what the first left in the stream's context. Each
/// one that parses is rewritten with an active decode targets mask taken from the input and
/// must parse again to the same frame with that mask.
/// </summary>
internal sealed class DependencyDescriptorTarget : IFuzzTarget
{
    public string Name => "dependency-descriptor";

    private readonly byte[] _rewritten = new byte[DependencyDescriptorContext.MaxLength + 8];

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        int first = Math.Min(input[0], input.Length - 1);
        ReadOnlySpan<byte> a = input.Slice(1, first), b = input[(1 + first)..];
        var context = new DependencyDescriptorContext(); // one stream per input: no state across runs
        uint mask = input.Length > 2 ? (uint)(input[^1] | input[^2] << 8) : 1u;
        Check(context, a, mask);
        Check(context, b, mask);
    }

    private void Check(DependencyDescriptorContext context, ReadOnlySpan<byte> extension, uint mask)
    {
        if (!context.TryParse(extension, out DependencyDescriptor d))
            return;
        DependencyStructure s = context.Structure ?? throw new FuzzInvariantException("parsed without a structure");
        if (d.SpatialId >= s.SpatialLayers || d.TemporalId >= s.TemporalLayers)
            throw new FuzzInvariantException($"layer S{d.SpatialId} T{d.TemporalId} outside an S{s.SpatialLayers} T{s.TemporalLayers} structure");
        mask &= s.AllDecodeTargets;
        int n = DependencyDescriptorWriter.Write(extension, d, mask, _rewritten);
        if (n < 0)
            return;
        // The rewrite must read back as the same frame with the new mask (against a copy of the
        // stream state: the original parse already applied the first descriptor).
        var again = new DependencyDescriptorContext();
        if (!d.HasStructure)
            return; // only a structure-carrying descriptor stands alone
        if (!again.TryParse(_rewritten.AsSpan(0, n), out DependencyDescriptor r))
            throw new FuzzInvariantException("rewritten descriptor does not parse");
        if (r.FrameNumber != d.FrameNumber || r.TemporalId != d.TemporalId || r.SpatialId != d.SpatialId
            || r.StartOfFrame != d.StartOfFrame || r.EndOfFrame != d.EndOfFrame || r.ActiveDecodeTargets != mask)
            throw new FuzzInvariantException("rewritten descriptor reads back differently");
    }

    public IEnumerable<byte[]> Seeds()
    {
        // An L3T3 key frame carrying its template structure (built by the unit tests' encoder),
        // then a 3-byte descriptor of a later frame resolved against it.
        byte[] key = Convert.FromHexString(
            "80138880081485214EAAAAFFFABCF24C30430C10AAA03FA80F24030400C1002A000A800240004000100006D549" +
            "241B82B04A094106E0AC1282503FEA0001974CA864330E222222ECA8655304224230ECA87753013F00B3027F016704FF02CF");
        byte[] next = Convert.FromHexString("C11389");
        yield return [(byte)key.Length, .. key, .. next];
        yield return [(byte)key.Length, .. key];
        yield return [3, .. next, .. next];
    }
}
