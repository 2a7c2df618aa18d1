using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Synthesis.Sampling;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Anatomy;

/// <summary>
/// Draws a patient's geometry: body outline and fat from sex and BMI, vertebral sizes from sex and height, and the
/// spine's position and curves. Dimensions are typical adult values (docs/synthesis.md lists them).
/// </summary>
public static class AnatomySampler
{
    // Per level, women of 165 cm: body half-width, half-depth, half-height and the disc below (mm).
    private static readonly (double A, double B, double H, double Disc)[] Dimensions =
    [
        (17.5, 14.5, 11.0, 6.0),  // T10
        (19.0, 15.5, 11.8, 7.0),  // T11
        (20.5, 16.0, 12.5, 8.0),  // T12
        (21.5, 16.5, 12.8, 9.0),  // L1
        (22.5, 17.0, 13.2, 10.0), // L2
        (23.5, 17.5, 13.3, 11.0), // L3
        (24.5, 17.5, 13.2, 11.0), // L4
        (25.5, 17.0, 12.8, 10.0), // L5 (L5–S1 disc)
    ];

    public static AnatomyModel Sample(Patient patient, BoneTruth bone, Pathology pathology, SynthRandom random)
    {
        var body = SampleBody(patient, random);

        var male = patient.Sex == Sex.Male;
        var size = Math.Pow(patient.HeightCm / 165, 0.7) * random.Normal(1, 0.04);
        var widthScale = size * (male ? 1.08 : 1.0);
        var heightScale = size * (male ? 1.04 : 1.0);
        var discScale = Math.Max(0.6, 1 - 0.005 * Math.Max(0, patient.Age - 40)) * random.Normal(1, 0.08);

        var dims = Dimensions.Select((d, i) =>
        {
            var fracture = pathology.FractureAt((VertebralLevel)i);
            // Spacing along the spine shortens by the fracture's mean height loss (a wedge keeps its posterior wall).
            var meanLoss = fracture is null ? 0 : fracture.Shape switch
            {
                FractureShape.Crush => fracture.HeightLoss,
                FractureShape.Wedge => fracture.HeightLoss / 2,
                _ => fracture.HeightLoss / 4,
            };
            return (A: d.A * widthScale * random.Normal(1, 0.03), B: d.B * widthScale * random.Normal(1, 0.03),
                H: d.H * heightScale * random.Normal(1, 0.03), SpacingH: d.H * heightScale * (1 - meanLoss), Disc: d.Disc * heightScale * discScale);
        }).ToArray();

        // Sagittal and coronal curves.
        var lordosis = random.TruncatedNormal(42, 10, 20, 70);
        var lumbarLength = 0.0;
        for (var i = (int)VertebralLevel.L1; i <= (int)VertebralLevel.L5; i++)
            lumbarLength += 2 * dims[i].SpacingH + dims[i].Disc;
        var lumbarSpanZ = 0.95 * lumbarLength;
        var lordosisAmplitude = lumbarSpanZ * Math.Tan(lordosis / 2 * Math.PI / 180) / Math.PI;
        var cobb = Math.Min(20, -4 * Math.Log(1 - random.NextDouble()));
        var scoliosisSpan = random.Uniform(150, 250);
        var scoliosisAmplitude = (random.Bernoulli(0.5) ? 1 : -1) * scoliosisSpan * Math.Tan(cobb / 2 * Math.PI / 180) / Math.PI;
        var sacralZ = random.Normal(-420, 40);

        // Spinous tips lie ~10 mm of muscle under the back's fat; the body centre ~45 mm plus its half-depth further in.
        var backToBodyCentre = body.SatPosteriorMm + 10 + 45 * widthScale + dims[(int)VertebralLevel.L1].B;
        var curve = new SpineCurve(
            BaseX: body.CenterXMm + random.Normal(0, 6),
            BaseY: body.TableTopYMm - backToBodyCentre,
            SacralZ: sacralZ,
            LumbarSpanZ: lumbarSpanZ,
            LordosisAmplitudeMm: lordosisAmplitude,
            KyphosisAmplitudeMm: random.TruncatedNormal(6, 3, 0, 14),
            ScoliosisStartZ: sacralZ + random.Uniform(20, 120),
            ScoliosisSpanZ: scoliosisSpan,
            ScoliosisAmplitudeMm: scoliosisAmplitude);

        // Stack the bodies upward from the sacral endplate along the curve.
        var vertebrae = new VertebraGeometry[VertebralLevels.Count];
        var z = sacralZ;
        for (var i = VertebralLevels.Count - 1; i >= 0; i--)
        {
            var d = dims[i];
            z += (d.Disc + d.SpacingH) * Math.Abs(curve.Tangent(z).Z);
            var centreZ = z;
            z += d.SpacingH * Math.Abs(curve.Tangent(z).Z);
            var tangent = curve.Tangent(centreZ);
            // Vertebrae rotate axially towards the convexity of a scoliotic curve, plus a little individual scatter.
            var rotation = 0.4 * Math.Atan(tangent.X / tangent.Z) * 180 / Math.PI + random.Normal(0, 1.5);
            var (u, v, w) = Frame(tangent, rotation);
            // The vertebral shell is thin (a few tenths of a millimetre, thinner in osteoporosis); CT blurs it into a
            // brighter-than-trabecular rim. Endplates are a little thicker.
            var cortex = Math.Clamp(random.Normal(0.35 + 0.002 * bone.LevelBmd[i], 0.08), 0.25, 1.2);
            vertebrae[i] = new VertebraGeometry((VertebralLevel)i, curve.Center(centreZ), u, v, w, d.A, d.B, d.H, d.Disc,
                random.Uniform(0.05, 0.10), random.Uniform(0.8, 2.0), cortex, cortex * random.Uniform(1.1, 1.5), rotation);
        }

        // The top of the sacrum (S1) closes the column below the L5–S1 disc; its Level field is unused (it is
        // labelled sacrum), its size follows L5.
        var sacrumTangent = curve.Tangent(sacralZ);
        var (su, sv, sw) = Frame(sacrumTangent, 0);
        var l5 = vertebrae[^1];
        const double sacrumHalfHeight = 18;
        var sacrum = new VertebraGeometry(VertebralLevel.L5, curve.Center(sacralZ) - sw * sacrumHalfHeight, su, sv, sw,
            l5.HalfWidthMm * 1.05, l5.HalfDepthMm * 1.05, sacrumHalfHeight, 0, 0, 1.0, l5.CortexMm, l5.EndplateCortexMm, 0);

        // Ribs shorten caudally; the floating T12 rib varies most, and the first rib-free vertebra below it is L1.
        double[] ribs = [random.TruncatedNormal(230, 25, 170, 300), random.TruncatedNormal(170, 25, 110, 240), random.TruncatedNormal(100, 30, 40, 170)];
        return new AnatomyModel(body, new SpineShape(lordosis, curve.KyphosisAmplitudeMm, cobb, size, curve), vertebrae, sacrum, ribs);
    }

