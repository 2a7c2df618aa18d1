using OsteoML.Imaging;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Fractures;

/// <summary>
/// A level-coded label map on a CT's native grid, held only inside a voxel box: what the segmentation keeps
/// (<see cref="VertebraSegmentation.NativeLevels"/>) or a whole reference label volume. Codes are the caller's
/// (the segmentation's level codes, or a reference map's label values).
/// </summary>
public sealed class NativeLevelMap
{
    private readonly byte[] _codes;
    private readonly int _nx, _ny;

    public NativeLevelMap(VolumeGeometry geometry, int[] lo, int[] hi, byte[] codes)
    {
        Geometry = geometry;
        Lo = lo;
        Hi = hi;
        _nx = Math.Max(0, hi[0] - lo[0] + 1);
        _ny = Math.Max(0, hi[1] - lo[1] + 1);
        var nz = Math.Max(0, hi[2] - lo[2] + 1);
        if (codes.LongLength != (long)_nx * _ny * nz)
            throw new ArgumentException($"{codes.LongLength} codes for a {_nx}×{_ny}×{nz} box.", nameof(codes));
        _codes = codes;
    }

    public VolumeGeometry Geometry { get; }
    public int[] Lo { get; }
    public int[] Hi { get; }

    public static NativeLevelMap From(VertebraSegmentation segmentation, VolumeGeometry geometry) =>
        new(geometry, segmentation.NativeLo, segmentation.NativeHi, segmentation.NativeLevels);

    public static NativeLevelMap From(Volume<byte> labels) =>
        new(labels.Geometry, [0, 0, 0], [labels.Size.X - 1, labels.Size.Y - 1, labels.Size.Z - 1], labels.Voxels);

    /// <summary>The code at voxel (i, j, k); 0 outside the box.</summary>
    public byte At(int i, int j, int k)
    {
        if (i < Lo[0] || j < Lo[1] || k < Lo[2] || i > Hi[0] || j > Hi[1] || k > Hi[2]) return 0;
        return _codes[((long)(k - Lo[2]) * _ny + (j - Lo[1])) * _nx + (i - Lo[0])];
    }

    /// <summary>The codes present in the map (0 excluded), ascending.</summary>
    public IReadOnlyList<byte> Codes()
    {
        var seen = new bool[256];
        foreach (var c in _codes) seen[c] = true;
        return Enumerable.Range(1, 255).Where(c => seen[c]).Select(c => (byte)c).ToList();
    }
}
