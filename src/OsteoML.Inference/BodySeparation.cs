using OsteoML.Imaging;

namespace OsteoML.Inference;

/// <summary>
/// Separates vertebral bodies that touch across a disc. At 2 mm a thin or tilted disc (older patients, the rim of a
/// concave endplate, 5 mm slices) can leave trabecular voxels of two bodies face to face, so one 6-connected
/// component holds two or more bodies and the count below T12 goes wrong. A component taller along the spine than
/// one body is cut where its cross-section along the spine's axis has a deep valley — the disc plane — and each part
/// is checked again. A single body has no such valley (its waist is 5–10 % narrower, a fracture flattens it), so it
/// is never cut; a fusion without a valley stays whole and the level rule refuses it by its height.
/// </summary>
public static class BodySeparation
{
    /// <summary>Cuts every component of <paramref name="components"/> (labels 1..count) that holds more than one body; new parts
    /// get new labels after <paramref name="count"/>. Returns the new label count.</summary>
    public static int Split(Volume<int> components, int count, VertebraLevelOptions options)
    {
        var g = components.Geometry;
        var members = new List<long>[count + 1];
        var voxels = components.Voxels;
        for (long i = 0; i < voxels.LongLength; i++)
        {
            var c = voxels[i];
            if (c > 0)
                (members[c] ??= []).Add(i);
        }
        var pending = new Stack<List<long>>(members.Where(m => m is not null).Select(m => m!));
        var next = count;
        var minVoxels = options.MinBodyVolumeMm3 / g.VoxelVolumeMm3;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part.Count < 2 * minVoxels)
                continue;
            var points = part.Select(i => Position(g, i)).ToArray();
            var axis = SpineAxis(points);
            var s = points.Select(p => p.Dot(axis)).ToArray();
            var bin = Math.Min(g.Spacing.X, Math.Min(g.Spacing.Y, g.Spacing.Z));
            var lo = s.Min();
            var profile = new int[(int)Math.Floor((s.Max() - lo) / bin) + 1];
            foreach (var v in s)
                profile[(int)Math.Floor((v - lo) / bin)]++;
            if (profile.Length * bin < options.SplitMinHeightMm)
                continue;
            if (Valley(profile, (int)Math.Ceiling(options.SplitMinPartHeightMm / bin), options.SplitValleyRatio) is not { } cut)
                continue;
            var upper = new List<long>();
            var lower = new List<long>();
            for (var k = 0; k < part.Count; k++)
                ((s[k] - lo) / bin >= cut + 0.5 ? upper : lower).Add(part[k]);
            if (upper.Count < minVoxels || lower.Count < minVoxels)
                continue;
            next++;
            foreach (var i in upper)
                voxels[i] = next;
            pending.Push(upper);
            pending.Push(lower);
        }
        return next;
    }

    /// <summary>
    /// The direction of the spine through a set of points (patient mm): of the principal axes of their scatter, the one
    /// nearest patient Z, pointing superior. A vertebral body's trabecular core is flatter than it is wide or deep, so its
    /// craniocaudal axis is its axis of least spread; a stack of bodies is longest along the spine. Either way that axis
    /// is the one closest to Z, since the spine's tilt stays well under 45° over the lumbar and low thoracic levels.
    /// </summary>
    public static Vec3 SpineAxis(IReadOnlyList<Vec3> points)
    {
        var mean = Vec3.Zero;
        foreach (var p in points)
            mean += p;
        mean /= points.Count;
        var covariance = new double[3, 3];
        foreach (var p in points)
        {
            var d = p - mean;
            for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++)
                covariance[r, c] += d[r] * d[c];
        }
        var vectors = SymmetricEigenvectors(covariance);
        var best = 0;
        for (var k = 1; k < 3; k++)
            if (Math.Abs(vectors[2, k]) > Math.Abs(vectors[2, best]))
                best = k;
        var axis = new Vec3(vectors[0, best], vectors[1, best], vectors[2, best]);
        return axis.Z < 0 ? -axis : axis;
    }

    /// <summary>Eigenvectors (columns) of a symmetric 3×3 matrix by cyclic Jacobi rotations; the matrix is overwritten.</summary>
    public static double[,] SymmetricEigenvectors(double[,] a)
    {
        var v = new double[3, 3] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        for (var sweep = 0; sweep < 50; sweep++)
        {
            var off = Math.Abs(a[0, 1]) + Math.Abs(a[0, 2]) + Math.Abs(a[1, 2]);
            var scale = Math.Abs(a[0, 0]) + Math.Abs(a[1, 1]) + Math.Abs(a[2, 2]);
            if (off <= 1e-15 * scale || off == 0)
                break;
            foreach (var (p, q) in new[] { (0, 1), (0, 2), (1, 2) })
            {
                if (a[p, q] == 0)
                    continue;
                // The rotation that zeroes a[p, q] (Golub & Van Loan, the symmetric Schur decomposition).
                var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                var c = 1 / Math.Sqrt(t * t + 1);
                var s = t * c;
                for (var k = 0; k < 3; k++)
                {
                    var akp = a[k, p];
                    var akq = a[k, q];
                    a[k, p] = c * akp - s * akq;
                    a[k, q] = s * akp + c * akq;
                }
                for (var k = 0; k < 3; k++)
                {
                    var apk = a[p, k];
                    var aqk = a[q, k];
                    a[p, k] = c * apk - s * aqk;
                    a[q, k] = s * apk + c * aqk;
                }
                for (var k = 0; k < 3; k++)
                {
                    var vkp = v[k, p];
                    var vkq = v[k, q];
                    v[k, p] = c * vkp - s * vkq;
                    v[k, q] = s * vkp + c * vkq;
                }
            }
        }
        return v;
    }

    /// <summary>
    /// The bin of the deepest valley of a cross-section profile, at least <paramref name="margin"/> bins from either end,
    /// whose count is under <paramref name="ratio"/> times the smaller of the highest bins on its two sides; null if none.
    /// </summary>
    public static int? Valley(IReadOnlyList<int> profile, int margin, double ratio)
    {
        var n = profile.Count;
        if (n < 2 * margin + 1)
            return null;
        var leftMax = new int[n];
        var rightMax = new int[n];
        for (var b = 1; b < n; b++)
            leftMax[b] = Math.Max(leftMax[b - 1], profile[b - 1]);
        for (var b = n - 2; b >= 0; b--)
            rightMax[b] = Math.Max(rightMax[b + 1], profile[b + 1]);
        int? best = null;
        var bestRatio = ratio;
        for (var b = margin; b < n - margin; b++)
        {
            var shoulder = Math.Min(leftMax[b], rightMax[b]);
            if (shoulder == 0)
                continue;
            var r = (double)profile[b] / shoulder;
            if (r < bestRatio)
            {
                bestRatio = r;
                best = b;
            }
        }
        return best;
    }

    private static Vec3 Position(VolumeGeometry g, long index)
    {
        long sx = g.Size.X, sxy = (long)g.Size.X * g.Size.Y;
        return g.IndexToWorld(index % sx, index / sx % g.Size.Y, index / sxy);
    }
}
