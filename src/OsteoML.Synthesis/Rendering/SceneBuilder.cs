using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Synthesis.Anatomy;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Sampling;
using OsteoML.Synthesis.Truth;
using L = OsteoML.Domain.SyntheticLabels;

namespace OsteoML.Synthesis.Rendering;

/// <summary>The parts of one case in painting order, and the body section that bounds the scanner's cupping.</summary>
internal sealed record Scene(IReadOnlyList<IScenePart> Parts, double BodyCentreX, double BodyCentreY, double BodyHalfWidth, double BodyHalfDepth);

/// <summary>
/// Turns a case's anatomy, truth and acquisition into paintable parts: table, body wall and fat, organs, muscles,
/// vessels with calcified plaques, ribs, posterior elements, canal, discs, vertebral bodies with their pathology,
/// osteophytes. Geometry details not worth a manifest column (bowel loops, organ sizes, textures) come from the
/// scene's own random stream, so they are identical at every render size.
/// </summary>
internal static class SceneBuilder
{
    private static readonly double[] BodyWidthProfile = [1.04, 1.05, 1.04, 1.0, 0.98, 0.97, 1.0, 1.06, 1.12];
    private static readonly double[] BodyDepthProfile = [1.05, 1.04, 1.02, 1.0, 1.0, 1.0, 1.0, 0.98, 0.95];

    private static readonly LabelSet Cavity = new(L.VisceralFat);
    private static readonly LabelSet CavityOrgans = new(L.VisceralFat, L.Liver, L.Spleen, L.Kidney, L.Bowel, L.BowelGas);
    private static readonly LabelSet InsideWall = new(L.WallMuscle, L.VisceralFat, L.Liver, L.Spleen, L.Kidney, L.Bowel, L.BowelGas, L.Lung);

    public static Scene Build(AnatomyModel anatomy, BoneTruth bone, SoftTissueTruth soft, Pathology pathology,
        Acquisition acquisition, ulong sceneSeed, double pixelMm)
    {
        var random = new SynthRandom(sceneSeed);
        var tissues = Tissues.For(acquisition, anatomy.Body.MuscleFatFraction, soft.LiverFatFraction, soft.BloodHu, soft.LungHu);
        var kvp = acquisition.EffectiveKvp;
        var slope = XRayMaterials.MineralHuPerMg(kvp);
        var marrowHu = XRayMaterials.SoftTissueHu(XRayMaterials.RedMarrowHu, bone.MarrowFatFraction, kvp) + acquisition.Enhancement.Bone;
        var ctx = new Context(anatomy, random);
        var parts = new List<IScenePart>();
        var body = anatomy.Body;

        parts.Add(new TableSlab(0, body.TableTopYMm, 230,
            [(6, tissues.TablePad), (2, tissues.TableShell), (30, tissues.TableFoam), (2, tissues.TableShell)], L.Table));

        // Body wall: skin, subcutaneous fat, muscle, then the cavity's visceral fat.
        var satMean = (body.SatAnteriorMm + body.SatPosteriorMm) / 2;
        var satShift = (body.SatAnteriorMm - body.SatPosteriorMm) / 2;
        parts.Add(ctx.BodyLayer(0, 0, 0, L.Skin, tissues.Skin));
        parts.Add(ctx.BodyLayer(2, 2, 0, L.SubcutaneousFat, tissues.SubcutaneousFat));
        parts.Add(ctx.BodyLayer(body.SatLateralMm, satMean, satShift, L.WallMuscle, tissues.Muscle));
        parts.Add(ctx.BodyLayer(body.SatLateralMm + body.WallMuscleMm, satMean + body.WallMuscleMm, satShift, L.VisceralFat, tissues.VisceralFat));

        AddOrgans(ctx, parts, tissues);
        AddMuscles(ctx, parts, tissues);
        AddVessels(ctx, parts, tissues, pathology, slope);
        AddRibs(ctx, parts, marrowHu, slope, bone);
        foreach (var v in anatomy.Vertebrae)
            parts.Add(PosteriorElements(ctx, v, marrowHu, slope, bone.Bmd(v.Level)));
        parts.Add(ctx.SpinalCanal(tissues.Canal));

        var rolled = anatomy.Vertebrae.Select(v => ctx.Rolled(v)).ToArray();
        var sacrum = ctx.Rolled(anatomy.Sacrum);
        for (var i = 0; i < rolled.Length; i++)
            parts.Add(new DiscPart(rolled[i], i + 1 < rolled.Length ? rolled[i + 1] : sacrum, L.DiscBelow(rolled[i].Level), tissues.DiscAnnulus, tissues.DiscNucleus));
        var cortexHu = XRayMaterials.SoftTissueHu(40, 0, kvp) + slope * 900;
        for (var i = 0; i < rolled.Length; i++)
        {
            var g = rolled[i];
            var level = g.Level;
            var material = new BoneMaterial(marrowHu, slope, bone.Bmd(level), bone.TextureAmplitude, cortexHu, tissues.DiscNucleus);
            var texture = new TextureField(g.HalfWidthMm + 2, g.HalfDepthMm + 2, g.HalfHeightMm + 2, 1.6, 2.6, random);
            parts.Add(new VertebraPart(g, L.Trabecular(level), L.Cortical(level), material, pathology.FractureAt(level),
                pathology.Sclerosis.Where(s => s.Level == level), pathology.SchmorlNodes.Where(s => s.Level == level), texture, pixelMm));
        }
        var sacralBmd = bone.Bmd(VertebralLevel.L5) * 0.95;
        parts.Add(new VertebraPart(sacrum, L.Sacrum, L.Sacrum,
            new BoneMaterial(marrowHu, slope, sacralBmd, bone.TextureAmplitude, cortexHu, tissues.DiscNucleus),
            null, [], [], null, pixelMm));

        var osteophyteHu = (float)(marrowHu + slope * 600);
        foreach (var o in pathology.Osteophytes)
            parts.Add(Osteophyte(rolled[(int)o.Level], o, osteophyteHu));

        var l1 = ctx.BodySection(anatomy[VertebralLevel.L1].Center.Z, 0, 0, 0);
        var centre = anatomy.Roll(new Vec3(l1.Cx, l1.Cy, 0));
        return new Scene(parts, centre.X, centre.Y, l1.A, l1.B);
    }

