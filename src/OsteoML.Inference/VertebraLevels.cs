using OsteoML.Imaging;

namespace OsteoML.Inference;

/// <summary>Why the L1/L2 masks are (or are not) available.</summary>
public enum LevelStatus
{
    /// <summary>T12 found by its ribs; L1 and L2 are the next two bodies down, both wholly inside the scan.</summary>
    Identified,
    /// <summary>No rib-bearing vertebral body: nothing to count from, so no level is named.</summary>
    NoRibAnchor,
    /// <summary>The count works but L1 or L2 is missing or cut by the scan's craniocaudal edge.</summary>
    NotCovered,
    /// <summary>A gap between consecutive bodies too large for one disc: a body may be missed, so counting is unsafe.</summary>
    Uncertain,
}

/// <summary>One vertebral body: a connected piece of the trabecular class (after <see cref="BodySeparation"/>);
/// <paramref name="HeightMm"/> is its extent along the spine's axis there.</summary>
public sealed record VertebralBody(int Component, long Voxels, double VolumeMm3, double CentroidSuperiorMm,
    double TopMm, double BottomMm, double HeightMm, bool TouchesScanEdge, double RibVolumeMm3, Vec3 Centroid)
{
    public string? Level { get; internal set; }
    public bool BearsRibs(VertebraLevelOptions options) => RibVolumeMm3 >= options.MinRibVolumeMm3;
}

/// <summary>Thresholds of the counting rule (millimetres, patient space).</summary>
public sealed record VertebraLevelOptions
{
    /// <summary>Trabecular pieces smaller than this are noise, not bodies (an adult lumbar body's cancellous core is ≈ 15–30 cm³).</summary>
    public double MinBodyVolumeMm3 { get; init; } = 3000;
    /// <summary>Rib voxels count for a body when within this in-plane distance of its centroid (rib heads and necks, not the lateral shafts).</summary>
    public double RibSearchRadiusMm { get; init; } = 55;
    /// <summary>Rib volume near a body, within its craniocaudal extent, that makes it rib-bearing. On the true class maps of
    /// the paper preset's 516 test and independent cases a T12 had ≥ 952 mm³ (cut by the scan's edge; 1st percentile
    /// 2088) and a lumbar body ≤ 104 mm³ (a descending rib shaft); a network's stray rib voxels near L1 stay below this.</summary>
    public double MinRibVolumeMm3 { get; init; } = 500;
    /// <summary>Largest centroid-to-centroid step between neighbouring bodies before the count is called uncertain.</summary>
    public double MaxBodyStepMm { get; init; } = 55;
    /// <summary>Components at least this tall along the spine are searched for a disc plane (one trabecular core is ≈ 20–30 mm tall).</summary>
    public double SplitMinHeightMm { get; init; } = 34;
    /// <summary>A disc plane: a cross-section under this fraction of the larger bodies' on both sides.</summary>
    public double SplitValleyRatio { get; init; } = 0.5;
    /// <summary>A cut leaves at least this much of the component on each side.</summary>
    public double SplitMinPartHeightMm { get; init; } = 10;
    /// <summary>T12, L1 or L2 taller than this many times the median body of the scan (along the spine) is two bodies fused
    /// without a visible disc: the count is uncertain. Relative, because thick slices make every body look taller.</summary>
    public double MaxBodyHeightRatio { get; init; } = 1.6;
    /// <summary>When the argmax map fuses two bodies, the trabecular probabilities the rule tries in turn as the class's
    /// floor: a thin disc blurred by thick slices can leave a bridge of voxels where trabecular bone wins narrowly.</summary>
    public IReadOnlyList<float> FusedRetryProbabilities { get; init; } = [0.6f, 0.7f, 0.8f, 0.9f];
    /// <summary>How many fewer contradictions (a rib-free body above T12, a rib-bearing one below) a higher anchor must
    /// explain than the lowest rib-bearing body before it replaces it. Ribs stop at T12, so rib-bearing bodies form one
    /// run from the top; a lower run separated from it by rib-free bodies is bone the network took for rib — on real
    /// scans the iliac crest and sacral alae beside L5/S1, which our synthetic anatomy lacks. With a margin of 2 it
    /// takes three rib-free bodies in between (three thoracic levels whose ribs were all missed is not plausible); a
    /// margin of 1 is ambiguous and refused.</summary>
    public int MinAnchorMargin { get; init; } = 2;
    /// <summary>A trabecular piece whose centroid lies farther than this in-plane from every body within twice
    /// <see cref="MaxBodyStepMm"/> along the spine is not a vertebral body (a piece of the ilium or a rib head taken for
    /// trabecular bone): neighbouring bodies of even a scoliotic spine are offset by 10–20 mm.</summary>
    public double MaxOffAxisMm { get; init; } = 40;
    /// <summary>Rib volume that counts when no body reaches <see cref="MinRibVolumeMm3"/>. The network, trained on synthetic
    /// ribs, marks real ones thinly: on the real example CT its T12 carried 1,232 mm³ where synthetic T12s carry
    /// 2,000–5,000; a slimmer patient's could fall below 500. Above the largest true lumbar value on the synthetic
    /// cases (104 mm³, a descending rib shaft).</summary>
    public double WeakRibVolumeMm3 { get; init; } = 150;
    /// <summary>With only weak rib evidence, the anchor must be the lowest of at least this many rib-bearing bodies running
    /// from the top of the scan (T10–T12's three rib pairs). Fewer would let a scan that starts at T12 or L1 name L1 "T12":
    /// the network leaves stray rib voxels beside L1 (why <see cref="MinRibVolumeMm3"/> is no longer 150), and an
    /// edge-cut T12 above it with thin ribs makes a run of two.</summary>
    public int WeakAnchorMinRun { get; init; } = 3;
    /// <summary>With only weak rib evidence, the body below the anchor must be clearly rib-free (under this): a weak run
    /// ending beside a body with some rib-like bone could as well end one body lower, at L1 beside a descending rib shaft.</summary>
    public double WeakAnchorMaxBelowMm3 { get; init; } = 50;
}

