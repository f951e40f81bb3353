using System;
namespace Mediasoup.Codecs;

/// <summary>
/// Per-stream reader of the dependency descriptor RTP header extension (AV1 RTP specification
/// appendix A, used for AV1 and for H264/VP8/VP9 SVC): keeps the last template dependency
/// structure, which is sent only with key frames, and resolves every later packet against it.
/// Allocated once per stream; parsing allocates nothing.
/// </summary>
internal sealed class DependencyDescriptorContext
{
    /// <summary>The extension's largest length (two-byte header form, RFC 8285 4.3).</summary>
    public const int MaxLength = 255;
    /// <summary>Mandatory fields only: start/end of frame, template id, frame number.</summary>
    public const int MandatoryLength = 3;

    // A new structure is read into the spare one and swapped in only when the whole packet parses.
    private DependencyStructure _current = new();
    private DependencyStructure _spare = new();
    private bool _hasStructure;
    private readonly ushort[] _frameFdiffs = new ushort[MaxLength * 8 / 6 + 1];
    private readonly byte[] _frameChainFdiffs = new byte[DependencyStructure.MaxDecodeTargets];
    private int _frameFdiffCount;
    private int _frameChainCount;

    /// <summary>The structure in force, or null before the first key frame's.</summary>
    public DependencyStructure? Structure => _hasStructure ? _current : null;

    /// <summary>The active decode targets last signalled (all targets after a new structure).</summary>
    public uint ActiveDecodeTargets { get; private set; }

    /// <summary>The last parsed packet's frame fdiffs (template or custom): referred frame = frame_number - fdiff.</summary>
    public ReadOnlySpan<ushort> FrameFdiffs => _frameFdiffs.AsSpan(0, _frameFdiffCount);

    /// <summary>The last parsed packet's frame_chain_fdiff per chain (0: no earlier frame needed).</summary>
    public ReadOnlySpan<byte> FrameChainFdiffs => _frameChainFdiffs.AsSpan(0, _frameChainCount);

    /// <summary>Forgets the structure (a new producer stream, or after the stream was reset).</summary>
    public void Reset()
    {
        _hasStructure = false;
        ActiveDecodeTargets = 0;
        _frameFdiffCount = 0;
        _frameChainCount = 0;
    }

    /// <summary>
    /// dependency_descriptor(sz) (A.8.2). False, leaving the context as it was, when the bits run
    /// out, the extension is shorter than 3 or longer than 255 bytes, no structure is known yet,
    /// or the template id is outside the structure.
    /// </summary>
    public bool TryParse(ReadOnlySpan<byte> extension, out DependencyDescriptor d)
    {
        d = default;
        if (extension.Length < MandatoryLength || extension.Length > MaxLength)
        {
            return false;
        }
        // Mandatory fields: start(1) end(1) template id(6) frame number(16), byte aligned.
        byte first = extension[0];
        uint templateId = (uint)(first & 0x3F);
        d.StartOfFrame = (first & 0x80) != 0;
        d.EndOfFrame = (first & 0x40) != 0;
        d.FrameDependencyTemplateId = (byte)templateId;
        d.FrameNumber = (ushort)((extension[1] << 8) | extension[2]);
        var reader = new BitReader(extension);
        reader.TrySkip(MandatoryLength * 8);

        DependencyStructure? structure = Structure;
        uint active = ActiveDecodeTargets;
        bool newStructure = false;
        if (extension.Length > MandatoryLength)
        {
            d.HasExtendedFields = true;
            if (!reader.TryRead(5, out uint flags))
            {
                return false;
            }
            newStructure = (flags & 0x10) != 0;
            d.HasActiveDecodeTargets = (flags & 0x08) != 0;
            d.CustomDtis = (flags & 0x04) != 0;
            d.CustomFdiffs = (flags & 0x02) != 0;
            d.CustomChains = (flags & 0x01) != 0;
            if (newStructure)
            {
                if (!_spare.TryRead(ref reader))
                {
                    return false;
                }
                structure = _spare;
                active = structure.AllDecodeTargets;
            }
            if (structure == null)
            {
                return false;
            }
            d.ActiveDecodeTargetsBit = (ushort)reader.Position;
            if (d.HasActiveDecodeTargets)
            {
                if (!reader.TryRead(structure.DecodeTargetCount, out active))
                {
                    return false;
                }
            }
        }
        else if (structure == null)
        {
            return false;
        }

        // frame_dependency_definition()
        int templateIndex = (int)((templateId + 64 - (uint)structure.TemplateIdOffset) % 64);
        if (templateIndex >= structure.TemplateCount)
        {
            return false;
        }
        d.TemplateIndex = (byte)templateIndex;
        d.SpatialId = structure.TemplateSpatialId(templateIndex);
        d.TemporalId = structure.TemplateTemporalId(templateIndex);

        int dtCnt = structure.DecodeTargetCount;
        if (d.CustomDtis)
        {
            ulong dtis = 0;
            for (int dt = 0; dt < dtCnt; dt++)
            {
                if (!reader.TryRead(2, out uint dti))
                {
                    return false;
                }
                dtis |= (ulong)dti << (2 * dt);
            }
            d.Dtis = dtis;
        }
        else
        {
            d.Dtis = structure.TemplateDtis(templateIndex);
        }

        int fdiffs = 0;
        if (d.CustomFdiffs)
        {
            while (true)
            {
                if (!reader.TryRead(2, out uint size))
                {
                    return false;
                }
                if (size == 0)
                {
                    break;
                }
                if (fdiffs == _frameFdiffs.Length || !reader.TryRead(4 * (int)size, out uint fdiffMinusOne))
                {
                    return false;
                }
                _frameFdiffs[fdiffs++] = (ushort)(fdiffMinusOne + 1);
            }
        }
        else
        {
            ReadOnlySpan<byte> template = structure.TemplateFdiffs(templateIndex);
            for (int i = 0; i < template.Length; i++)
            {
                _frameFdiffs[i] = template[i];
            }
            fdiffs = template.Length;
        }

        int chains = structure.ChainCount;
        if (d.CustomChains)
        {
            for (int c = 0; c < chains; c++)
            {
                if (!reader.TryRead(8, out uint chainFdiff))
                {
                    return false;
                }
                _frameChainFdiffs[c] = (byte)chainFdiff;
            }
        }
        else
        {
            structure.TemplateChainFdiffs(templateIndex).CopyTo(_frameChainFdiffs);
        }

        // Everything parsed: commit.
        if (newStructure)
        {
            _spare = _current;
            _current = structure;
            _hasStructure = true;
        }
        ActiveDecodeTargets = active;
        _frameFdiffCount = fdiffs;
        _frameChainCount = chains;

        d.HasStructure = newStructure;
        d.IsKeyFrame = newStructure && d.StartOfFrame;
        d.ActiveDecodeTargets = active;
        d.DecodeTargetCount = (byte)dtCnt;
        d.ChainCount = (byte)chains;
        d.SpatialLayers = (byte)structure.SpatialLayers;
        d.TemporalLayers = (byte)structure.TemporalLayers;
        d.FdiffCount = (ushort)fdiffs;
        d.ConsumedBits = (ushort)reader.Position;
        if (!d.HasExtendedFields)
        {
            d.ActiveDecodeTargetsBit = (ushort)reader.Position;
        }
        return true;
    }
}
