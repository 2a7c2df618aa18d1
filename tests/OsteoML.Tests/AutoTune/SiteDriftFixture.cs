using OsteoML.AutoTune.Experiments;

namespace OsteoML.Tests.AutoTune;

/// <summary>
/// TEST FIXTURE — a small stand-in for the feature table the pipeline will extract from the synthetic cohort
/// (issues 4 and 6), with the one property the tuner and the site calibration care about: each scanner site
/// maps BMD to HU by its own line. It is not the cohort and makes no claim about anatomy.
/// <para>Per case: BMD ~ N(110, 35²) clipped to [15, 240] mg/cm³ (≈ 45 % normal, 40 % osteopenia, 15 %
/// osteoporosis); trabecular HU of L1 and L2 = a_site + b_site·BMD + N(0, 6²) each; reference tissues (air −1000,
/// fat −100, muscle 50, blood 40 HU) + a_site·s + N(0, 4²), i.e. shifted with the site's offset (s = 0.5, the
/// fraction of a scanner's offset that soft tissue shares); then <c>noiseFeatures</c> "deep" features, each
/// w_j·z + N(0, 1) with z the standardised BMD and w_j ∈ [0, 0.5) (weak, redundant signal as from a DenseNet).
/// One or two studies per patient (30 % have a follow-up a year later, BMD − 2 ± 3): grouped CV must keep them
/// together. Each patient belongs to one site; sites A and B are internal (train/test split 80/20 by patient),
/// C–F independent.</para>
/// </summary>
internal static class SiteDriftFixture
{
    public sealed record Site(string Key, double Offset, double Slope, bool Internal);

    /// <summary>A: the reference line; B: mild drift; C–F: independent scanners with offsets −15 … +20 HU and slopes 1.05 … 1.32.</summary>
    public static IReadOnlyList<Site> Sites { get; } =
    [
        new("site-A", 0, 1.20, true),
        new("site-B", 6, 1.24, true),
        new("site-C", -15, 1.10, false),
        new("site-D", 20, 1.32, false),
        new("site-E", 10, 1.05, false),
        new("site-F", -8, 1.28, false),
    ];

    public static readonly string[] ReferenceTissues = ["air", "fat", "muscle", "blood"];
    private static readonly double[] TissueHu = [-1000, -100, 50, 40];
    private const double TissueShareOfOffset = 0.5;

    public sealed record Case(string PatientId, string Site, string Split, double Bmd, float[] Features)
    {
        /// <summary>Reference-tissue HUs (features 2–5).</summary>
        public double[] Tissues => Features.Skip(2).Take(4).Select(v => (double)v).ToArray();
        public double MeanTrabecularHu => (Features[0] + Features[1]) / 2.0;
    }

    /// <summary>
    /// <paramref name="patients"/> patients spread over the sites in proportion to <paramref name="siteWeights"/>
    /// (default: 0.4 and 0.32 internal, 0.07 each independent — close to the study's 703 + 176 internal / 340 independent).
    /// </summary>
    public static IReadOnlyList<Case> Generate(int patients, int noiseFeatures, int seed, double[]? siteWeights = null)
    {
        siteWeights ??= [0.4, 0.32, 0.07, 0.07, 0.07, 0.07];
        var random = new Random(seed);
        var weights = Enumerable.Range(0, noiseFeatures).Select(_ => random.NextDouble() * 0.5).ToArray();
        var cases = new List<Case>();
        for (var p = 0; p < patients; p++)
        {
            var site = Sites[Pick(random, siteWeights)];
            var id = $"P{p:D5}";
            var split = site.Internal ? (random.NextDouble() < 0.8 ? "train" : "test") : "independent";
            var bmd = Math.Clamp(110 + 35 * Normal(random), 15, 240);
            cases.Add(new Case(id, site.Key, split, bmd, Features(random, site, bmd, weights)));
            if (random.NextDouble() < 0.3)
            {
                var followUp = Math.Clamp(bmd - 2 + 3 * Normal(random), 15, 240);
                cases.Add(new Case(id, site.Key, split, followUp, Features(random, site, followUp, weights)));
            }
        }
        return cases;
    }

    public static FeatureTable ToTable(IEnumerable<Case> cases)
    {
        var list = cases.ToArray();
        return new FeatureTable(
            list.Select(c => c.Features).ToArray(),
            list.Select(c => (float)c.Bmd).ToArray(),
            list.Select(c => ClassOf(c.Bmd)).ToArray(),
            list.Select(c => c.PatientId).ToArray(),
            list.Select(c => c.Site).ToArray());
    }

    /// <summary>ACR class index (0 normal &gt; 120, 1 osteopenia, 2 osteoporosis &lt; 80).</summary>
    public static int ClassOf(double bmd) => bmd > 120 ? 0 : bmd >= 80 ? 1 : 2;

    private static float[] Features(Random random, Site site, double bmd, double[] weights)
    {
        var features = new float[6 + weights.Length];
        features[0] = (float)(site.Offset + site.Slope * bmd + 6 * Normal(random));
        features[1] = (float)(site.Offset + site.Slope * bmd + 6 * Normal(random));
        for (var t = 0; t < 4; t++)
            features[2 + t] = (float)(TissueHu[t] + TissueShareOfOffset * site.Offset + 4 * Normal(random));
        var z = (bmd - 110) / 35;
        for (var j = 0; j < weights.Length; j++)
            features[6 + j] = (float)(weights[j] * z + Normal(random));
        return features;
    }

    private static int Pick(Random random, double[] weights)
    {
        var u = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
            if ((u -= weights[i]) < 0) return i;
        return weights.Length - 1;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