/// <summary>Result of the level count: every body found, and the L1 and L2 component ids when identified.</summary>
/// <param name="FusedBodies">Uncertain because T12, L1 or L2 is too tall: two bodies may be fused.</param>
/// <param name="WeakRibAnchor">Identified from rib evidence under <see cref="VertebraLevelOptions.MinRibVolumeMm3"/>
/// (<see cref="VertebraLevelOptions.WeakRibVolumeMm3"/>, a run from the top): measured, and flagged for review.</param>
public sealed record VertebraLevelResult(LevelStatus Status, string Reason, IReadOnlyList<VertebralBody> Bodies, Volume<int> Components,
    bool FusedBodies = false, bool WeakRibAnchor = false)
{
    public VertebralBody? Body(string level) => Bodies.FirstOrDefault(b => b.Level == level);

    /// <summary>The trabecular mask of <paramref name="level"/> (1 inside), or null when that level was not identified.</summary>
    public Volume<byte>? Mask(string level)
    {
        if (Status != LevelStatus.Identified || Body(level) is not { } body)
            return null;
        return Components.Map(c => c == body.Component ? (byte)1 : (byte)0);
    }
}

/// <summary>
/// Names the lumbar levels in a VB-Net-lite class map by counting, the way a radiologist does on a scan that does
/// not show the sacrum: the lowest vertebral body with ribs attached is T12; the next body down is L1, then L2.
/// The ribs are the anchor because the cohort's scans vary in craniocaudal coverage (some start at T10/T11, some
/// stop at L2) and a patch-sized receptive field cannot tell L1 from L2 by appearance. When the anchor or either
/// level is missing the result says so instead of guessing.
/// </summary>
public static class VertebraLevels
{
    public static readonly IReadOnlyList<string> LevelsBelowT12 = ["L1", "L2", "L3", "L4", "L5"];

