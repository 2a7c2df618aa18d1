using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Synthesis.Anatomy;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Rendering;

/// <summary>HU of a vertebral body's materials in one scan (unenhanced plus enhancement, before calibration).</summary>
internal sealed record BoneMaterial(
    double MarrowHu,
    double MineralHuPerMg,
    double Bmd,
    double TextureAmplitude,
    double CortexHu,
    double DiscHu);

/// <summary>
/// Cross-sectional shape of a vertebral body or disc in its own frame (u left, v posterior, w superior): an
/// ellipse anteriorly and a squarer superellipse (exponent 4) posteriorly, narrowed at mid-height by the waist.
/// </summary>
internal static class BodyShape
{
    /// <summary>Distance (mm, along the ray from the axis) from (u, v) inward to the section's boundary; negative outside.</summary>
    public static double RadialDepth(double u, double v, double halfWidth, double halfDepth)
    {
        var x = u / halfWidth;
        var y = v / halfDepth;
        double rho;
        if (v <= 0)
        {
            rho = Math.Sqrt(x * x + y * y);
        }
        else
        {
            var x2 = x * x;
            var y2 = y * y;
            rho = Math.Sqrt(Math.Sqrt(x2 * x2 + y2 * y2));
        }
        var r = Math.Sqrt(u * u + v * v);
        return rho < 1e-9 ? Math.Min(halfWidth, halfDepth) : r / rho - r;
    }

    /// <summary>Normalised radius of (u, v) (1 on the boundary) for the elliptical part, used for endplate concavity.</summary>
    public static double Rho2(double u, double v, double halfWidth, double halfDepth) =>
        u * u / (halfWidth * halfWidth) + v * v / (halfDepth * halfDepth);

    public static double WaistScale(double w, double halfHeight, double waist)
    {
        var t = Math.Min(1, Math.Abs(w) / halfHeight);
        return 1 - waist * (1 - t * t);
    }
}

/// <summary>
/// A vertebral body: cortical shell (side wall and thicker endplates) around a textured trabecular core, with its
/// fracture, dense foci and Schmorl nodes. Edges are anti-aliased over a pixel so the shell's partial volume is
/// right even when it is thinner than a voxel; labels are the tissue at the voxel centre.
/// </summary>
internal sealed class VertebraPart : IScenePart
{
    private readonly VertebraGeometry _g;
    private readonly byte _trabecular, _cortical;
    private readonly BoneMaterial _material;
    private readonly CompressionFracture? _fracture;
    private readonly SclerosisFocus[] _sclerosis;
    private readonly SchmorlNode[] _schmorl;
    private readonly TextureField? _texture;
    private readonly double _pixelMm;
    private readonly Vec3 _halfExtent;
    private readonly double _schmorlRimHu;

    public VertebraPart(VertebraGeometry geometry, byte trabecularLabel, byte corticalLabel, BoneMaterial material,
        CompressionFracture? fracture, IEnumerable<SclerosisFocus> sclerosis, IEnumerable<SchmorlNode> schmorl,
        TextureField? texture, double pixelMm)
    {
        _g = geometry;
        _trabecular = trabecularLabel;
        _cortical = corticalLabel;
        _material = material;
        _fracture = fracture;
        _sclerosis = sclerosis.ToArray();
        _schmorl = schmorl.ToArray();
        _texture = texture;
        _pixelMm = pixelMm;
        double a = geometry.HalfWidthMm + 1, b = geometry.HalfDepthMm + 1, h = geometry.HalfHeightMm + 1;
        _halfExtent = new Vec3(
            a * Math.Abs(geometry.U.X) + b * Math.Abs(geometry.V.X) + h * Math.Abs(geometry.W.X),
            a * Math.Abs(geometry.U.Y) + b * Math.Abs(geometry.V.Y) + h * Math.Abs(geometry.W.Y),
            a * Math.Abs(geometry.U.Z) + b * Math.Abs(geometry.V.Z) + h * Math.Abs(geometry.W.Z));
        _schmorlRimHu = material.MarrowHu + material.MineralHuPerMg * 450;
    }

