using OsteoML.Imaging;

namespace OsteoML.Pipelines.Segmentation;

/// <summary>Centroids and craniocaudal extents of the level codes in a native-grid level map (a box of a volume, x fastest).</summary>
public static class LevelPositions
{
    public static IReadOnlyDictionary<byte, LevelPosition> Of(VolumeGeometry geometry, int[] lo, int[] hi, byte[] levels)
    {
        var result = new Dictionary<byte, LevelPosition>();
        if (levels.Length == 0) return result;
        int nx = hi[0] - lo[0] + 1, ny = hi[1] - lo[1] + 1, nz = hi[2] - lo[2] + 1;
        var sum = new Dictionary<byte, (Vec3 Sum, long Count, double Top, double Bottom)>();
        // Half a voxel along patient Z, from whichever voxel axes have a Z component: the mask's outer faces.
        var d = geometry.Direction;
        var halfZ = 0.5 * (Math.Abs(d.I.Z) * geometry.Spacing.X + Math.Abs(d.J.Z) * geometry.Spacing.Y + Math.Abs(d.K.Z) * geometry.Spacing.Z);
        for (var z = 0; z < nz; z++)
        for (var y = 0; y < ny; y++)
        for (var x = 0; x < nx; x++)
        {
            var code = levels[((long)z * ny + y) * nx + x];
            if (code == 0 || code == VertebraSegmentation.Unnamed) continue;
            var p = geometry.IndexToWorld(lo[0] + x, lo[1] + y, lo[2] + z);
            var s = sum.TryGetValue(code, out var t) ? t : (Sum: Vec3.Zero, Count: 0L, Top: double.NegativeInfinity, Bottom: double.PositiveInfinity);
            sum[code] = (s.Sum + p, s.Count + 1, Math.Max(s.Top, p.Z + halfZ), Math.Min(s.Bottom, p.Z - halfZ));
        }
        foreach (var (code, s) in sum)
            result[code] = new LevelPosition(s.Sum / s.Count, s.Top, s.Bottom);
        return result;
    }
}