    /// <summary>
    /// The rule on the argmax of class probabilities (classes × voxels of <paramref name="geometry"/>, class-major). When
    /// the argmax fuses two bodies, the trabecular class is kept only where its probability reaches each of
    /// <see cref="VertebraLevelOptions.FusedRetryProbabilities"/> in turn (the rest becomes other bone), and the first
    /// floor that separates the bodies and names L1 and L2 is taken; otherwise the argmax's answer stands.
    /// </summary>
    public static VertebraLevelResult Identify(float[] probabilities, int classes, VolumeGeometry geometry, VertebraLevelOptions? options = null)
    {
        options ??= new VertebraLevelOptions();
        var voxels = probabilities.Length / classes;
        var argmax = new byte[voxels];
        Parallel.For(0, (voxels + 65535) / 65536, chunk =>
        {
            for (var v = chunk * 65536; v < Math.Min(voxels, (chunk + 1) * 65536); v++)
            {
                var best = 0;
                for (var c = 1; c < classes; c++)
                    if (probabilities[(long)c * voxels + v] > probabilities[(long)best * voxels + v]) best = c;
                argmax[v] = (byte)best;
            }
        });
        var result = Identify(new Volume<byte>(geometry, argmax), options);
        if (!result.FusedBodies)
            return result;
        var trabecular = (long)SegmentationClasses.Trabecular * voxels;
        foreach (var floor in options.FusedRetryProbabilities)
        {
            var strict = (byte[])argmax.Clone();
            for (var v = 0; v < voxels; v++)
                if (strict[v] == SegmentationClasses.Trabecular && probabilities[trabecular + v] < floor)
                    strict[v] = SegmentationClasses.OtherVertebralBone;
            var retry = Identify(new Volume<byte>(geometry, strict), options);
            if (retry.Status == LevelStatus.Identified)
                return retry with { Reason = $"{retry.Reason}, with trabecular bone where its probability reaches {floor:0.##} (at the argmax {result.Reason})" };
        }
        return result;
    }

    public static VertebraLevelResult Identify(Volume<byte> classes, VertebraLevelOptions? options = null)
    {
        options ??= new VertebraLevelOptions();
        var geometry = classes.Geometry;
        var components = ConnectedComponents.Label(classes, SegmentationClasses.Trabecular, out var count);
        count = BodySeparation.Split(components, count, options);
        var bodies = OnSpineAxis(DescribeBodies(classes, components, count, options)
            .Where(b => b.VolumeMm3 >= options.MinBodyVolumeMm3)
            .OrderByDescending(b => b.CentroidSuperiorMm) // head first
            .ToList(), options);

        if (bodies.Count == 0)
            return new(LevelStatus.NotCovered, "no vertebral body found", bodies, components);
        var ribBearing = bodies.Select(b => b.BearsRibs(options)).ToArray();
        var anchor = RibAnchor(ribBearing, options.MinAnchorMargin);
        var weak = false;
        if (anchor.Index < 0 && !anchor.Ambiguous)
        {
            var weakAnchor = WeakRibAnchor(bodies, options);
            if (weakAnchor.Index < 0)
                return new(LevelStatus.NoRibAnchor, anchor.Reason + weakAnchor.Reason, bodies, components);
            (anchor, weak) = (weakAnchor, true);
        }
        if (anchor.Index < 0)
            return new(anchor.Ambiguous ? LevelStatus.Uncertain : LevelStatus.NoRibAnchor, anchor.Reason, bodies, components);
        var t12Index = anchor.Index;

        bodies[t12Index].Level = "T12";
        for (var i = t12Index + 1; i < bodies.Count && i - t12Index - 1 < LevelsBelowT12.Count; i++)
            bodies[i].Level = LevelsBelowT12[i - t12Index - 1];

        var typical = Median(bodies.Where(b => !b.TouchesScanEdge).DefaultIfEmpty(bodies[t12Index]).Select(b => b.HeightMm));
        foreach (var body in bodies.Skip(t12Index).Take(3).Where(b => b.HeightMm > options.MaxBodyHeightRatio * typical))
            return new(LevelStatus.Uncertain, $"{body.Level} is {body.HeightMm:F0} mm tall along the spine, the scan's median body {typical:F0} mm: two bodies may be fused", bodies, components, FusedBodies: true);
        for (var i = t12Index; i < Math.Min(bodies.Count - 1, t12Index + 2); i++)
        {
            var step = bodies[i].CentroidSuperiorMm - bodies[i + 1].CentroidSuperiorMm;
            if (step > options.MaxBodyStepMm)
                return new(LevelStatus.Uncertain, $"{step:F0} mm between {bodies[i].Level} and the next body: a vertebra may be missed", bodies, components);
        }
        foreach (var level in new[] { "L1", "L2" })
        {
            var body = bodies.FirstOrDefault(b => b.Level == level);
            if (body is null)
                return new(LevelStatus.NotCovered, $"{level} is below the scan's lower edge", bodies, components);
            if (body.TouchesScanEdge)
                return new(LevelStatus.NotCovered, $"{level} is cut by the scan's edge", bodies, components);
        }
        return new(LevelStatus.Identified, "T12 identified by its ribs; L1 and L2 counted below it" + anchor.Reason, bodies, components, WeakRibAnchor: weak);
    }

