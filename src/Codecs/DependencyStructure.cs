using System;
namespace Mediasoup.Codecs;

/// <summary>
/// The template dependency structure of the AV1 dependency descriptor (AV1 RTP specification
/// A.8.2 template_dependency_structure, A.8.3): the frame templates (spatial and temporal id,
/// decode target indications, frame diffs, chain diffs), which chain protects each decode target,
/// each decode target's layers and the render resolutions. Storage sized once for the largest
/// structure the syntax allows (64 templates, 32 decode targets and chains), so reading one
/// allocates nothing.
/// </summary>
internal sealed class DependencyStructure
{
    public const int MaxTemplates = 64;
    public const int MaxDecodeTargets = 32;
    /// <summary>Spatial ids grow by one per next_layer_idc = 2, so at most one per template.</summary>
    public const int MaxSpatialIds = MaxTemplates;
    /// <summary>A template fdiff costs 5 bits; a 255-byte extension holds fewer than this many.</summary>
    public const int MaxTemplateFdiffs = 512;

    private readonly byte[] _spatialId = new byte[MaxTemplates];
    private readonly byte[] _temporalId = new byte[MaxTemplates];
    private readonly ulong[] _dtis = new ulong[MaxTemplates];
    private readonly ushort[] _fdiffStart = new ushort[MaxTemplates];
    private readonly byte[] _fdiffCount = new byte[MaxTemplates];
    private readonly byte[] _fdiffs = new byte[MaxTemplateFdiffs];
    private readonly byte[] _chainFdiffs = new byte[MaxTemplates * MaxDecodeTargets];
    private readonly byte[] _protectedBy = new byte[MaxDecodeTargets];
    private readonly byte[] _dtSpatialId = new byte[MaxDecodeTargets];
    private readonly byte[] _dtTemporalId = new byte[MaxDecodeTargets];
    private readonly ushort[] _maxWidth = new ushort[MaxSpatialIds];
    private readonly ushort[] _maxHeight = new ushort[MaxSpatialIds];

    /// <summary>frame_dependency_template_id of template 0.</summary>
    public int TemplateIdOffset { get; private set; }
    public int TemplateCount { get; private set; }
    /// <summary>DtCnt.</summary>
    public int DecodeTargetCount { get; private set; }
    /// <summary>chain_cnt; 0 when the structure uses no chains.</summary>
    public int ChainCount { get; private set; }
    /// <summary>MaxSpatialId + 1.</summary>
    public int SpatialLayers { get; private set; }
    /// <summary>MaxTemporalId + 1 (the highest temporal id of any template).</summary>
    public int TemporalLayers { get; private set; }
    public bool HasResolutions { get; private set; }

    /// <summary>All decode targets: (1 &lt;&lt; DtCnt) - 1.</summary>
    public uint AllDecodeTargets => DecodeTargetCount >= 32 ? uint.MaxValue : (1u << DecodeTargetCount) - 1;

    public byte TemplateSpatialId(int templateIndex) => _spatialId[templateIndex];
    public byte TemplateTemporalId(int templateIndex) => _temporalId[templateIndex];
    /// <summary>The template's DTIs packed two bits per decode target, target i at bits 2i..2i+1.</summary>
    public ulong TemplateDtis(int templateIndex) => _dtis[templateIndex];
    public ReadOnlySpan<byte> TemplateFdiffs(int templateIndex) =>
        _fdiffs.AsSpan(_fdiffStart[templateIndex], _fdiffCount[templateIndex]);
    public ReadOnlySpan<byte> TemplateChainFdiffs(int templateIndex) =>
        _chainFdiffs.AsSpan(templateIndex * MaxDecodeTargets, ChainCount);
    /// <summary>decode_target_protected_by[dt]; meaningful only when ChainCount &gt; 0.</summary>
    public byte DecodeTargetProtectedBy(int decodeTarget) => _protectedBy[decodeTarget];
    /// <summary>DecodeTargetSpatialId[dt]: the highest spatial id of the templates the target is present in.</summary>
    public byte DecodeTargetSpatialId(int decodeTarget) => _dtSpatialId[decodeTarget];
    public byte DecodeTargetTemporalId(int decodeTarget) => _dtTemporalId[decodeTarget];

    /// <summary>max_render_width/height of a spatial layer; false without resolutions or outside the structure.</summary>
    public bool TryGetResolution(int spatialId, out int width, out int height)
    {
        if (!HasResolutions || (uint)spatialId >= (uint)SpatialLayers)
        {
            width = 0;
            height = 0;
            return false;
        }
        width = _maxWidth[spatialId] + 1;
        height = _maxHeight[spatialId] + 1;
        return true;
    }

