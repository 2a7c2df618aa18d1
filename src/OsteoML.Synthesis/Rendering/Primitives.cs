using OsteoML.Domain;
using OsteoML.Imaging;

namespace OsteoML.Synthesis.Rendering;

/// <summary>Something that paints its cross-section at the canvas's current z.</summary>
internal interface IScenePart
{
    void Paint(SliceCanvas canvas);
}

/// <summary>
/// Fills the inside of an ellipse given as a centre and a symmetric positive-definite 2×2 form
/// (q00·dx² + 2·q01·dx·dy + q11·dy² ≤ 1), row by row with exact span ends.
/// </summary>
internal static class ConicFill
{
    public static void Fill(SliceCanvas canvas, double cx, double cy, double q00, double q01, double q11,
        byte label, float hu, LabelSet? over, double yMax = double.PositiveInfinity)
    {
        var det = q00 * q11 - q01 * q01;
        if (det <= 0 || q00 <= 0)
            return;
        var dyMax = Math.Sqrt(q00 / det);
        var (j0, j1) = canvas.Rows(cy - dyMax, Math.Min(cy + dyMax, yMax));
        for (var j = j0; j <= j1; j++)
        {
            var dy = canvas.Y(j) - cy;
            // q00·dx² + 2·q01·dy·dx + (q11·dy² − 1) ≤ 0
            var disc = q01 * q01 * dy * dy - q00 * (q11 * dy * dy - 1);
            if (disc < 0)
                continue;
            var root = Math.Sqrt(disc);
            var (i0, i1) = canvas.Columns(cx + (-q01 * dy - root) / q00, cx + (-q01 * dy + root) / q00);
            canvas.FillSpan(j, i0, i1, label, hu, over);
        }
    }

    /// <summary>The form of an ellipse with semi-axes a (along the rotated x axis) and b, rotated by <paramref name="angle"/> radians.</summary>
    public static (double Q00, double Q01, double Q11) Form(double a, double b, double angle)
    {
        var (s, c) = Math.SinCos(angle);
        double ia = 1 / (a * a), ib = 1 / (b * b);
        return (c * c * ia + s * s * ib, c * s * (ia - ib), s * s * ia + c * c * ib);
    }
}

/// <summary>A 2D ellipse at each z, its centre and semi-axes given as functions of z (an elongated organ, a vessel,
/// a fat layer); <paramref name="yMax"/> clips it posteriorly (the back resting on the table).</summary>
internal sealed class EllipseTube(
    Func<double, (double Cx, double Cy, double A, double B)?> section,
    double angle, byte label, float hu, LabelSet? over = null, double yMax = double.PositiveInfinity) : IScenePart
{
    public void Paint(SliceCanvas canvas)
    {
        if (section(canvas.Z) is not { } s || s.A <= 0 || s.B <= 0)
            return;
        var (q00, q01, q11) = ConicFill.Form(s.A, s.B, angle);
        ConicFill.Fill(canvas, s.Cx, s.Cy, q00, q01, q11, label, hu, over, yMax);
    }
}

/// <summary>A solid ellipsoid with arbitrary axes; each plane cuts it in an ellipse, filled by spans.</summary>
internal sealed class Ellipsoid : IScenePart
{
    private readonly Vec3 _centre;
    private readonly double[,] _m = new double[3, 3];
    private readonly double _zHalf;
    private readonly byte _label;
    private readonly float _hu;
    private readonly LabelSet? _over;

    /// <param name="axes">Three orthogonal unit axes; <paramref name="radii"/> along each.</param>
    public Ellipsoid(Vec3 centre, Vec3[] axes, Vec3 radii, byte label, float hu, LabelSet? over = null)
    {
        _centre = centre;
        _label = label;
        _hu = hu;
        _over = over;
        for (var k = 0; k < 3; k++)
        {
            var w = 1 / (radii[k] * radii[k]);
            for (var r = 0; r < 3; r++)
                for (var c = 0; c < 3; c++)
                    _m[r, c] += w * axes[k][r] * axes[k][c];
        }
        _zHalf = Math.Sqrt(Enumerable.Range(0, 3).Sum(k => Math.Pow(radii[k] * axes[k].Z, 2)));
    }

    public static Ellipsoid AxisAligned(Vec3 centre, Vec3 radii, byte label, float hu, LabelSet? over = null) =>
        new(centre, [new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1)], radii, label, hu, over);

    public void Paint(SliceCanvas canvas)
    {
        var dz = canvas.Z - _centre.Z;
        if (Math.Abs(dz) >= _zHalf)
            return;
        // Complete the square in (dx, dy): K·d + g = 0 at the section's centre.
        double k00 = _m[0, 0], k01 = _m[0, 1], k11 = _m[1, 1];
        double g0 = _m[0, 2] * dz, g1 = _m[1, 2] * dz;
        var det = k00 * k11 - k01 * k01;
        var sx = -(k11 * g0 - k01 * g1) / det;
        var sy = -(-k01 * g0 + k00 * g1) / det;
        var r2 = 1 - _m[2, 2] * dz * dz - (g0 * sx + g1 * sy);
        if (r2 <= 0)
            return;
        ConicFill.Fill(canvas, _centre.X + sx, _centre.Y + sy, k00 / r2, k01 / r2, k11 / r2, _label, _hu, _over);
    }
}

