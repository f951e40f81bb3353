namespace Mediasoup.Tests.Codecs;

/// <summary>
/// Test-side bit packer for hand-building dependency descriptors field by field (f(n) and the
/// spec's write_ns, AV1 RTP specification A.8.2), independent of the worker's BitWriter.
/// </summary>
internal sealed class DdBits
{
    private readonly List<bool> _bits = [];

    public int Count => _bits.Count;

    public DdBits F(int n, long value)
    {
        for (int i = n - 1; i >= 0; i--)
            _bits.Add(((value >> i) & 1) != 0);
        return this;
    }

    public DdBits Ns(int n, int value)
    {
        if (n == 1)
            return this;
        int w = 0;
        for (int x = n; x != 0; x >>= 1)
            w++;
        int m = (1 << w) - n;
        return value < m ? F(w - 1, value) : F(w, value + m);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[(_bits.Count + 7) / 8];
        for (int i = 0; i < _bits.Count; i++)
            if (_bits[i])
                bytes[i / 8] |= (byte)(0x80 >> (i % 8));
        return bytes;
    }
}

/// <summary>A template dependency structure as the spec's example tables give it.</summary>
internal sealed record DdTemplate(int Spatial, int Temporal, int[] Fdiffs, int[] Chains, string Dtis);

internal sealed record DdStructure(int TemplateIdOffset, DdTemplate[] Templates, int[] ProtectedBy, (int W, int H)[]? Resolutions)
{
    public int DtCnt => Templates[0].Dtis.Length;
    public int ChainCnt => Templates[0].Chains.Length;

    public static int Dti(char c) => c switch { '-' => 0, 'D' => 1, 'S' => 2, 'R' => 3, _ => throw new ArgumentException(c.ToString()) };

    /// <summary>template_dependency_structure() (A.8.2).</summary>
    public void Write(DdBits b)
    {
        b.F(6, TemplateIdOffset).F(5, DtCnt - 1);
        for (int i = 0; i < Templates.Length; i++)
        {
            int idc;
            if (i == Templates.Length - 1)
                idc = 3;
            else if (Templates[i + 1].Spatial == Templates[i].Spatial && Templates[i + 1].Temporal == Templates[i].Temporal)
                idc = 0;
            else if (Templates[i + 1].Spatial == Templates[i].Spatial && Templates[i + 1].Temporal == Templates[i].Temporal + 1)
                idc = 1;
            else if (Templates[i + 1].Spatial == Templates[i].Spatial + 1 && Templates[i + 1].Temporal == 0)
                idc = 2;
            else
                throw new ArgumentException("templates not in syntax order");
            b.F(2, idc);
        }
        foreach (DdTemplate t in Templates)
            foreach (char c in t.Dtis)
                b.F(2, Dti(c));
        foreach (DdTemplate t in Templates)
        {
            foreach (int fdiff in t.Fdiffs)
                b.F(1, 1).F(4, fdiff - 1);
            b.F(1, 0);
        }
        b.Ns(DtCnt + 1, ChainCnt);
        if (ChainCnt > 0)
        {
            foreach (int chain in ProtectedBy)
                b.Ns(ChainCnt, chain);
            foreach (DdTemplate t in Templates)
                foreach (int c in t.Chains)
                    b.F(4, c);
        }
        b.F(1, Resolutions != null ? 1 : 0);
        if (Resolutions != null)
            foreach ((int w, int h) in Resolutions)
                b.F(16, w - 1).F(16, h - 1);
    }

    /// <summary>AV1 RTP specification A.10.2.1: L1T3, one chain over the temporal-id-0 frames.</summary>
    public static DdStructure L1T3(int offset = 0) => new(offset,
    [
        new(0, 0, [], [0], "SSS"),
        new(0, 0, [4], [4], "SSS"),
        new(0, 1, [2], [2], "SD-"),
        new(0, 2, [1], [1], "D--"),
        new(0, 2, [1], [3], "D--"),
    ], [0, 0, 0], [(640, 360)]);

    /// <summary>AV1 RTP specification A.10.2.2: L3T3 full SVC, three chains, nine decode targets.</summary>
    public static DdStructure L3T3(int offset = 0) => new(offset,
    [
        new(0, 0, [], [0, 0, 0], "SSSSSSSSS"),
        new(0, 0, [12], [12, 11, 10], "RRRRRRSSS"),
        new(0, 1, [6], [6, 5, 4], "RR-RR-SD-"),
        new(0, 2, [3], [3, 2, 1], "R--R--D--"),
        new(0, 2, [3], [9, 8, 7], "R--R--D--"),
        new(1, 0, [1], [1, 1, 1], "SSSSSS---"),
        new(1, 0, [12, 1], [1, 1, 1], "RRRSSS---"),
        new(1, 1, [6, 1], [7, 6, 5], "RR-SD----"),
        new(1, 2, [3, 1], [4, 3, 2], "R--D-----"),
        new(1, 2, [3, 1], [10, 9, 8], "R--D-----"),
        new(2, 0, [1], [2, 1, 1], "SSS------"),
        new(2, 0, [12, 1], [2, 1, 1], "SSS------"),
        new(2, 1, [6, 1], [8, 7, 6], "SD-------"),
        new(2, 2, [3, 1], [5, 4, 3], "D--------"),
        new(2, 2, [3, 1], [11, 10, 9], "D--------"),
    ], [2, 2, 2, 1, 1, 1, 0, 0, 0], [(320, 180), (640, 360), (1280, 720)]);
}

/// <summary>One packet's descriptor, built field by field.</summary>
internal sealed record DdPacket(bool Start, bool End, int TemplateId, int FrameNumber)
{
    public DdStructure? Structure { get; init; }
    public uint? ActiveMask { get; init; }
    public string? CustomDtis { get; init; }
    public (int Size, int FdiffMinusOne)[]? CustomFdiffs { get; init; }
    public int[]? CustomChains { get; init; }
    /// <summary>Extra zero padding bytes after the syntax.</summary>
    public int Padding { get; init; }

    public byte[] Build(int dtCnt)
    {
        var b = new DdBits();
        b.F(1, Start ? 1 : 0).F(1, End ? 1 : 0).F(6, TemplateId).F(16, FrameNumber);
        bool extended = Structure != null || ActiveMask != null || CustomDtis != null || CustomFdiffs != null || CustomChains != null;
        if (extended)
        {
            b.F(1, Structure != null ? 1 : 0).F(1, ActiveMask != null ? 1 : 0)
                .F(1, CustomDtis != null ? 1 : 0).F(1, CustomFdiffs != null ? 1 : 0).F(1, CustomChains != null ? 1 : 0);
            if (Structure != null)
            {
                Structure.Write(b);
                dtCnt = Structure.DtCnt;
            }
            if (ActiveMask != null)
                b.F(dtCnt, ActiveMask.Value);
            if (CustomDtis != null)
                foreach (char c in CustomDtis)
                    b.F(2, DdStructure.Dti(c));
            if (CustomFdiffs != null)
            {
                foreach ((int size, int v) in CustomFdiffs)
                    b.F(2, size).F(4 * size, v);
                b.F(2, 0);
            }
            if (CustomChains != null)
                foreach (int c in CustomChains)
                    b.F(8, c);
        }
        byte[] bytes = b.ToArray();
        // A descriptor of exactly 3 bytes has no extended fields: pad one that needs them.
        if (extended && bytes.Length <= 3)
            Array.Resize(ref bytes, 4);
        if (Padding > 0)
            Array.Resize(ref bytes, bytes.Length + Padding);
        return bytes;
    }
}
