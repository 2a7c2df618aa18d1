using Microsoft.Data.Analysis;
using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Calibration;

/// <summary>One point of a site's learning curve: metrics on the site's held-out cases after calibrating on k.</summary>
/// <param name="K">Calibration cases; 0 is the source alone (no local cases) on all the site's cases.</param>
/// <param name="Draws">Random draws averaged (0 when the site has too few cases for this k).</param>
/// <param name="Source">What corrected each study before the local cases: <see cref="CalibrationSource"/>, or null for
/// the source the one-standard-error rule chose per draw (<see cref="LearningCurve.ChosenLabel"/>).</param>
/// <param name="BiasMean">Mean of calibrated − QCT BMD, mg/cm³.</param>
public sealed record LearningCurvePoint(string Site, int K, int Draws, double MaeMean, double MaeSd, double AucMean, double AucSd,
    CalibrationSource? Source = CalibrationSource.Global, double BiasMean = double.NaN)
{
    public string SourceLabel => Source is { } s ? LearningCurve.Label(s) : LearningCurve.ChosenLabel;
}

/// <summary>
/// How a site's MAE and macro-AUC improve with the number of local QCT cases k, for each calibration source: the
/// global model, each study corrected by its own tissues (phantomless) or by its scanner's phantom scan, each alone
/// (k = 0) and with k local cases on top (k &gt; 0); and, per draw, the source the one-standard-error rule picks on
/// the k cases. For each k, repeated draws of k cases (whole patients) calibrate a profile, and the rest of the
/// site's cases measure it. Draws need at least <see cref="MinimumHeldOut"/> held-out cases, so a k too large for
/// the site is reported with 0 draws.
/// </summary>
public static class LearningCurve
{
    public const int MinimumHeldOut = 10;
    public const string ChosenLabel = "1-SE choice";

    public static IReadOnlyList<int> DefaultKs { get; } = [5, 10, 20, 40];

    /// <summary>Simplest first: no correction, then a measurement of the scanner, then a per-scan estimate.</summary>
    public static IReadOnlyList<CalibrationSource> Simplicity { get; } = [CalibrationSource.Global, CalibrationSource.Phantom, CalibrationSource.Phantomless];

    public static string Label(CalibrationSource source) => source switch
    {
        CalibrationSource.Global => "none",
        CalibrationSource.Phantomless => "phantomless",
        _ => "phantom",
    };

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
            // A source is compared where it applied to at least one of the site's studies.
            var sources = Simplicity.Where(s => s == CalibrationSource.Global || cases.Any(c => c.SourceBmd?.ContainsKey(s) == true)).ToArray();
            foreach (var source in sources)
            {
                var from = cases.Select(c => c.From(source)).ToArray();
                var (mae0, auc0, bias0) = Measure(from, c => c.GlobalBmd, c => c.GlobalProbabilities
                    ?? ClassProbabilities.FromBmd(c.GlobalBmd, globalSpread, ClassThresholds.Acr));
                points.Add(new LearningCurvePoint(site, 0, 1, mae0, 0, auc0, 0, source, bias0));
            }

