using System;
namespace Mediasoup.Codecs;

/// <summary>
/// The VP9 scalability structure (RFC 9628 section 4.2.1) last seen on a stream: spatial layer
/// count and resolutions, and the picture group (each picture's temporal layer, switching up
/// point and P_DIFFs). Allocated once per stream; reading one allocates nothing.
/// </summary>
internal sealed class Vp9ScalabilityStructure
{
    public const int MaxPictureGroupSize = 255;

    private readonly ushort[] _width = new ushort[Vp9PayloadDescriptor.MaxSpatialLayers];
    private readonly ushort[] _height = new ushort[Vp9PayloadDescriptor.MaxSpatialLayers];
    private readonly byte[] _temporal = new byte[MaxPictureGroupSize];
    private readonly bool[] _switchingUp = new bool[MaxPictureGroupSize];
    private readonly byte[] _referenceCount = new byte[MaxPictureGroupSize];
    private readonly byte[] _pDiffs = new byte[MaxPictureGroupSize * Vp9PayloadDescriptor.MaxReferences];

    /// <summary>Whether a structure has been read since construction or <see cref="Reset"/>.</summary>
    public bool IsKnown { get; private set; }
    /// <summary>N_S + 1.</summary>
    public int SpatialLayers { get; private set; }
    /// <summary>Y.</summary>
    public bool HasResolutions { get; private set; }
    /// <summary>G.</summary>
    public bool HasPictureGroup { get; private set; }
    /// <summary>N_G: pictures in the picture group.</summary>
    public int PictureGroupSize { get; private set; }

    public int Width(int spatialLayer) => _width[spatialLayer];
    public int Height(int spatialLayer) => _height[spatialLayer];
    public byte PictureTemporalLayer(int picture) => _temporal[picture];
    public bool PictureSwitchingUpPoint(int picture) => _switchingUp[picture];
    public ReadOnlySpan<byte> PictureReferenceDiffs(int picture) =>
        _pDiffs.AsSpan(picture * Vp9PayloadDescriptor.MaxReferences, _referenceCount[picture]);

    public void Reset() => IsKnown = false;

    /// <summary>
    /// Reads the structure of a packet whose descriptor (parsed from the same payload) has V = 1.
    /// False, keeping the previous structure, when the descriptor has none; false with no
    /// structure known (<see cref="IsKnown"/> false) when payload and descriptor do not match.
    /// </summary>
    public bool TryRead(ReadOnlySpan<byte> payload, in Vp9PayloadDescriptor d)
    {
        if (!d.HasScalabilityStructure)
        {
            return false;
        }
        IsKnown = false;
        if (payload.Length < d.SsOffset + d.SsLength || d.SsLength == 0)
        {
            return false;
        }
        ReadOnlySpan<byte> ss = payload.Slice(d.SsOffset, d.SsLength);
        int spatial = (ss[0] >> 5) + 1;
        bool y = (ss[0] & 0x10) != 0;
        bool g = (ss[0] & 0x08) != 0;
        int offset = 1;
        if (y)
        {
            if (ss.Length < offset + 4 * spatial)
            {
                return false;
            }
            for (int s = 0; s < spatial; s++, offset += 4)
            {
                _width[s] = (ushort)((ss[offset] << 8) | ss[offset + 1]);
                _height[s] = (ushort)((ss[offset + 2] << 8) | ss[offset + 3]);
            }
        }
        int pictures = 0;
        if (g)
        {
            if (offset >= ss.Length)
            {
                return false;
            }
            pictures = ss[offset++];
            for (int i = 0; i < pictures; i++)
            {
                if (offset >= ss.Length)
                {
                    return false;
                }
                byte b = ss[offset++];
                int references = (b >> 2) & 0x03;
                if (ss.Length < offset + references)
                {
                    return false;
                }
                _temporal[i] = (byte)(b >> 5);
                _switchingUp[i] = (b & 0x10) != 0;
                _referenceCount[i] = (byte)references;
                for (int r = 0; r < references; r++)
                {
                    _pDiffs[i * Vp9PayloadDescriptor.MaxReferences + r] = ss[offset++];
                }
            }
        }
        if (!y)
        {
            Array.Clear(_width);
            Array.Clear(_height);
        }
        SpatialLayers = spatial;
        HasResolutions = y;
        HasPictureGroup = g;
        PictureGroupSize = pictures;
        IsKnown = true;
        return true;
    }
}
