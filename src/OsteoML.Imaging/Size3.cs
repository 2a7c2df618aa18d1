namespace OsteoML.Imaging;

/// <summary>Voxel counts along the volume's i (column), j (row) and k (slice) axes.</summary>
public readonly record struct Size3(int X, int Y, int Z)
{
    public long Count => (long)X * Y * Z;
    public int this[int axis] => axis switch
    {
        0 => X,
        1 => Y,
        2 => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };
    public bool Contains(int x, int y, int z) => (uint)x < (uint)X && (uint)y < (uint)Y && (uint)z < (uint)Z;
    public override string ToString() => $"{X}×{Y}×{Z}";
}
