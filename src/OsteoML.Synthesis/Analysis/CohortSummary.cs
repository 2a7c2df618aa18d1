using OsteoML.Domain;
using OsteoML.Imaging;
using OsteoML.Imaging.Filtering;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Analysis;

/// <summary>A least-squares line y = slope·x + intercept with its coefficient of determination.</summary>
public sealed record LineFit(double Slope, double Intercept, double RSquared, int Points)
{
    public static LineFit Of(IReadOnlyList<(double X, double Y)> points)
    {
        var n = points.Count;
        if (n < 2)
            return new LineFit(double.NaN, double.NaN, double.NaN, n);
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxx = 0, sxy = 0, syy = 0;
        foreach (var (x, y) in points)
        {
            sxx += (x - mx) * (x - mx);
            sxy += (x - mx) * (y - my);
            syy += (y - my) * (y - my);
        }
        var slope = sxy / sxx;
        return new LineFit(slope, my - slope * mx, sxy * sxy / (sxx * syy), n);
    }
}

/// <summary>What one rendered case shows: mean HU inside each covered L1/L2 true trabecular mask (whole and core),
/// and the noise SD in a uniform region (the liver, eroded by two voxels so edges and partial volume stay out).</summary>
public sealed record CaseMeasurement(CaseSpec Spec, IReadOnlyList<LevelMeasurement> Levels, double? UniformRegionSd, double ExpectedNoiseSd);

/// <summary>Mean HU over a level's whole true trabecular mask and over its one-voxel-eroded core.</summary>
public sealed record LevelMeasurement(VertebralLevel Level, double Bmd, double MeanHu, double CoreMeanHu, int Voxels);

/// <summary>Per scanner: the HU-vs-BMD line in the true trabecular masks (all series, unenhanced only, and all series
/// in the masks' eroded cores) and the noise — the site-to-site drift a screening product has to correct.</summary>
public sealed record ScannerSummary(string Site, string Scanner, int Cases, LineFit AllSeries, LineFit Unenhanced,
    LineFit Core, double? NoiseSdMeasured, double NoiseSdExpected);

public sealed record ClassShares(CohortSplit Split, int Cases, double Normal, double Osteopenia, double Osteoporosis, int NotCoveringL1L2);

/// <summary>Measures rendered cases and summarises a cohort per scanner and per split.</summary>
public static class CohortSummary
{
    public static CaseMeasurement Measure(SyntheticCase synthetic)
    {
        var levels = new List<LevelMeasurement>();
        foreach (var level in new[] { VertebralLevel.L1, VertebralLevel.L2 })
        {
            if (synthetic.Spec.Coverage.Covers(level) && MaskMeans(synthetic.Hu, synthetic.Labels, SyntheticLabels.Trabecular(level)) is { } m)
                levels.Add(new LevelMeasurement(level, synthetic.Bone.Bmd(level), m.Whole, m.Core, m.Voxels));
        }
        return new CaseMeasurement(synthetic.Spec, levels, UniformRegionSd(synthetic.Hu, synthetic.Labels), synthetic.ExpectedNoiseSd);
    }

    /// <summary>Mean HU over the voxels labelled <paramref name="label"/>, and over its core: those whose six face
    /// neighbours carry the label too (a one-voxel erosion, which keeps the cortex's partial volume out).</summary>
    private static (double Whole, double Core, int Voxels)? MaskMeans(Volume<float> hu, Volume<byte> labels, byte label)
    {
        var size = labels.Size;
        var l = labels.Voxels;
        int plane = size.X * size.Y, n = 0, coreN = 0;
        double sum = 0, coreSum = 0;
        for (var z = 0; z < size.Z; z++)
        {
            for (var y = 0; y < size.Y; y++)
            {
                for (var x = 0; x < size.X; x++)
                {
                    var i = z * plane + y * size.X + x;
                    if (l[i] != label)
                        continue;
                    sum += hu.Voxels[i];
                    n++;
                    if (x > 0 && x < size.X - 1 && y > 0 && y < size.Y - 1 && z > 0 && z < size.Z - 1
                        && l[i - 1] == label && l[i + 1] == label && l[i - size.X] == label && l[i + size.X] == label
                        && l[i - plane] == label && l[i + plane] == label)
                    {
                        coreSum += hu.Voxels[i];
                        coreN++;
                    }
                }
            }
        }
        return n == 0 ? null : (sum / n, coreN > 0 ? coreSum / coreN : double.NaN, n);
    }

    private static double? UniformRegionSd(Volume<float> hu, Volume<byte> labels)
    {
        var liver = BinaryMorphology.Erode(labels.Map(l => l == SyntheticLabels.Liver), 2);
        double sum = 0, sum2 = 0;
        var n = 0;
        for (var i = 0; i < liver.Voxels.Length; i++)
        {
            if (!liver.Voxels[i])
                continue;
            sum += hu.Voxels[i];
            sum2 += (double)hu.Voxels[i] * hu.Voxels[i];
            n++;
        }
        if (n < 200)
            return null;
        var mean = sum / n;
        return Math.Sqrt(Math.Max(0, (sum2 - n * mean * mean) / (n - 1)));
    }

    public static IReadOnlyList<ScannerSummary> ByScanner(IReadOnlyList<CaseMeasurement> measurements) =>
        measurements
            .GroupBy(m => (Site: m.Spec.Hospital.Id, Scanner: m.Spec.Scanner.Id))
            .OrderBy(g => g.Key.Scanner, StringComparer.Ordinal)
            .Select(g =>
            {
                var all = g.SelectMany(m => m.Levels).Select(l => (l.Bmd, l.MeanHu)).ToList();
                var plain = g.Where(m => m.Spec.Acquisition.Phase == ContrastPhase.None).SelectMany(m => m.Levels).Select(l => (l.Bmd, l.MeanHu)).ToList();
                var core = g.SelectMany(m => m.Levels).Where(l => !double.IsNaN(l.CoreMeanHu)).Select(l => (l.Bmd, l.CoreMeanHu)).ToList();
                var noise = g.Where(m => m.UniformRegionSd is not null).Select(m => m.UniformRegionSd!.Value).ToList();
                return new ScannerSummary(g.Key.Site, g.Key.Scanner, g.Count(), LineFit.Of(all), LineFit.Of(plain), LineFit.Of(core),
                    noise.Count > 0 ? noise.Average() : null, g.Average(m => m.ExpectedNoiseSd));
            })
            .ToList();

    public static IReadOnlyList<ClassShares> BySplit(IEnumerable<CaseSpec> cases) =>
        cases.GroupBy(c => c.Split).OrderBy(g => g.Key).Select(g =>
        {
            var n = g.Count();
            double Share(BmdClass k) => (double)g.Count(c => c.Bone.Class == k) / n;
            return new ClassShares(g.Key, n, Share(BmdClass.Normal), Share(BmdClass.Osteopenia), Share(BmdClass.Osteoporosis),
                g.Count(c => !c.Coverage.CoversL1AndL2));
        }).ToList();
}