    private static void AddOrgans(Context ctx, List<IScenePart> parts, Tissues t)
    {
        var a = ctx.Anatomy;
        var r = ctx.Random;
        double zT11 = a[VertebralLevel.T11].Center.Z, zL1 = a[VertebralLevel.L1].Center.Z, zL2 = a[VertebralLevel.L2].Center.Z;
        var cav = ctx.CavitySection(zT11);
        var spine = ctx.Anatomy.Spine.Curve.Center(zL1);
        var bL1 = a[VertebralLevel.L1].HalfDepthMm;
        var aL1 = a[VertebralLevel.L1].HalfWidthMm;

        // Liver in the right upper quadrant down to about L1–L2; spleen left posterior.
        var liverHeight = r.Uniform(85, 120);
        parts.Add(ctx.RolledEllipsoid(new Vec3(cav.Cx - 0.35 * cav.A, cav.Cy - 0.1 * cav.B, zT11 + r.Uniform(0, 30)),
            new Vec3(0.62 * cav.A, 0.8 * cav.B, liverHeight), L.Liver, t.Liver, Cavity));
        parts.Add(ctx.RolledEllipsoid(new Vec3(cav.Cx + 0.62 * cav.A, spine.Y - r.Uniform(0, 20), zT11 + r.Uniform(-10, 20)),
            new Vec3(r.Uniform(22, 32), r.Uniform(40, 60), r.Uniform(45, 65)), L.Spleen, t.Spleen, Cavity));

        // Kidneys lateral to the psoas at L1–L2, the right one lower.
        var kidneyZ = (zL1 + zL2) / 2 + r.Uniform(-10, 10);
        foreach (var side in new[] { 1, -1 })
        {
            var centre = new Vec3(spine.X + side * (aL1 + r.Uniform(40, 52)), spine.Y + r.Uniform(0, 12), kidneyZ - (side < 0 ? r.Uniform(8, 20) : 0));
            parts.Add(ctx.RolledEllipsoid(centre, new Vec3(r.Uniform(23, 29), r.Uniform(20, 26), r.Uniform(48, 60)), L.Kidney, t.Kidney, new LabelSet(L.VisceralFat, L.Liver, L.Spleen)));
        }

        // Bowel loops fill the anterior abdomen below L1; some hold gas.
        var zBottom = a.Sacrum.Center.Z - 60;
        var loops = r.Next(14, 26);
        for (var i = 0; i < loops; i++)
        {
            var z = r.Uniform(zBottom, zL1);
            var c = ctx.CavitySection(z);
            var centre = new Vec3(c.Cx + r.Uniform(-0.7, 0.7) * c.A, r.Uniform(c.Cy - 0.8 * c.B, spine.Y - bL1 - 15), z);
            var radii = new Vec3(r.Uniform(12, 26), r.Uniform(12, 24), r.Uniform(15, 40));
            parts.Add(ctx.RolledEllipsoid(centre, radii, L.Bowel, t.Bowel, Cavity));
            if (r.Bernoulli(0.35))
                parts.Add(ctx.RolledEllipsoid(centre, radii * r.Uniform(0.45, 0.75), L.BowelGas, t.BowelGas, new LabelSet(L.Bowel)));
        }

        // Posterior lung bases (costophrenic recesses): crescents against the posterolateral ribs down to about T12–L1.
        var lungBase = a[VertebralLevel.T12].Center.Z + r.Uniform(-25, 10);
        foreach (var side in new[] { 1, -1 })
        {
            var widthShare = r.Uniform(0.28, 0.38);
            parts.Add(new EllipseTube(z =>
            {
                if (z <= lungBase)
                    return null;
                var grow = Math.Sqrt(Math.Min(1, (z - lungBase) / 80));
                var c = ctx.CavitySection(z);
                var p = ctx.Anatomy.Roll(new Vec3(c.Cx + side * 0.55 * c.A, c.Cy + 0.45 * c.B, z));
                return (p.X, p.Y, widthShare * c.A * grow, 0.42 * c.B * grow);
            }, ctx.RollRadians + side * 0.5, L.Lung, t.Lung, CavityOrgans));
        }
    }

