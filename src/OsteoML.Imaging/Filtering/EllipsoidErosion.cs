namespace OsteoML.Imaging.Filtering;

/// <summary>
/// Binary erosion by an ellipsoid of a given radius in millimetres, built the way TotalSegmentator's spine report builds
/// its kernel (<c>np.ogrid[-r:r+1]</c> per axis with r = mm / spacing, kept where Σ (v / r)² ≤ 1, applied by
/// <c>scipy.ndimage.binary_erosion</c> with the kernel's centre at index size // 2 and <c>border_value=0</c>), so its
/// measurements can be reproduced on its own masks. With a radius that is not a whole number of voxels the ogrid's values
/// are not symmetric about 0 and the kernel is lopsided: 4 mm on a 3 mm grid keeps only offsets −1 and 0 on each axis
/// (a 2 × 2 × 2 cube). The kernel is laid out along the axes of the image turned to its closest canonical RAS orientation
/// (nibabel's <c>as_closest_canonical</c>, which the report applies first), so a flipped or permuted file erodes the same
/// anatomy.
/// </summary>
public static class EllipsoidErosion
{
    /// <summary>Voxel offsets (i, j, k of <paramref name="geometry"/>) a voxel needs set, all of them, to survive.</summary>
    public static IReadOnlyList<(int I, int J, int K)> Offsets(VolumeGeometry geometry, double radiusMm)
    {
        // Canonical axis c (R, A, S) ← voxel axis a, with the sign that makes it run toward +R/+A/+S.
        var axisOf = new int[3];
        var sign = new int[3];
        for (var c = 0; c < 3; c++)
        {
            var best = -1;
            for (var a = 0; a < 3; a++)
            {
                if (axisOf.Take(c).Contains(a)) continue;
                if (best < 0 || Math.Abs(Ras(geometry.Direction[a], c)) > Math.Abs(Ras(geometry.Direction[best], c))) best = a;
            }
            axisOf[c] = best;
            sign[c] = Ras(geometry.Direction[best], c) >= 0 ? 1 : -1;
        }
        var values = new double[3][];
        for (var c = 0; c < 3; c++)
        {
            var r = radiusMm / geometry.Spacing[axisOf[c]];
            var n = (int)Math.Ceiling(2 * r + 1);
            values[c] = Enumerable.Range(0, n).Select(m => -r + m).ToArray();
        }
        var offsets = new List<(int, int, int)>();
        for (var x = 0; x < values[0].Length; x++)
        for (var y = 0; y < values[1].Length; y++)
        for (var z = 0; z < values[2].Length; z++)
        {
            double Term(int c, int m)
            {
                var r = radiusMm / geometry.Spacing[axisOf[c]];
                return values[c][m] * values[c][m] / (r * r);
            }
            if (Term(0, x) + Term(1, y) + Term(2, z) > 1) continue;
            var canonical = new[] { x - values[0].Length / 2, y - values[1].Length / 2, z - values[2].Length / 2 };
            var voxel = new int[3];
            for (var c = 0; c < 3; c++) voxel[axisOf[c]] = sign[c] * canonical[c];
            offsets.Add((voxel[0], voxel[1], voxel[2]));
        }
        return offsets;
    }

    public static Volume<bool> Erode(Volume<bool> mask, double radiusMm)
    {
        var offsets = Offsets(mask.Geometry, radiusMm);
        var size = mask.Size;
        var result = new bool[mask.Voxels.Length];
        Parallel.For(0, size.Z, z =>
        {
            for (var y = 0; y < size.Y; y++)
            for (var x = 0; x < size.X; x++)
            {
                if (!mask[x, y, z]) continue;
                var keep = true;
                foreach (var (i, j, k) in offsets)
                {
                    int a = x + i, b = y + j, c = z + k;
                    if (!size.Contains(a, b, c) || !mask[a, b, c]) { keep = false; break; }
                }
                result[mask.IndexOf(x, y, z)] = keep;
            }
        });
        return new Volume<bool>(mask.Geometry, result);
    }

    /// <summary>Component of an LPS direction along canonical RAS axis <paramref name="c"/>.</summary>
    private static double Ras(Vec3 direction, int c) => c switch { 0 => -direction.X, 1 => -direction.Y, _ => direction.Z };
}