    private static BodyHabitus SampleBody(Patient patient, SynthRandom random)
    {
        var male = patient.Sex == Sex.Male;
        var bmi = patient.Bmi;
        // Waist circumference from BMI (men ≈ 88 cm, women ≈ 83 cm at BMI 25), then an ellipse of that perimeter.
        var waistMm = 10 * ((male ? 2.45 : 2.25) * bmi + 27 + random.Normal(0, 4));
        var ratio = Math.Clamp((male ? 0.78 : 0.72) + 0.004 * (bmi - 25) + random.Normal(0, 0.04), 0.6, 0.95);
        var a = waistMm / EllipsePerimeterPerSemiAxis(ratio);
        var b = a * ratio;

        var satAnterior = Math.Max(3, (male ? 4 + 1.3 * (bmi - 18) : 6 + 1.9 * (bmi - 18)) * random.LogNormal(1, 0.25));
        var muscleScale = (male ? 1.15 : 1.0) * Math.Max(0.65, 1 - 0.005 * Math.Max(0, patient.Age - 40))
            * (1 + 0.01 * (bmi - 25)) * random.Normal(1, 0.08);
        var muscleFat = Math.Clamp(0.03 + 0.0015 * Math.Max(0, patient.Age - 30) + random.Normal(0, 0.02), 0, 0.3);
        var tableTop = b + random.Normal(0, 12);
        return new BodyHabitus(
            CenterXMm: random.Normal(0, 10),
            TableTopYMm: tableTop,
            HalfWidthMm: a,
            HalfDepthMm: b,
            SatAnteriorMm: satAnterior,
            SatLateralMm: satAnterior * random.Uniform(0.6, 0.9),
            SatPosteriorMm: satAnterior * random.Uniform(0.9, 1.3),
            WallMuscleMm: (male ? 12 : 9) * muscleScale / (male ? 1.15 : 1.0),
            MuscleScale: muscleScale,
            MuscleFatFraction: muscleFat,
            RollDeg: random.Normal(0, 2.5));
    }

    /// <summary>Ramanujan's perimeter of an ellipse with semi-axes 1 and <paramref name="ratio"/>.</summary>
    private static double EllipsePerimeterPerSemiAxis(double ratio) =>
        Math.PI * (3 * (1 + ratio) - Math.Sqrt((3 + ratio) * (1 + 3 * ratio)));

    /// <summary>A vertebra's frame: W along the tangent, V posterior (global +y made orthogonal to W), U = V × W
    /// (patient left), then rotated about W by the axial rotation.</summary>
    private static (Vec3 U, Vec3 V, Vec3 W) Frame(Vec3 tangent, double axialRotationDeg)
    {
        var w = tangent;
        var v0 = new Vec3(0, 1, 0);
        var v = (v0 - w * v0.Dot(w)).Normalized();
        var u = v.Cross(w);
        var (s, c) = Math.SinCos(axialRotationDeg * Math.PI / 180);
        return (u * c + v * s, v * c - u * s, w);
    }
}
