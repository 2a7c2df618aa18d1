using OsteoML.Imaging;
using OsteoML.Inference;

namespace OsteoML.Tests.Models;

/// <summary>A hand-built column of vertebral bodies as class maps, with the true body of every trabecular voxel.</summary>
internal sealed record Phantom(Volume<byte> Classes, List<(int Lo, int Hi)> Bodies, Volume<byte> TrueBodies)
{
    public void Deconstruct(out Volume<byte> classes, out List<(int Lo, int Hi)> bodies)
    {
        classes = Classes;
        bodies = Bodies;
    }
}

/// <summary>Builds <see cref="Phantom"/>s: the answer of the level rule is known by construction.</summary>
internal static class SpineColumn
{
    public const int Side = 40, BodyWidth = 16, BodyHeight = 10, Disc = 5;

    /// <summary>
    /// A column of trabecular boxes (2 mm voxels, head at high k), each with its outer ring as other bone; the
    /// top <paramref name="ribBearing"/> (and the bodies listed in <paramref name="strayRibs"/>, as a network's rib voxels on the pelvis) get a rib rod either side at mid-height. <paramref name="bridge"/> &gt; 0 joins
    /// consecutive bodies with a bridge × bridge trabecular rod through each disc; <paramref name="fusedDiscBelow"/>
    /// fills the disc below that body with trabecular bone. The column is tilted by <paramref name="tiltDeg"/> about the
    /// left–right axis (like lordosis). Returns the class map, the k-range of each body in the column's own frame (head
    /// first) and the true body map (1 + body index on each body's own trabecular voxels; bridges and fused discs are not bodies).
    /// </summary>
    internal static Phantom Column(int bodies, int ribBearing, int bridge = 0, int fusedDiscBelow = -1, double tiltDeg = 0, int side = Side, int[]? strayRibs = null)
    {
        var depth = bodies * (BodyHeight + Disc) + 2 * Disc;
        var volume = new Volume<byte>(VolumeGeometry.Axial(new Size3(Side, side, depth), new Vec3(2, 2, 2)));
        var truth = new Volume<byte>(volume.Geometry);
        var ranges = Enumerable.Range(0, bodies).Select(b => (Lo: depth - Disc - b * (BodyHeight + Disc) - BodyHeight, Hi: depth - Disc - b * (BodyHeight + Disc))).ToList();
        var lo0 = (Side - BodyWidth) / 2;
        var cy = side / 2.0 - 0.5;
        var cz = depth / 2.0 - 0.5;
        var cos = Math.Cos(tiltDeg * Math.PI / 180);
        var sin = Math.Sin(tiltDeg * Math.PI / 180);
        for (var z = 0; z < depth; z++)
        for (var y = 0; y < side; y++)
        for (var x = 0; x < Side; x++)
        {
            // Back into the column's frame: (x, v, w), v and w in voxels with the body centred at v = Side / 2 - 0.5.
            var v = Side / 2.0 - 0.5 + (y - cy) * cos + (z - cz) * sin;
            var w = cz - (y - cy) * sin + (z - cz) * cos;
            var (label, body) = ColumnLabel(x, v, w, ranges, ribBearing, bridge, fusedDiscBelow, lo0, strayRibs ?? []);
            if (label != 0)
                volume[x, y, z] = label;
            if (body >= 0 && label == SegmentationClasses.Trabecular)
                truth[x, y, z] = (byte)(body + 1);
        }
        return new Phantom(volume, ranges, truth);
    }

    private static (byte Label, int Body) ColumnLabel(int x, double v, double w, List<(int Lo, int Hi)> ranges, int ribBearing, int bridge, int fusedDiscBelow, int lo0, int[] strayRibs)
    {
        // A tilted voxel centre takes the label of the nearest point of the column's own lattice.
        var vi = (int)Math.Round(v);
        var wi = (int)Math.Round(w);
        var inBox = x >= lo0 && x < lo0 + BodyWidth && vi >= lo0 && vi < lo0 + BodyWidth;
        var ring = x == lo0 || vi == lo0 || x == lo0 + BodyWidth - 1 || vi == lo0 + BodyWidth - 1;
        for (var b = 0; b < ranges.Count; b++)
        {
            var (lo, hi) = ranges[b];
            if (inBox && wi >= lo && wi < hi)
                return (ring ? (byte)SegmentationClasses.OtherVertebralBone : (byte)SegmentationClasses.Trabecular, b);
            if (b + 1 < ranges.Count && wi >= ranges[b + 1].Hi && wi < lo)
            {
                if (b == fusedDiscBelow && inBox && !ring)
                    return (SegmentationClasses.Trabecular, -1);
                if (bridge > 0 && x >= Side / 2 && x < Side / 2 + bridge && vi >= Side / 2 && vi < Side / 2 + bridge)
                    return (SegmentationClasses.Trabecular, -1);
            }
            if (b < ribBearing || strayRibs.Contains(b))
            {
                var mid = (lo + hi) / 2;
                var rod = (wi == mid || wi == mid + 1) && (vi == Side / 2 || vi == Side / 2 + 1);
                if (rod && ((x >= lo0 + BodyWidth + 1 && x < lo0 + BodyWidth + 11) || (x <= lo0 - 2 && x > lo0 - 12)))
                    return (SegmentationClasses.Rib, -1);
            }
        }
        return (0, -1);
    }

    /// <summary>Where the column-frame point (v, w) lands in the volume (y, z), the inverse of the rotation in <see cref="Column"/>.</summary>
    internal static (double Y, double Z) ColumnToVolume(int side, int depth, double v, double w, double tiltDeg)
    {
        var cy = side / 2.0 - 0.5;
        var cz = depth / 2.0 - 0.5;
        var cos = Math.Cos(tiltDeg * Math.PI / 180);
        var sin = Math.Sin(tiltDeg * Math.PI / 180);
        var dv = v - (Side / 2.0 - 0.5);
        var dw = w - cz;
        return (cy + dv * cos - dw * sin, cz + dv * sin + dw * cos);
    }

    internal static Volume<byte> Crop(Volume<byte> volume, int fromSlice)
    {
        var size = volume.Size with { Z = volume.Size.Z - fromSlice };
        var result = new Volume<byte>(volume.Geometry with { Size = size, Origin = volume.Geometry.IndexToWorld(0, 0, fromSlice) });
        for (var z = 0; z < size.Z; z++)
            volume.Slice(z + fromSlice).CopyTo(result.Slice(z));
        return result;
    }

    internal static int CountSlice(Volume<byte> mask, int z)
    {
        var count = 0;
        foreach (var v in mask.Slice(z))
            count += v;
        return count;
    }
}