    private static void AddMuscles(Context ctx, List<IScenePart> parts, Tissues t)
    {
        var a = ctx.Anatomy;
        var scale = a.Body.MuscleScale;
        double zT12 = a[VertebralLevel.T12].Center.Z, zL4 = a[VertebralLevel.L4].Center.Z;
        var psoas = 19 * scale;
        foreach (var side in new[] { 1, -1 })
        {
            parts.Add(new EllipseTube(z =>
            {
                if (z > zT12)
                    return null;
                var r = psoas * Math.Sqrt(Math.Clamp((zT12 - z) / (zT12 - zL4), 0.05, 1));
                var (s, vw, vd) = ctx.SpineAt(z);
                var p = ctx.Anatomy.Roll(new Vec3(s.X + side * (vw + 0.75 * r), s.Y + 0.1 * vd, z));
                return (p.X, p.Y, r, 0.85 * r);
            }, ctx.RollRadians, L.Psoas, t.Muscle));
            // Erector spinae and multifidus fill the gutter from the spinous process to the transverse processes and
            // back to the thoracolumbar fascia (clipped to the muscle wall).
            parts.Add(new EllipseTube(z =>
            {
                var (s, _, vd) = ctx.SpineAt(z);
                var lumbar = z < zT12;
                var rx = (lumbar ? 30 : 24) * scale;
                var ry = (lumbar ? 30 : 26) * scale;
                var p = ctx.Anatomy.Roll(new Vec3(s.X + side * (5 + 0.95 * rx), s.Y + vd + 8 + ry, z));
                return (p.X, p.Y, rx, ry);
            }, ctx.RollRadians, L.ParaspinalMuscle, t.Muscle, InsideWall));
        }
    }