/// <summary>
/// A chain of capsules (segments with a radius): posterior elements, ribs. Voxels within
/// <see cref="ShellMm"/> of the surface take the shell's HU (cortex), deeper ones the core's.
/// </summary>
internal sealed class CapsuleChain : IScenePart
{
    private readonly (Vec3 A, Vec3 B, double Radius)[] _segments;
    private readonly byte _label;
    private readonly float _coreHu;
    private readonly float _shellHu;
    private readonly double _shellMm;
    private readonly double _zMin, _zMax;

    public CapsuleChain(IEnumerable<(Vec3 A, Vec3 B, double Radius)> segments, byte label, float coreHu, float shellHu, double shellMm)
    {
        _segments = segments.ToArray();
        _label = label;
        _coreHu = coreHu;
        _shellHu = shellHu;
        _shellMm = shellMm;
        _zMin = _segments.Min(s => Math.Min(s.A.Z, s.B.Z) - s.Radius);
        _zMax = _segments.Max(s => Math.Max(s.A.Z, s.B.Z) + s.Radius);
    }

    public void Paint(SliceCanvas canvas)
    {
        var z = canvas.Z;
        if (z < _zMin || z > _zMax)
            return;
        foreach (var (a, b, radius) in _segments)
        {
            if (z < Math.Min(a.Z, b.Z) - radius || z > Math.Max(a.Z, b.Z) + radius)
                continue;
            var ab = b - a;
            var abLength2 = ab.Dot(ab);
            // The part of the segment within a radius of this plane bounds the section.
            double t0 = 0, t1 = 1;
            if (Math.Abs(ab.Z) > 1e-9)
            {
                var ta = (z - radius - a.Z) / ab.Z;
                var tb = (z + radius - a.Z) / ab.Z;
                t0 = Math.Clamp(Math.Min(ta, tb), 0, 1);
                t1 = Math.Clamp(Math.Max(ta, tb), 0, 1);
            }
            var p0 = a + ab * t0;
            var p1 = a + ab * t1;
            var (i0, i1) = canvas.Columns(Math.Min(p0.X, p1.X) - radius, Math.Max(p0.X, p1.X) + radius);
            var (j0, j1) = canvas.Rows(Math.Min(p0.Y, p1.Y) - radius, Math.Max(p0.Y, p1.Y) + radius);
            var r2 = radius * radius;
            var inner = Math.Max(0, radius - _shellMm);
            var inner2 = inner * inner;
            for (var j = j0; j <= j1; j++)
            {
                var y = canvas.Y(j);
                var row = j * canvas.Width;
                for (var i = i0; i <= i1; i++)
                {
                    var p = new Vec3(canvas.X(i), y, z);
                    var t = abLength2 > 0 ? Math.Clamp((p - a).Dot(ab) / abLength2, 0, 1) : 0;
                    var d = p - (a + ab * t);
                    var d2 = d.Dot(d);
                    if (d2 > r2)
                        continue;
                    var index = row + i;
                    // Overlapping segments of one chain: the core wins over another segment's shell.
                    var hu = d2 < inner2 ? _coreHu : _shellHu;
                    if (canvas.Label[index] != _label || hu == _coreHu)
                        canvas.Hu[index] = hu;
                    canvas.Label[index] = _label;
                }
            }
        }
    }
}

/// <summary>The CT table: horizontal layers (pad, carbon-fibre shells, foam core) below the patient.</summary>
internal sealed class TableSlab(double centreX, double topY, double halfWidth, IReadOnlyList<(double Thickness, float Hu)> layers, byte label) : IScenePart
{
    public void Paint(SliceCanvas canvas)
    {
        var (i0, i1) = canvas.Columns(centreX - halfWidth, centreX + halfWidth);
        var y = topY;
        foreach (var (thickness, hu) in layers)
        {
            var (j0, j1) = canvas.Rows(y, y + thickness);
            for (var j = j0; j <= j1; j++)
                canvas.FillSpan(j, i0, i1, label, hu, null);
            y += thickness;
        }
    }
}

/// <summary>A calcified plaque: an arc of the aortic wall (angle 0 = posterior, + towards the patient's left)
/// over a short length of the vessel.</summary>
internal sealed class AorticPlaquePart(Func<double, Vec3> lumenCentre, double lumenRadius, double centreZ,
    Truth.AorticPlaque plaque, float hu) : IScenePart
{
    public void Paint(SliceCanvas canvas)
    {
        var z = canvas.Z;
        if (Math.Abs(z - centreZ) > plaque.LengthMm / 2)
            return;
        var c = lumenCentre(z);
        var outer = lumenRadius + 0.5;
        var inner = lumenRadius - plaque.ThicknessMm;
        var (i0, i1) = canvas.Columns(c.X - outer, c.X + outer);
        var (j0, j1) = canvas.Rows(c.Y - outer, c.Y + outer);
        var halfArc = plaque.ArcDeg / 2;
        for (var j = j0; j <= j1; j++)
        {
            for (var i = i0; i <= i1; i++)
            {
                double dx = canvas.X(i) - c.X, dy = canvas.Y(j) - c.Y;
                var r = Math.Sqrt(dx * dx + dy * dy);
                if (r < inner || r > outer)
                    continue;
                var angle = Math.Atan2(dx, dy) * 180 / Math.PI;
                var offset = Math.Abs(Math.IEEERemainder(angle - plaque.AngleDeg, 360));
                if (offset > halfArc)
                    continue;
                var index = j * canvas.Width + i;
                canvas.Label[index] = SyntheticLabels.AorticCalcification;
                canvas.Hu[index] = hu;
            }
        }
    }
}
