using OsteoML.Synthesis.Anatomy;

namespace OsteoML.Synthesis.Truth;

/// <summary>
/// The generator's own vertebral-body surface: the endplate's height above the body's mid-plane at any (u, v) of its
/// cross-section, fracture included, and the true anterior, middle and posterior heights derived from it. The renderer
/// paints bodies with <see cref="EndplateTop"/>, so these heights are the truth the pipeline's measurement is scored
/// against, not another measurement.
/// </summary>
public static class BodyHeightTruth
{
    /// <summary>Anterior and posterior heights are taken this fraction of the body's depth inside its walls (the
    /// corner points of six-point morphometry sit just inside the rounded rims).</summary>
    public const double WallInsetFraction = 0.1;

    /// <summary>Height of the endplate surface above the mid-plane at (u, v) (mm, along the body's own axis W) and the
    /// endplate's cortical thickness. u is towards the patient's left, v posterior, both from the body's axis.</summary>
    public static (double Top, double Cortex) EndplateTop(VertebraGeometry g, CompressionFracture? fracture, double u, double v)
    {
        var h = g.HalfHeightMm;
        var rho2 = Math.Min(1, u * u / (g.HalfWidthMm * g.HalfWidthMm) + v * v / (g.HalfDepthMm * g.HalfDepthMm));
        var concavity = g.EndplateConcavityMm;
        var cortex = g.EndplateCortexMm;
        if (fracture is { } f)
        {
            cortex *= 1 + 8 * f.HeightLoss; // compacted, sclerotic endplates
            switch (f.Shape)
            {
                case FractureShape.Crush:
                    h *= 1 - f.HeightLoss;
                    break;
                case FractureShape.Wedge:
                    h *= 1 - f.HeightLoss * (0.5 - 0.5 * Math.Clamp(v / g.HalfDepthMm, -1, 1));
                    break;
                case FractureShape.Biconcave:
                    concavity += 0.75 * f.HeightLoss * h;
                    h *= 1 - f.HeightLoss / 4;
                    break;
            }
        }
        return (h - concavity * (1 - rho2), cortex);
    }

    /// <summary>True whole-body heights (cortex included, mm) on the mid-sagittal line: anterior and posterior
    /// <see cref="WallInsetFraction"/> of the depth inside the walls, middle at the body's axis.</summary>
    public static (double Anterior, double Middle, double Posterior) Heights(VertebraGeometry g, CompressionFracture? fracture)
    {
        var inset = g.HalfDepthMm * (1 - 2 * WallInsetFraction);
        return (2 * EndplateTop(g, fracture, 0, -inset).Top, 2 * EndplateTop(g, fracture, 0, 0).Top, 2 * EndplateTop(g, fracture, 0, inset).Top);
    }
}
