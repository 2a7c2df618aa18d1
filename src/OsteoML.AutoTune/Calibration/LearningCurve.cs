using Microsoft.Data.Analysis;
using OsteoML.Evaluation;

namespace OsteoML.AutoTune.Calibration;

/// <summary>One point of a site's learning curve: metrics on the site's held-out cases after calibrating on k.</summary>
/// <param name="K">Calibration cases; 0 is the uncalibrated global model on all the site's cases.</param>
/// <param name="Draws">Random draws averaged (0 when the site has too few cases for this k).</param>
public sealed record LearningCurvePoint(string Site, int K, int Draws, double MaeMean, double MaeSd, double AucMean, double AucSd);

/// <summary>
/// How a site's MAE and macro-AUC improve with the number of local QCT cases k: for each k, repeated draws of k
/// cases (whole patients) calibrate a profile, and the rest of the site's cases measure it. Draws need at least
/// <see cref="MinimumHeldOut"/> held-out cases, so a k too large for the site is reported with 0 draws.
/// </summary>
public static class LearningCurve
{
    public const int MinimumHeldOut = 10;

    public static IReadOnlyList<int> DefaultKs { get; } = [5, 10, 20, 40];

    /// <param name="sites">Each site's labelled cases, by site key.</param>
    /// <param name="globalSpread">σ of the uncalibrated class probabilities when cases carry none from the class head
    /// (the global model's cross-validated RMSE, mg/cm³).</param>
    public static IReadOnlyList<LearningCurvePoint> Run(IReadOnlyDictionary<string, IReadOnlyList<CalibrationCase>> sites,
        GlobalModelIdentity globalModel, IReadOnlyList<int>? ks = null, int draws = 20, int seed = 1,
        double globalSpread = 10, SiteCalibrationOptions? options = null)
    {
        ks ??= DefaultKs;
        options = (options ?? new SiteCalibrationOptions()) with { BootstrapReplicates = 0 };
        var points = new List<LearningCurvePoint>();
        foreach (var (site, cases) in sites.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var (mae0, auc0) = Measure(cases, c => c.GlobalBmd, c => c.GlobalProbabilities
                ?? ClassProbabilities.FromBmd(c.GlobalBmd, globalSpread, ClassThresholds.Acr));
            points.Add(new LearningCurvePoint(site, 0, 1, mae0, 0, auc0, 0));

            var patients = cases.Select(c => c.PatientId).Distinct().Order(StringComparer.Ordinal).ToArray();
            foreach (var k in ks)
            {
                var random = new Random(unchecked(seed * 1_000_003 + k * 7919 + StableHash(site)));
                var maes = new List<double>();
                var aucs = new List<double>();
                for (var d = 0; d < draws; d++)
                {
                    var order = patients.ToArray();
                    random.Shuffle(order);
                    var chosen = new HashSet<string>(StringComparer.Ordinal);
                    var calibration = new List<CalibrationCase>();
                    foreach (var p in order)
                    {
                        if (calibration.Count >= k) break;
                        chosen.Add(p);
                        calibration.AddRange(cases.Where(c => c.PatientId == p));
                    }
                    var heldOut = cases.Where(c => !chosen.Contains(c.PatientId)).ToArray();
                    if (calibration.Count < k || heldOut.Length < MinimumHeldOut) break;
                    var profile = SiteCalibrator.Calibrate(site, calibration, globalModel, options, DateTimeOffset.UnixEpoch);
                    var applied = heldOut.ToDictionary(c => c, c => profile.Apply(c.GlobalBmd, c.Tissues));
                    var (mae, auc) = Measure(heldOut, c => applied[c].Bmd, c => applied[c].Probabilities!);
                    maes.Add(mae);
                    aucs.Add(auc);
                }
                points.Add(new LearningCurvePoint(site, k, maes.Count, Mean(maes), Sd(maes), Mean(aucs), Sd(aucs)));
            }
        }
        return points;
    }

    public static DataFrame ToDataFrame(IReadOnlyList<LearningCurvePoint> points) => new(
        new StringDataFrameColumn("site", points.Select(p => p.Site)),
        new Int32DataFrameColumn("k", points.Select(p => p.K)),
        new Int32DataFrameColumn("draws", points.Select(p => p.Draws)),
        new DoubleDataFrameColumn("mae_mean", points.Select(p => p.MaeMean)),
        new DoubleDataFrameColumn("mae_sd", points.Select(p => p.MaeSd)),
        new DoubleDataFrameColumn("auc_mean", points.Select(p => p.AucMean)),
        new DoubleDataFrameColumn("auc_sd", points.Select(p => p.AucSd)));

    private static (double Mae, double Auc) Measure(IReadOnlyList<CalibrationCase> cases, Func<CalibrationCase, double> bmd,
        Func<CalibrationCase, IReadOnlyList<double>> probabilities)
    {
        var regression = Metrics.Regression(cases.Select(c => c.QctBmd).ToArray(), cases.Select(bmd).ToArray());
        var classification = Metrics.Classification(
            cases.Select(c => ClassThresholds.Acr.Classify(c.QctBmd)).ToArray(), cases.Select(probabilities).ToArray(),
            classNames: AcrClasses.Names);
        return (regression.Mae ?? double.NaN, classification.MeanAuc ?? double.NaN);
    }

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));
    private static double Mean(List<double> v) => v.Count > 0 ? v.Average() : double.NaN;

    private static double Sd(List<double> v)
    {
        if (v.Count < 2) return 0;
        var m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
    }
}