    private static void AddVessels(Context ctx, List<IScenePart> parts, Tissues t, Pathology pathology, double slope)
    {
        var a = ctx.Anatomy;
        var r = ctx.Random;
        var aortaRadius = r.Uniform(9, 12.5);
        var bifurcation = a[VertebralLevel.L4].Center.Z + r.Uniform(-12, 8);
        var confluence = a[VertebralLevel.L5].Center.Z + r.Uniform(-5, 15);
        Vec3 AortaCentre(double z)
        {
            var (s, vw, vd) = ctx.SpineAt(z);
            return new Vec3(s.X + 0.45 * vw + 4, s.Y - vd - aortaRadius - 3, z);
        }
        parts.Add(new EllipseTube(z =>
        {
            if (z < bifurcation)
                return null;
            var p = ctx.Anatomy.Roll(AortaCentre(z));
            return (p.X, p.Y, aortaRadius, aortaRadius);
        }, 0, L.Aorta, t.Aorta));
        foreach (var side in new[] { 1, -1 })
        {
            parts.Add(new EllipseTube(z =>
            {
                if (z > bifurcation + 6)
                    return null;
                var c = AortaCentre(Math.Min(z, bifurcation));
                var p = ctx.Anatomy.Roll(new Vec3(c.X + side * (4 + 0.35 * (bifurcation - z)), c.Y + 2, z));
                return (p.X, p.Y, 5.5, 5.5);
            }, 0, L.Aorta, t.Aorta));
            parts.Add(new EllipseTube(z =>
            {
                if (z > confluence + 6)
                    return null;
                var (s, vw, vd) = ctx.SpineAt(Math.Min(z, confluence));
                var p = ctx.Anatomy.Roll(new Vec3(s.X - 0.2 * vw + side * (6 + 0.35 * (confluence - z)), s.Y - vd - 4, z));
                return (p.X, p.Y, 6, 6);
            }, 0, L.Ivc, t.Ivc));
        }
        parts.Add(new EllipseTube(z =>
        {
            if (z < confluence)
                return null;
            var (s, vw, vd) = ctx.SpineAt(z);
            var p = ctx.Anatomy.Roll(new Vec3(s.X - 0.55 * vw - 7, s.Y - vd - 12, z));
            return (p.X, p.Y, 13, 9);
        }, ctx.RollRadians, L.Ivc, t.Ivc));

        foreach (var plaque in pathology.AorticPlaques)
        {
            var v = a[plaque.Level];
            var z = v.Center.Z + plaque.Offset * v.HalfHeightMm * 2;
            if (z < bifurcation)
                continue;
            parts.Add(new AorticPlaquePart(zz => ctx.Anatomy.Roll(AortaCentre(zz)), aortaRadius, z, plaque,
                (float)(40 + slope * plaque.MineralMgPerCm3)));
        }
    }

    private static void AddRibs(Context ctx, List<IScenePart> parts, double marrowHu, double slope, BoneTruth bone)
    {
        var a = ctx.Anatomy;
        double[] radii = [4.6, 4.2, 3.8];
        foreach (var level in new[] { VertebralLevel.T10, VertebralLevel.T11, VertebralLevel.T12 })
        {
            var i = (int)level;
            var v = a[level];
            var length = a.RibLengthsMm[i];
            var core = (float)(marrowHu + slope * (0.9 * bone.Bmd(level) + 60));
            var shell = (float)(marrowHu + slope * 700);
            foreach (var side in new[] { 1, -1 })
            {
                var points = new List<Vec3>
                {
                    v.ToWorld(side * 0.8 * v.HalfWidthMm, 0.55 * v.HalfDepthMm, 0.35 * v.HalfHeightMm),
                    v.ToWorld(side * (v.HalfWidthMm + 12), v.HalfDepthMm + 18, 0.25 * v.HalfHeightMm),
                };
                // Then around the body inside the muscle wall, descending anteriorly (~30° below horizontal).
                var start = points[^1];
                var wall = ctx.WallMidline(start.Z);
                var psi = Math.Atan2(Math.Abs(start.X - wall.Cx) / wall.A, (start.Y - wall.Cy) / wall.B);
                double travelled = 0, z = start.Z;
                var previous = start;
                while (travelled < length)
                {
                    psi += 8 / Math.Max(wall.A, wall.B);
                    z -= 8 * 0.55;
                    wall = ctx.WallMidline(z);
                    var p = new Vec3(wall.Cx + side * wall.A * Math.Sin(psi), wall.Cy + wall.B * Math.Cos(psi), z);
                    travelled += (p - previous).Length;
                    points.Add(p);
                    previous = p;
                    if (psi > Math.PI * 0.95)
                        break;
                }
                var rolled = points.Select(ctx.Anatomy.Roll).ToArray();
                var radius = radii[i];
                parts.Add(new CapsuleChain(rolled.Zip(rolled.Skip(1), (p, q) => (p, q, radius)), L.Rib(level), core, shell, 1.0));
            }
        }
    }

