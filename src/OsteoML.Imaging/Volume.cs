namespace OsteoML.Imaging;

/// <summary>
/// A 3D image: voxels in one contiguous array, x (column) fastest, then y (row), then z (slice) — the
/// DICOM and NIfTI memory order, so a slice is a contiguous span. CT volumes hold Hounsfield units as float.
/// </summary>
public sealed class Volume<T> where T : unmanaged
{
    public Volume(VolumeGeometry geometry, T[] voxels)
    {
        if (voxels.LongLength != geometry.Size.Count)
            throw new ArgumentException($"Volume of {geometry.Size} needs {geometry.Size.Count} voxels, got {voxels.LongLength}.", nameof(voxels));
        Geometry = geometry;
        Voxels = voxels;
    }

    public Volume(VolumeGeometry geometry) : this(geometry, new T[geometry.Size.Count]) { }

    public VolumeGeometry Geometry { get; }
    public T[] Voxels { get; }
    public Size3 Size => Geometry.Size;

    public long IndexOf(int x, int y, int z) => ((long)z * Size.Y + y) * Size.X + x;

    public ref T this[int x, int y, int z] => ref Voxels[IndexOf(x, y, z)];

    public Span<T> Slice(int z) => Voxels.AsSpan(checked((int)IndexOf(0, 0, z)), Size.X * Size.Y);

    /// <summary>A volume of another voxel type on the same grid.</summary>
    public Volume<TOut> Map<TOut>(Func<T, TOut> map) where TOut : unmanaged
    {
        var result = new TOut[Voxels.Length];
        for (var i = 0; i < Voxels.Length; i++)
            result[i] = map(Voxels[i]);
        return new Volume<TOut>(Geometry, result);
    }

    public Volume<T> WithGeometry(VolumeGeometry geometry) => new(geometry, Voxels);
}
