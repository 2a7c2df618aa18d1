using OsteoML.Domain;
using OsteoML.Imaging;

namespace OsteoML.Synthesis.Anatomy;

/// <summary>
/// A vertebra in patient space (LPS, mm, before the patient's roll): centre of the body and its local frame —
/// U to the patient's left, V posterior, W along the spine (superior) — with the body's half-axes and shape.
/// </summary>
public sealed record VertebraGeometry(
    VertebralLevel Level,
    Vec3 Center,
    Vec3 U,
    Vec3 V,
    Vec3 W,
    double HalfWidthMm,
    double HalfDepthMm,
    double HalfHeightMm,
    double DiscBelowMm,
    double Waist,
    double EndplateConcavityMm,
    double CortexMm,
    double EndplateCortexMm,
    double AxialRotationDeg)
{
    /// <summary>Lowest z the body reaches (its tilted endplate rim included).</summary>
    public double ZMin => Center.Z - ZHalfExtent;

    /// <summary>Highest z the body reaches.</summary>
    public double ZMax => Center.Z + ZHalfExtent;

    private double ZHalfExtent => HalfHeightMm * Math.Abs(W.Z) + HalfDepthMm * Math.Abs(V.Z) + HalfWidthMm * Math.Abs(U.Z);

    public Vec3 ToWorld(double u, double v, double w) => Center + U * u + V * v + W * w;
}

/// <summary>Body size and composition at the level of L1, and how the patient lies on the table.</summary>
public sealed record BodyHabitus(
    double CenterXMm,
    double TableTopYMm,
    double HalfWidthMm,
    double HalfDepthMm,
    double SatAnteriorMm,
    double SatLateralMm,
    double SatPosteriorMm,
    double WallMuscleMm,
    double MuscleScale,
    double MuscleFatFraction,
    double RollDeg)
{
    /// <summary>Water-equivalent diameter (cm) of the abdomen at L1, approximated by the ellipse's geometric mean diameter.</summary>
    public double WaterDiameterCm => 2 * Math.Sqrt(HalfWidthMm * HalfDepthMm) / 10;
}

/// <summary>The spine's overall shape: sagittal curves, scoliosis and size.</summary>
public sealed record SpineShape(
    double LordosisDeg,
    double KyphosisMm,
    double ScoliosisCobbDeg,
    double SizeScale,
    SpineCurve Curve);

/// <summary>Everything geometric about one synthetic patient. <see cref="RibLengthsMm"/>: T10, T11, T12 (the short
/// T12 rib is what tells T12 from L1).</summary>
public sealed record AnatomyModel(
    BodyHabitus Body,
    SpineShape Spine,
    IReadOnlyList<VertebraGeometry> Vertebrae,
    VertebraGeometry Sacrum,
    IReadOnlyList<double> RibLengthsMm)
{
    public VertebraGeometry this[VertebralLevel level] => Vertebrae[(int)level];

    /// <summary>The patient's roll on the table: rotation about the z axis through the body centre.</summary>
    public Vec3 Roll(Vec3 p)
    {
        var (s, c) = Math.SinCos(Body.RollDeg * Math.PI / 180);
        var pivotY = Body.TableTopYMm - Body.HalfDepthMm;
        double dx = p.X - Body.CenterXMm, dy = p.Y - pivotY;
        return new Vec3(Body.CenterXMm + c * dx - s * dy, pivotY + s * dx + c * dy, p.Z);
    }

    /// <summary>A direction under the patient's roll.</summary>
    public Vec3 RollDirection(Vec3 d)
    {
        var (s, c) = Math.SinCos(Body.RollDeg * Math.PI / 180);
        return new Vec3(c * d.X - s * d.Y, s * d.X + c * d.Y, d.Z);
    }
}

/// <summary>
/// The centre line of the vertebral bodies as a smooth function of z: lumbar lordosis (a half-sine bulge anterior),
/// a mild thoracic kyphosis above, and an optional lateral (scoliotic) half-sine curve.
/// </summary>
public sealed record SpineCurve(
    double BaseX,
    double BaseY,
    double SacralZ,
    double LumbarSpanZ,
    double LordosisAmplitudeMm,
    double KyphosisAmplitudeMm,
    double ScoliosisStartZ,
    double ScoliosisSpanZ,
    double ScoliosisAmplitudeMm)
{
    private const double KyphosisSpanZ = 250;

    public Vec3 Center(double z)
    {
        var anterior = 0.0;
        var t = (z - SacralZ) / LumbarSpanZ;
        if (t is > 0 and < 1)
            anterior = LordosisAmplitudeMm * Math.Sin(Math.PI * t);
        else if (t >= 1)
            anterior = -KyphosisAmplitudeMm * Math.Sin(Math.PI * Math.Min(1, (z - SacralZ - LumbarSpanZ) / KyphosisSpanZ));
        var lateral = 0.0;
        var s = (z - ScoliosisStartZ) / ScoliosisSpanZ;
        if (s is > 0 and < 1)
            lateral = ScoliosisAmplitudeMm * Math.Sin(Math.PI * s);
        return new Vec3(BaseX + lateral, BaseY - anterior, z);
    }

    /// <summary>Unit tangent pointing superior.</summary>
    public Vec3 Tangent(double z)
    {
        const double h = 0.5;
        return (Center(z + h) - Center(z - h)).Normalized();
    }
}