    /// <summary>
    /// The anchor from weak rib evidence (<see cref="VertebraLevelOptions.WeakRibVolumeMm3"/>), accepted only as the lowest of
    /// a run of at least <see cref="VertebraLevelOptions.WeakAnchorMinRun"/> rib-bearing bodies from the top of the scan that
    /// the contradiction rule of <see cref="RibAnchor"/> also picks — lower ribs seen at T10–T12, rib-free bodies below.
    /// </summary>
    internal static (int Index, bool Ambiguous, string Reason) WeakRibAnchor(IReadOnlyList<VertebralBody> bodies, VertebraLevelOptions options)
    {
        var flags = bodies.Select(b => b.RibVolumeMm3 >= options.WeakRibVolumeMm3).ToArray();
        var run = flags.TakeWhile(f => f).Count();
        var anchor = RibAnchor(flags, options.MinAnchorMargin);
        var largest = bodies.Count == 0 ? 0 : bodies.Max(b => b.RibVolumeMm3);
        if (run < options.WeakAnchorMinRun || anchor.Index != run - 1)
            return (-1, false, $" (the most rib-like bone beside any body is {largest:F0} mm³; weaker rib evidence would need a run of {options.WeakAnchorMinRun} bodies from the top of the scan)");
        if (run < bodies.Count && bodies[run].RibVolumeMm3 >= options.WeakAnchorMaxBelowMm3)
            return (-1, false, $" (weak rib evidence on {run} bodies from the top, but the next body down carries {bodies[run].RibVolumeMm3:F0} mm³ too: where the ribs stop is not clear)");
        return (anchor.Index, false, $" from weak rib evidence ({bodies[anchor.Index].RibVolumeMm3:F0} mm³ beside it, under {options.MinRibVolumeMm3:F0}: a run of {run} rib-bearing bodies from the top){anchor.Reason}");
    }

    /// <summary>
    /// The bodies that lie on the spine: a piece whose centroid is more than <see cref="VertebraLevelOptions.MaxOffAxisMm"/>
    /// in-plane from every other body within twice <see cref="VertebraLevelOptions.MaxBodyStepMm"/> along patient Z is dropped
    /// (when there are at least three pieces, so that a pair cannot vote each other out). On the real example CT cut
    /// below T12, a 3 cm³ piece of the ilium 85 mm beside the sacrum was taken for a body.
    /// </summary>
    internal static List<VertebralBody> OnSpineAxis(List<VertebralBody> bodies, VertebraLevelOptions options)
    {
        if (bodies.Count < 3)
            return bodies;
        static double InPlane(VertebralBody a, VertebralBody b) =>
            Math.Sqrt((a.Centroid.X - b.Centroid.X) * (a.Centroid.X - b.Centroid.X) + (a.Centroid.Y - b.Centroid.Y) * (a.Centroid.Y - b.Centroid.Y));
        return bodies.Where(b => bodies.Any(o => !ReferenceEquals(o, b)
                && Math.Abs(o.Centroid.Z - b.Centroid.Z) <= 2 * options.MaxBodyStepMm
                && InPlane(o, b) <= options.MaxOffAxisMm))
            .ToList();
    }

    /// <summary>
    /// Which body is T12, from each body's rib flag (head first). Anatomy allows one pattern: rib-bearing bodies down to
    /// T12, rib-free below. The lowest rib-bearing body fits it whenever the network's rib voxels are right; when a
    /// lower run of "rib-bearing" bodies sits under rib-free ones, every candidate is scored by the contradictions it
    /// leaves (rib-free bodies above it, rib-bearing ones below) and a higher candidate wins only by
    /// <paramref name="margin"/> or more; a closer call is ambiguous. Index −1 when there is no anchor or it is ambiguous.
    /// </summary>
    internal static (int Index, bool Ambiguous, string Reason) RibAnchor(IReadOnlyList<bool> ribBearing, int margin)
    {
        var lowest = -1;
        for (var i = 0; i < ribBearing.Count; i++)
            if (ribBearing[i]) lowest = i;
        if (lowest < 0)
            return (-1, false, "no rib-bearing vertebra in the scan, so the lumbar levels cannot be counted");
        int Contradictions(int t)
        {
            var n = 0;
            for (var i = 0; i < ribBearing.Count; i++)
                if (ribBearing[i] != i <= t) n++;
            return n;
        }
        var best = lowest;
        for (var t = lowest - 1; t >= 0; t--)
            if (ribBearing[t] && Contradictions(t) < Contradictions(best)) best = t;
        if (best == lowest)
            return (lowest, false, "");
        var gain = Contradictions(lowest) - Contradictions(best);
        var ignored = Enumerable.Range(best + 1, ribBearing.Count - best - 1).Count(i => ribBearing[i]);
        if (gain < margin)
            return (-1, true, $"rib-bearing bodies are not one run from the top: {ignored} lie below rib-free ones, so which is T12 is ambiguous");
        return (best, false, $" (rib-like bone beside {ignored} lower body(ies) ignored: rib-free bodies lie between them and the ribs above, as beside the pelvis)");
    }