    private static CapsuleChain PosteriorElements(Context ctx, VertebraGeometry v, double marrowHu, double slope, double bmd)
    {
        var s = ctx.Anatomy.Spine.SizeScale;
        double a = v.HalfWidthMm, b = v.HalfDepthMm, h = v.HalfHeightMm;
        var segments = new List<(Vec3, Vec3, double)>();
        void Add(double u0, double v0, double w0, double u1, double v1, double w1, double radius)
        {
            foreach (var side in u0 == 0 && u1 == 0 ? new[] { 1.0 } : [1.0, -1.0])
                segments.Add((ctx.Anatomy.Roll(v.ToWorld(side * u0, v0, w0)), ctx.Anatomy.Roll(v.ToWorld(side * u1, v1, w1)), radius * s));
        }
        if (v.Level.IsThoracic())
        {
            var transverse = v.Level == VertebralLevel.T12 ? 0.6 : 1.0;
            Add(0.6 * a, 0.7 * b, 0.35 * h, 0.62 * a, b + 11 * s, 0.35 * h, 3.8);
            // Laminae and the spinous process are plates: two capsules stacked along the spine.
            foreach (var dw in new[] { -0.25 * h, 0.25 * h })
            {
                Add(0.6 * a, b + 11 * s, 0.3 * h + dw, 0, b + 20 * s, dw, 3.2);
                Add(0, b + 20 * s, dw, 0, b + 42 * s, -2.0 * h + dw, 3.5);
            }
            Add(0.6 * a, b + 11 * s, 0.3 * h, 0.6 * a + transverse * (0.4 * a + 10 * s), b + 11 * s + transverse * 9 * s, 0.4 * h, 3.8);
            Add(0.6 * a, b + 12 * s, 0.4 * h, 0.66 * a, b + 14 * s, 1.1 * h, 3.3);
            Add(0.45 * a, b + 18 * s, -0.2 * h, 0.5 * a, b + 20 * s, -1.2 * h, 3.2);
        }
        else
        {
            Add(0.62 * a, 0.7 * b, 0.15 * h, 0.62 * a, b + 12 * s, 0.15 * h, 5.0);
            foreach (var dw in new[] { -0.35 * h, 0, 0.35 * h })
            {
                Add(0.62 * a, b + 12 * s, 0.1 * h + dw, 0, b + 24 * s, -0.1 * h + dw, 4.0);
                Add(0, b + 24 * s, -0.1 * h + dw, 0, b + 50 * s, -0.4 * h + 0.8 * dw, 4.0);
            }
            Add(0.62 * a, b + 12 * s, 0.1 * h, a + 26 * s, b + 8 * s, 0, 3.4);
            Add(0.62 * a, b + 13 * s, 0.2 * h, 0.72 * a, b + 17 * s, 1.1 * h, 4.2);
            Add(0.45 * a, b + 22 * s, -0.2 * h, 0.55 * a, b + 24 * s, -1.2 * h, 4.0);
        }
        var core = (float)(marrowHu + slope * (1.4 * bmd + 30));
        var shell = (float)(marrowHu + slope * 700);
        return new CapsuleChain(segments, L.PosteriorElements(v.Level), core, shell, 1.0);
    }

    private static Ellipsoid Osteophyte(VertebraGeometry v, Osteophyte o, float hu)
    {
        var angle = o.AngleDeg * Math.PI / 180;
        var outward = (v.U * Math.Sin(angle) - v.V * Math.Cos(angle)).Normalized();
        var rim = Math.Abs(Math.Cos(angle)) * v.HalfDepthMm + Math.Abs(Math.Sin(angle)) * v.HalfWidthMm;
        var w = (o.Superior ? 1 : -1) * (v.HalfHeightMm - 1.5);
        var centre = v.Center + outward * (rim + o.LengthMm / 2 - 1) + v.W * w;
        var tangent = v.W.Cross(outward).Normalized();
        return new Ellipsoid(centre, [outward, tangent, v.W], new Vec3(o.LengthMm / 2 + 1.5, o.WidthMm / 2, 2.5), L.Osteophyte, hu);
    }

    /// <summary>Shared geometry helpers of one build: interpolation between levels, body sections, the roll.</summary>
    private sealed class Context
    {
        private readonly double[] _knotZ;
        private readonly double[] _width, _depth, _bodyA, _bodyB;

        public Context(AnatomyModel anatomy, SynthRandom random)
        {
            Anatomy = anatomy;
            Random = random;
            // Knots from caudal to cranial: sacrum, L5 … T10.
            var knots = new List<VertebraGeometry> { anatomy.Sacrum };
            knots.AddRange(anatomy.Vertebrae.Reverse());
            _knotZ = knots.Select(k => k.Center.Z).ToArray();
            _width = knots.Select(k => k.HalfWidthMm).ToArray();
            _depth = knots.Select(k => k.HalfDepthMm).ToArray();
            _bodyA = BodyWidthProfile.Reverse().ToArray();
            _bodyB = BodyDepthProfile.Reverse().ToArray();
        }

