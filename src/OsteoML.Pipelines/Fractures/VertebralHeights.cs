using OsteoML.Imaging;
using OsteoML.Inference;

namespace OsteoML.Pipelines.Fractures;

/// <summary>
/// Anterior, middle and posterior heights of one vertebral body, measured on its mask along the body's own axis, not
/// the scanner's z: the axis is the body's axis of least spread (a body is flatter than it is wide or deep;
/// <see cref="BodySeparation.SpineAxis"/>), the posterior direction is the patient's posterior made perpendicular to it,
/// and each height is the mean length of a small bundle of rays cast along the axis through the mask (sampled by
/// nearest voxel, so a voxel counts when its centre is inside — unbiased on average at any tilt) at the site: anterior
/// and posterior <see cref="VertebralHeightOptions.WallInsetFraction"/> of the depth inside the walls, middle halfway.
/// The walls are where the mid-sagittal height profile reaches <see cref="VertebralHeightOptions.WallHeightFraction"/>
/// of its maximum.
/// A trabecular-core mask gets the endplates' thickness added (<see cref="MaskExtent"/>). Pure.
/// </summary>
public static class VertebralHeights
{
    public static BodyMeasurement? Measure(NativeLevelMap map, byte code, MaskExtent extent, VertebralHeightOptions? options = null)
    {
        options ??= new VertebralHeightOptions();
        var g = map.Geometry;
        var points = new List<Vec3>();
        var touchesEdge = false;
        for (var k = Math.Max(0, map.Lo[2]); k <= Math.Min(g.Size.Z - 1, map.Hi[2]); k++)
        for (var j = Math.Max(0, map.Lo[1]); j <= Math.Min(g.Size.Y - 1, map.Hi[1]); j++)
        for (var i = Math.Max(0, map.Lo[0]); i <= Math.Min(g.Size.X - 1, map.Hi[0]); i++)
        {
            if (map.At(i, j, k) != code) continue;
            points.Add(g.IndexToWorld(i, j, k));
            touchesEdge |= k == 0 || k == g.Size.Z - 1;
        }
        // Fewer voxels than a 1 cm³ body at 2 mm cannot be measured meaningfully.
        if (points.Count < 125) return null;

        var centroid = Vec3.Zero;
        foreach (var p in points) centroid += p;
        centroid /= points.Count;
        var axis = BodySeparation.SpineAxis(points);
        var posterior = (new Vec3(0, 1, 0) - axis * axis.Y).Normalized();
        var left = axis.Cross(posterior).Normalized();

        // The walls: on the mid-sagittal line (a real body's posterior wall is concave towards the canal), where the
        // height profile across the depth first and last reaches a fraction of its maximum. Not the mask's extreme
        // points: a tilted or sheared body's corners stick out in thin wedges, and a rim osteophyte is no wall.
        double vMin = double.MaxValue, vMax = double.MinValue;
        foreach (var p in points)
        {
            var v = (p - centroid).Dot(posterior);
            vMin = Math.Min(vMin, v);
            vMax = Math.Max(vMax, v);
        }
        var profile = new List<(double V, double Height)>();
        for (var v = vMin - 2; v <= vMax + 2; v += options.ProfileStepMm)
            profile.Add((v, RayLength(map, code, centroid + posterior * v, axis, options)));
        var tallest = profile.Max(p => p.Height);
        if (tallest <= 0) return null;
        var wall = profile.Where(p => p.Height >= options.WallHeightFraction * tallest).ToList();
        var (anteriorWall, posteriorWall) = (wall[0].V - options.ProfileStepMm / 2, wall[^1].V + options.ProfileStepMm / 2);
        var depth = posteriorWall - anteriorWall;
        var inset = options.WallInsetFraction * depth;

        var allowance = extent == MaskExtent.TrabecularCore ? 2 * options.EndplateMm : 0;
        double Site(double v) => RayBundle(map, code, centroid + posterior * v, axis, left, posterior, options) + allowance;
        var heights = new BodyHeights(Site(anteriorWall + inset), Site((anteriorWall + posteriorWall) / 2), Site(posteriorWall - inset));
        return new BodyMeasurement(heights, centroid, axis, posterior, depth, points.Count * g.VoxelVolumeMm3 / 1000, touchesEdge);
    }

    /// <summary>Mean mask length along <paramref name="axis"/> over a small grid of rays around <paramref name="site"/>
    /// (wider laterally than front to back, where the walls are near);
    /// NaN when fewer than half the rays meet the mask.</summary>
    private static double RayBundle(NativeLevelMap map, byte code, Vec3 site, Vec3 axis, Vec3 left, Vec3 posterior, VertebralHeightOptions o)
    {
        double sum = 0;
        int hits = 0, rays = 0;
        for (var a = -o.RayHalfCount; a <= o.RayHalfCount; a++)
        for (var b = -1; b <= 1; b++)
        {
            rays++;
            var length = RayLength(map, code, site + left * (a * o.RaySpacingMm) + posterior * (b * o.RaySpacingMm), axis, o);
            if (length <= 0) continue;
            sum += length;
            hits++;
        }
        return hits * 2 >= rays ? sum / hits : double.NaN;
    }

    /// <summary>The length of the body along one ray: the longest run of mask samples, joined with the runs beside it
    /// across gaps of at most <see cref="VertebralHeightOptions.MaxGapMm"/>; 0 when the ray misses.</summary>
    private static double RayLength(NativeLevelMap map, byte code, Vec3 origin, Vec3 axis, VertebralHeightOptions o)
    {
        var g = map.Geometry;
        var steps = (int)Math.Round(o.ReachMm / o.StepMm);
        var runs = new List<(int Start, int End)>();
        var start = int.MinValue;
        for (var s = -steps; s <= steps + 1; s++)
        {
            var inside = false;
            if (s <= steps)
            {
                var index = g.WorldToIndex(origin + axis * (s * o.StepMm));
                inside = map.At((int)Math.Round(index.X), (int)Math.Round(index.Y), (int)Math.Round(index.Z)) == code;
            }
            if (inside && start == int.MinValue) start = s;
            else if (!inside && start != int.MinValue)
            {
                runs.Add((start, s - 1));
                start = int.MinValue;
            }
        }
        if (runs.Count == 0) return 0;
        var best = 0;
        for (var r = 1; r < runs.Count; r++)
            if (runs[r].End - runs[r].Start > runs[best].End - runs[best].Start) best = r;
        var maxGap = (int)Math.Round(o.MaxGapMm / o.StepMm);
        int first = best, last = best;
        while (first > 0 && runs[first].Start - runs[first - 1].End - 1 <= maxGap) first--;
        while (last < runs.Count - 1 && runs[last + 1].Start - runs[last].End - 1 <= maxGap) last++;
        return (runs[last].End - runs[first].Start + 1) * o.StepMm;
    }
}