    public void Paint(SliceCanvas canvas)
    {
        var c = _g.Center;
        var z = canvas.Z;
        if (Math.Abs(z - c.Z) > _halfExtent.Z)
            return;
        var (i0, i1) = canvas.Columns(c.X - _halfExtent.X, c.X + _halfExtent.X);
        var (j0, j1) = canvas.Rows(c.Y - _halfExtent.Y, c.Y + _halfExtent.Y);
        double a = _g.HalfWidthMm, b = _g.HalfDepthMm;
        var dz = z - c.Z;
        for (var j = j0; j <= j1; j++)
        {
            var dy = canvas.Y(j) - c.Y;
            // Local coordinates are linear in x along a row: precompute the row's start and step.
            var u0 = dy * _g.U.Y + dz * _g.U.Z;
            var v0 = dy * _g.V.Y + dz * _g.V.Z;
            var w0 = dy * _g.W.Y + dz * _g.W.Z;
            var row = j * canvas.Width;
            for (var i = i0; i <= i1; i++)
            {
                var dx = canvas.X(i) - c.X;
                var u = u0 + dx * _g.U.X;
                var v = v0 + dx * _g.V.X;
                var w = w0 + dx * _g.W.X;
                var (top, endplateCortex) = Endplate(u, v);
                var depthAxial = top - Math.Abs(w);
                var waist = BodyShape.WaistScale(w, _g.HalfHeightMm, _g.Waist);
                var depthRadial = BodyShape.RadialDepth(u, v, a * waist, b * waist);
                var depth = Math.Min(depthAxial, depthRadial);
                var half = 0.5 * _pixelMm;
                if (depth < -half)
                    continue;
                var r = Math.Sqrt(u * u + v * v);
                var cortex = depthRadial < depthAxial ? _g.CortexMm * (1 + 0.3 * (r > 0 ? v / r : 0)) : endplateCortex;
                var fOuter = Math.Clamp(0.5 + depth / _pixelMm, 0, 1);
                var fInner = Math.Clamp(0.5 + (depth - cortex) / _pixelMm, 0, 1);
                var index = row + i;
                var trabecularHu = TrabecularHu(u, v, w);
                canvas.Hu[index] = (float)((1 - fOuter) * canvas.Hu[index] + (fOuter - fInner) * _material.CortexHu + fInner * trabecularHu);
                if (depth >= cortex)
                {
                    canvas.Label[index] = _trabecular;
                    Pathology(canvas, index, u, v, w, top, depthRadial - cortex);
                }
                else if (depth >= 0)
                {
                    canvas.Label[index] = _cortical;
                }
            }
        }
    }

    /// <summary>Height of the endplate surface above the mid-plane at (u, v) and the endplate's cortical thickness
    /// (shared with the height truth, so the manifest's heights are the painted ones).</summary>
    private (double Top, double Cortex) Endplate(double u, double v) => BodyHeightTruth.EndplateTop(_g, _fracture, u, v);

    private double TrabecularHu(double u, double v, double w)
    {
        var t = _texture?.At(u, v, w) ?? 0;
        return _material.MarrowHu + _material.MineralHuPerMg * _material.Bmd * (1 + _material.TextureAmplitude * t);
    }