            var patients = cases.Select(c => c.PatientId).Distinct().Order(StringComparer.Ordinal).ToArray();
            foreach (var k in ks)
            {
                var random = new Random(unchecked(seed * 1_000_003 + k * 7919 + StableHash(site)));
                var results = sources.ToDictionary(s => s, _ => new List<(double Mae, double Auc, double Bias)>());
                var chosenResults = new List<(double Mae, double Auc, double Bias)>();
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
                    var bySource = new Dictionary<CalibrationSource, ((double Mae, double Auc, double Bias) Held, double[] LooAbs)>();
                    foreach (var source in sources)
                    {
                        var local = calibration.Select(c => c.From(source)).ToArray();
                        var profile = SiteCalibrator.Calibrate(site, local, globalModel, options, DateTimeOffset.UnixEpoch);
                        var held = heldOut.Select(c => c.From(source)).ToArray();
                        var applied = held.Select(c => profile.Apply(c.GlobalBmd, c.Tissues)).ToArray();
                        var index = held.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
                        var result = Measure(held, c => applied[index[c]].Bmd, c => applied[index[c]].Probabilities!);
                        results[source].Add(result);
                        var method = Enum.Parse<CalibrationMethod>(profile.CrossValidation.Chosen, ignoreCase: true);
                        var loo = BmdCorrectionFit.LeaveOneOut(method, local);
                        bySource[source] = (result, local.Select((c, i) => Math.Abs(c.QctBmd - loo[i])).ToArray());
                    }
                    chosenResults.Add(bySource[ChooseSource(bySource.ToDictionary(s => s.Key, s => s.Value.LooAbs))].Held);
                }
                foreach (var (source, list) in results.Select(r => ((CalibrationSource?)r.Key, r.Value)).Append((null, chosenResults)))
                    points.Add(new LearningCurvePoint(site, k, list.Count, Mean(list.Select(x => x.Mae)), Sd(list.Select(x => x.Mae)),
                        Mean(list.Select(x => x.Auc)), Sd(list.Select(x => x.Auc)), source, Mean(list.Select(x => x.Bias))));
            }
        }
        return points;
    }

    /// <summary>
    /// The simplest source (in <see cref="Simplicity"/> order) whose leave-one-out MAE on the local cases is within one
    /// standard error of the lowest: k cases cannot tell close sources apart, and the simpler one transfers better.
    /// </summary>
    public static CalibrationSource ChooseSource(IReadOnlyDictionary<CalibrationSource, double[]> leaveOneOutAbsoluteErrors)
    {
        var mae = leaveOneOutAbsoluteErrors.ToDictionary(e => e.Key, e => e.Value.Average());
        var best = mae.MinBy(e => e.Value).Key;
        var errors = leaveOneOutAbsoluteErrors[best];
        var m = errors.Average();
        var standardError = errors.Length > 1 ? Math.Sqrt(errors.Sum(e => (e - m) * (e - m)) / (errors.Length - 1)) / Math.Sqrt(errors.Length) : 0;
        return Simplicity.First(s => mae.TryGetValue(s, out var v) && v <= mae[best] + standardError);
    }

    public static DataFrame ToDataFrame(IReadOnlyList<LearningCurvePoint> points) => new(
        new StringDataFrameColumn("site", points.Select(p => p.Site)),
        new StringDataFrameColumn("source", points.Select(p => p.SourceLabel)),
        new Int32DataFrameColumn("k", points.Select(p => p.K)),
        new Int32DataFrameColumn("draws", points.Select(p => p.Draws)),
        new DoubleDataFrameColumn("mae_mean", points.Select(p => p.MaeMean)),
        new DoubleDataFrameColumn("mae_sd", points.Select(p => p.MaeSd)),
        new DoubleDataFrameColumn("bias_mean", points.Select(p => p.BiasMean)),
        new DoubleDataFrameColumn("auc_mean", points.Select(p => p.AucMean)),
        new DoubleDataFrameColumn("auc_sd", points.Select(p => p.AucSd)));

    private static (double Mae, double Auc, double Bias) Measure(IReadOnlyList<CalibrationCase> cases, Func<CalibrationCase, double> bmd,
        Func<CalibrationCase, IReadOnlyList<double>> probabilities)
    {
        var regression = Metrics.Regression(cases.Select(c => c.QctBmd).ToArray(), cases.Select(bmd).ToArray());
        var classification = Metrics.Classification(
            cases.Select(c => ClassThresholds.Acr.Classify(c.QctBmd)).ToArray(), cases.Select(probabilities).ToArray(),
            classNames: AcrClasses.Names);
        return (regression.Mae ?? double.NaN, classification.MeanAuc ?? double.NaN, cases.Average(c => bmd(c) - c.QctBmd));
    }

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));
    private static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    private static double Sd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length < 2) return 0;
        var m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }
}
