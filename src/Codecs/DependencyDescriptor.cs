namespace Mediasoup.Codecs;

/// <summary>Decode target indication values (AV1 RTP specification A.8.3, table A.1).</summary>
internal enum DecodeTargetIndication : byte
{
    /// <summary>No payload for this decode target.</summary>
    NotPresent = 0,
    /// <summary>Present and discardable.</summary>
    Discardable = 1,
    /// <summary>Present, and a switch to this decode target is possible here.</summary>
    Switch = 2,
    /// <summary>Present, neither discardable nor a switch point.</summary>
    Required = 3,
}

/// <summary>
/// One packet's dependency descriptor (AV1 RTP specification appendix A.8), as
/// <see cref="DependencyDescriptorContext.TryParse"/> resolved it against the stream's template
/// structure, with the bit positions <see cref="DependencyDescriptorWriter"/> needs to rewrite it.
/// </summary>
internal struct DependencyDescriptor
{
    // Mandatory fields (A.8.2 mandatory_descriptor_fields).
    public bool StartOfFrame;
    public bool EndOfFrame;
    /// <summary>frame_dependency_template_id as sent (0..63).</summary>
    public byte FrameDependencyTemplateId;
    public ushort FrameNumber;

    /// <summary>Index of the frame's template in the structure.</summary>
    public byte TemplateIndex;
    /// <summary>FrameSpatialId / FrameTemporalId from the template.</summary>
    public byte SpatialId;
    public byte TemporalId;

    /// <summary>Whether the packet had extended fields (extension longer than 3 bytes).</summary>
    public bool HasExtendedFields;
    /// <summary>template_dependency_structure_present_flag: the packet carried (and installed) a new structure.</summary>
    public bool HasStructure;
    /// <summary>The packet starts a key frame: start_of_frame with a new structure attached.</summary>
    public bool IsKeyFrame;
    /// <summary>active_decode_targets_present_flag.</summary>
    public bool HasActiveDecodeTargets;
    /// <summary>
    /// The active decode targets in force after this packet: its own bitmask, else all targets
    /// when it carried a structure, else the last value the stream signalled.
    /// </summary>
    public uint ActiveDecodeTargets;
    public bool CustomDtis;
    public bool CustomFdiffs;
    public bool CustomChains;

    /// <summary>Counts of the structure the packet was resolved against.</summary>
    public byte DecodeTargetCount;
    public byte ChainCount;
    public byte SpatialLayers;
    public byte TemporalLayers;

    /// <summary>frame_dti packed two bits per decode target, target i at bits 2i..2i+1.</summary>
    public ulong Dtis;
    /// <summary>Frame fdiffs and chain fdiffs in the context (<see cref="DependencyDescriptorContext.FrameFdiffs"/>).</summary>
    public ushort FdiffCount;

    // Bit positions for rewriting (A.8.2 extended_descriptor_fields).
    /// <summary>Where active_decode_targets_bitmask starts, or would be inserted (after the structure).</summary>
    public ushort ActiveDecodeTargetsBit;
    /// <summary>Bits consumed by the syntax, before zero_padding.</summary>
    public ushort ConsumedBits;

    public readonly DecodeTargetIndication GetDti(int decodeTarget) =>
        (uint)decodeTarget < DecodeTargetCount ? (DecodeTargetIndication)((Dtis >> (2 * decodeTarget)) & 3) : DecodeTargetIndication.NotPresent;

    /// <summary>Whether the frame belongs to the decode target (DTI other than not present).</summary>
    public readonly bool IsPresentIn(int decodeTarget) => GetDti(decodeTarget) != DecodeTargetIndication.NotPresent;
}