    /// <summary>
    /// The decode targets whose layers are within (maxSpatial, maxTemporal): the
    /// active_decode_targets_bitmask for a receiver getting those layers.
    /// </summary>
    public uint DecodeTargetsUpTo(int maxSpatial, int maxTemporal)
    {
        uint mask = 0;
        for (int dt = 0; dt < DecodeTargetCount; dt++)
        {
            if (_dtSpatialId[dt] <= maxSpatial && _dtTemporalId[dt] <= maxTemporal)
            {
                mask |= 1u << dt;
            }
        }
        return mask;
    }

    /// <summary>The decode target whose layers are exactly (spatial, temporal), or -1.</summary>
    public int DecodeTargetOf(int spatial, int temporal)
    {
        for (int dt = 0; dt < DecodeTargetCount; dt++)
        {
            if (_dtSpatialId[dt] == spatial && _dtTemporalId[dt] == temporal)
            {
                return dt;
            }
        }
        return -1;
    }

    /// <summary>
    /// template_dependency_structure() (A.8.2) from the reader's position. On false the contents
    /// are unspecified: read into a spare instance and keep the previous one.
    /// </summary>
    public bool TryRead(ref BitReader reader)
    {
        if (!reader.TryRead(6, out uint offset) || !reader.TryRead(5, out uint dtMinusOne))
        {
            return false;
        }
        TemplateIdOffset = (int)offset;
        int dtCnt = (int)dtMinusOne + 1;
        DecodeTargetCount = dtCnt;

        // template_layers(): next_layer_idc walks the templates' spatial and temporal ids.
        int templates = 0, spatial = 0, temporal = 0, maxTemporal = 0;
        uint idc;
        do
        {
            if (templates == MaxTemplates)
            {
                return false;
            }
            _spatialId[templates] = (byte)spatial;
            _temporalId[templates] = (byte)temporal;
            templates++;
            if (!reader.TryRead(2, out idc))
            {
                return false;
            }
            if (idc == 1)
            {
                temporal++;
                if (temporal > maxTemporal)
                {
                    maxTemporal = temporal;
                }
            }
            else if (idc == 2)
            {
                temporal = 0;
                spatial++;
            }
        } while (idc != 3);
        TemplateCount = templates;
        SpatialLayers = spatial + 1;
        TemporalLayers = maxTemporal + 1;

        // template_dtis()
        for (int t = 0; t < templates; t++)
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
            _dtis[t] = dtis;
        }

        // template_fdiffs()
        int fdiffTotal = 0;
        for (int t = 0; t < templates; t++)
        {
            _fdiffStart[t] = (ushort)fdiffTotal;
            int count = 0;
            while (true)
            {
                if (!reader.TryReadBit(out bool follows))
                {
                    return false;
                }
                if (!follows)
                {
                    break;
                }
                if (fdiffTotal == MaxTemplateFdiffs || count == byte.MaxValue || !reader.TryRead(4, out uint fdiffMinusOne))
                {
                    return false;
                }
                _fdiffs[fdiffTotal++] = (byte)(fdiffMinusOne + 1);
                count++;
            }
            _fdiffCount[t] = (byte)count;
        }

        // template_chains()
        if (!reader.TryReadNonSymmetric((uint)dtCnt + 1, out uint chains))
        {
            return false;
        }
        ChainCount = (int)chains;
        if (chains > 0)
        {
            for (int dt = 0; dt < dtCnt; dt++)
            {
                if (!reader.TryReadNonSymmetric(chains, out uint chain))
                {
                    return false;
                }
                _protectedBy[dt] = (byte)chain;
            }
            for (int t = 0; t < templates; t++)
            {
                for (int c = 0; c < chains; c++)
                {
                    if (!reader.TryRead(4, out uint chainFdiff))
                    {
                        return false;
                    }
                    _chainFdiffs[t * MaxDecodeTargets + c] = (byte)chainFdiff;
                }
            }
        }

        // decode_target_layers(): the highest layers of the templates each target is present in.
        for (int dt = 0; dt < dtCnt; dt++)
        {
            int s = 0, tid = 0;
            for (int t = 0; t < templates; t++)
            {
                if (((_dtis[t] >> (2 * dt)) & 3) != 0)
                {
                    s = Math.Max(s, _spatialId[t]);
                    tid = Math.Max(tid, _temporalId[t]);
                }
            }
            _dtSpatialId[dt] = (byte)s;
            _dtTemporalId[dt] = (byte)tid;
        }

        if (!reader.TryReadBit(out bool resolutions))
        {
            return false;
        }
        HasResolutions = resolutions;
        if (resolutions)
        {
            for (int s = 0; s < SpatialLayers; s++)
            {
                if (!reader.TryRead(16, out uint w) || !reader.TryRead(16, out uint h))
                {
                    return false;
                }
                _maxWidth[s] = (ushort)w;
                _maxHeight[s] = (ushort)h;
            }
        }
        return true;
    }
}