    /// <summary>Dense foci and Schmorl nodes replace trabecular bone where they lie.</summary>
    private void Pathology(SliceCanvas canvas, int index, double u, double v, double w, double top, double depthBelowSideCortex)
    {
        double a = _g.HalfWidthMm, b = _g.HalfDepthMm;
        foreach (var node in _schmorl)
        {
            var sign = node.Superior ? 1 : -1;
            double du = u - node.U * a, dv = v - node.V * b, dw = w - sign * top;
            var d = Math.Sqrt(du * du + dv * dv + dw * dw);
            if (d < node.RadiusMm + 1)
            {
                canvas.Label[index] = SyntheticLabels.SchmorlNode;
                canvas.Hu[index] = (float)(d < node.RadiusMm ? _material.DiscHu : _schmorlRimHu);
                return;
            }
        }
        foreach (var focus in _sclerosis)
        {
            bool inside;
            if (focus.EndplateBand)
                inside = depthBelowSideCortex > 1 && Math.Sign(w) == Math.Sign(focus.W) && top - Math.Abs(w) < focus.RadiusMm;
            else
            {
                double du = u - focus.U * a, dv = v - focus.V * b, dw = w - focus.W * _g.HalfHeightMm;
                inside = du * du + dv * dv + dw * dw < focus.RadiusMm * focus.RadiusMm;
            }
            if (!inside)
                continue;
            canvas.Label[index] = SyntheticLabels.Sclerosis;
            canvas.Hu[index] = (float)(focus.EndplateBand
                ? TrabecularHu(u, v, w) + _material.MineralHuPerMg * focus.MineralMgPerCm3
                : _material.MarrowHu + _material.MineralHuPerMg * focus.MineralMgPerCm3);
            return;
        }
    }
}

/// <summary>An intervertebral disc between two endplates: annulus around a softer nucleus; bodies painted later
/// overwrite its ends, so it fills the endplates' concavities.</summary>
internal sealed class DiscPart : IScenePart
{
    private readonly Vec3 _centre, _u, _v, _w;
    private readonly double _a, _b, _halfHeight;
    private readonly byte _label;
    private readonly float _annulusHu, _nucleusHu;
    private readonly Vec3 _halfExtent;

    public DiscPart(VertebraGeometry upper, VertebraGeometry lower, byte label, float annulusHu, float nucleusHu)
    {
        var top = upper.Center - upper.W * upper.HalfHeightMm;
        var bottom = lower.Center + lower.W * lower.HalfHeightMm;
        _centre = (top + bottom) * 0.5;
        _w = (top - bottom).Normalized();
        _v = (upper.V + lower.V - _w * (upper.V + lower.V).Dot(_w)).Normalized();
        _u = _v.Cross(_w);
        _a = 1.03 * (upper.HalfWidthMm + lower.HalfWidthMm) / 2;
        _b = 1.03 * (upper.HalfDepthMm + lower.HalfDepthMm) / 2;
        _halfHeight = (top - bottom).Length / 2 + Math.Max(upper.EndplateConcavityMm, lower.EndplateConcavityMm) + 0.5;
        _label = label;
        _annulusHu = annulusHu;
        _nucleusHu = nucleusHu;
        _halfExtent = new Vec3(
            _a * Math.Abs(_u.X) + _b * Math.Abs(_v.X) + _halfHeight * Math.Abs(_w.X),
            _a * Math.Abs(_u.Y) + _b * Math.Abs(_v.Y) + _halfHeight * Math.Abs(_w.Y),
            _a * Math.Abs(_u.Z) + _b * Math.Abs(_v.Z) + _halfHeight * Math.Abs(_w.Z));
    }

    public void Paint(SliceCanvas canvas)
    {
        var z = canvas.Z;
        var dz = z - _centre.Z;
        if (Math.Abs(dz) > _halfExtent.Z)
            return;
        var (i0, i1) = canvas.Columns(_centre.X - _halfExtent.X, _centre.X + _halfExtent.X);
        var (j0, j1) = canvas.Rows(_centre.Y - _halfExtent.Y, _centre.Y + _halfExtent.Y);
        for (var j = j0; j <= j1; j++)
        {
            var dy = canvas.Y(j) - _centre.Y;
            var row = j * canvas.Width;
            for (var i = i0; i <= i1; i++)
            {
                var d = new Vec3(canvas.X(i) - _centre.X, dy, dz);
                var w = d.Dot(_w);
                if (Math.Abs(w) > _halfHeight)
                    continue;
                double u = d.Dot(_u), v = d.Dot(_v);
                if (BodyShape.RadialDepth(u, v, _a, _b) < 0)
                    continue;
                canvas.Label[row + i] = _label;
                canvas.Hu[row + i] = BodyShape.Rho2(u, v, _a, _b) < 0.3 ? _nucleusHu : _annulusHu;
            }
        }
    }
}