    private static List<VertebralBody> DescribeBodies(Volume<byte> classes, Volume<int> components, int count, VertebraLevelOptions options)
    {
        var g = classes.Geometry;
        var size = classes.Size;
        var superior = new double[count + 1];
        var top = Enumerable.Repeat(double.NegativeInfinity, count + 1).ToArray();
        var bottom = Enumerable.Repeat(double.PositiveInfinity, count + 1).ToArray();
        var sum = new Vec3[count + 1];
        var voxels = new long[count + 1];
        var edge = new bool[count + 1];
        var points = new List<Vec3>?[count + 1];
        var ribs = new List<Vec3>();
        for (var z = 0; z < size.Z; z++)
        for (var y = 0; y < size.Y; y++)
        for (var x = 0; x < size.X; x++)
        {
            var c = components[x, y, z];
            if (c == 0)
            {
                if (classes[x, y, z] == SegmentationClasses.Rib)
                    ribs.Add(g.IndexToWorld(x, y, z));
                continue;
            }
            var p = g.IndexToWorld(x, y, z);
            (points[c] ??= []).Add(p);
            voxels[c]++;
            sum[c] += p;
            top[c] = Math.Max(top[c], p.Z);
            bottom[c] = Math.Min(bottom[c], p.Z);
            // The craniocaudal edges of the scan: the first and last slices along the axis closest to patient Z.
            if (IsOnCraniocaudalEdge(g, x, y, z))
                edge[c] = true;
        }

        var voxelMm3 = g.VoxelVolumeMm3;
        var bodies = new List<VertebralBody>(count);
        for (var c = 1; c <= count; c++)
        {
            if (voxels[c] == 0)
                continue;
            var centroid = sum[c] / voxels[c];
            var ribVoxels = ribs.Count(r => r.Z <= top[c] && r.Z >= bottom[c]
                && Math.Sqrt((r.X - centroid.X) * (r.X - centroid.X) + (r.Y - centroid.Y) * (r.Y - centroid.Y)) <= options.RibSearchRadiusMm);
            bodies.Add(new VertebralBody(c, voxels[c], voxels[c] * voxelMm3, centroid.Z, top[c], bottom[c], Height(points[c]!, g), edge[c], ribVoxels * voxelMm3, centroid));
        }
        return bodies;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Extent along the spine's axis through the points, counting each voxel's own thickness once.</summary>
    private static double Height(List<Vec3> points, VolumeGeometry g)
    {
        var axis = BodySeparation.SpineAxis(points);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var p in points)
        {
            var s = p.Dot(axis);
            lo = Math.Min(lo, s);
            hi = Math.Max(hi, s);
        }
        return hi - lo + g.Spacing[CraniocaudalAxis(g.Direction)];
    }

    private static bool IsOnCraniocaudalEdge(VolumeGeometry g, int x, int y, int z)
    {
        var axis = CraniocaudalAxis(g.Direction);
        var index = axis switch { 0 => x, 1 => y, _ => z };
        return index == 0 || index == g.Size[axis] - 1;
    }

    /// <summary>The voxel axis most aligned with patient Z (superior–inferior).</summary>
    public static int CraniocaudalAxis(Direction3 d)
    {
        var best = 0;
        for (var axis = 1; axis < 3; axis++)
            if (Math.Abs(d[axis].Z) > Math.Abs(d[best].Z))
                best = axis;
        return best;
    }
}