        public AnatomyModel Anatomy { get; }
        public SynthRandom Random { get; }
        public double RollRadians => Anatomy.Body.RollDeg * Math.PI / 180;

        /// <summary>Spine centre at z and the interpolated body half-width and half-depth there (unrolled).</summary>
        public (Vec3 Centre, double HalfWidth, double HalfDepth) SpineAt(double z) =>
            (Anatomy.Spine.Curve.Center(z), Interpolate(_width, z), Interpolate(_depth, z));

        /// <summary>The body outline at z shrunk by a lateral and an AP inset, its centre moved anteriorly by <paramref name="shiftY"/> (unrolled).</summary>
        public (double Cx, double Cy, double A, double B) BodySection(double z, double insetLateral, double insetAp, double shiftY)
        {
            var body = Anatomy.Body;
            var a = body.HalfWidthMm * Interpolate(_bodyA, z);
            var b = body.HalfDepthMm * Interpolate(_bodyB, z);
            return (body.CenterXMm, body.TableTopYMm - b + shiftY, a - insetLateral, b - insetAp);
        }

        public (double Cx, double Cy, double A, double B) CavitySection(double z)
        {
            var body = Anatomy.Body;
            return BodySection(z, body.SatLateralMm + body.WallMuscleMm, (body.SatAnteriorMm + body.SatPosteriorMm) / 2 + body.WallMuscleMm,
                (body.SatAnteriorMm - body.SatPosteriorMm) / 2);
        }

        /// <summary>Mid-thickness of the muscle wall, where the ribs run.</summary>
        public (double Cx, double Cy, double A, double B) WallMidline(double z)
        {
            var body = Anatomy.Body;
            var c = CavitySection(z);
            return (c.Cx, c.Cy, c.A + 0.5 * body.WallMuscleMm, c.B + 0.5 * body.WallMuscleMm);
        }

        public EllipseTube BodyLayer(double insetLateral, double insetAp, double shiftY, byte label, float hu) =>
            new(z =>
            {
                var s = BodySection(z, insetLateral, insetAp, shiftY);
                var p = Anatomy.Roll(new Vec3(s.Cx, s.Cy, z));
                return (p.X, p.Y, s.A, s.B);
            }, RollRadians, label, hu, null, Anatomy.Body.TableTopYMm);

        public EllipseTube SpinalCanal(float hu) => new(z =>
        {
            if (z < Anatomy.Sacrum.Center.Z)
                return null;
            var (s, vw, vd) = SpineAt(z);
            var lumbar = z < Anatomy[VertebralLevel.T12].Center.Z;
            var depth = lumbar ? 7.5 : 7.0;
            var p = Anatomy.Roll(new Vec3(s.X, s.Y + vd + depth + 0.5, z));
            return (p.X, p.Y, lumbar ? 11 : 9, depth);
        }, RollRadians, SyntheticLabels.SpinalCanal, hu);

        public Ellipsoid RolledEllipsoid(Vec3 centre, Vec3 radii, byte label, float hu, LabelSet over)
        {
            var x = Anatomy.RollDirection(new Vec3(1, 0, 0));
            var y = Anatomy.RollDirection(new Vec3(0, 1, 0));
            return new Ellipsoid(Anatomy.Roll(centre), [x, y, new Vec3(0, 0, 1)], radii, label, hu, over);
        }

        public VertebraGeometry Rolled(VertebraGeometry v) => v with
        {
            Center = Anatomy.Roll(v.Center),
            U = Anatomy.RollDirection(v.U),
            V = Anatomy.RollDirection(v.V),
            W = Anatomy.RollDirection(v.W),
        };

        private double Interpolate(double[] values, double z)
        {
            if (z <= _knotZ[0])
                return values[0];
            for (var i = 1; i < _knotZ.Length; i++)
            {
                if (z <= _knotZ[i])
                    return values[i - 1] + (values[i] - values[i - 1]) * (z - _knotZ[i - 1]) / (_knotZ[i] - _knotZ[i - 1]);
            }
            return values[^1];
        }
    }
}
