using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.Calibration;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Tuners;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Tests.AutoTune;

namespace OsteoML.Bench.AutoTune;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- autotune [--budget-bmd S] [--budget-class S] [--features N] [--draws N] [--timing-only] [--json FILE]</c>
/// <para>The issue's speed target — tuning both heads and calibrating 4 sites on the features of 1219 cases,
/// ≤ 3 min on 2 cores — timed stage by stage, then the provisional evidence: the tuner's best CV loss against a
/// fixed default trainer at equal wall time, and each independent site's MAE/AUC without calibration and with
/// k = 10, 20, 40. The data is the site-drift TEST FIXTURE (tests/OsteoML.Tests/AutoTune/SiteDriftFixture.cs),
/// not the synthetic cohort: the paper-preset evidence needs the pipeline's features. <c>--timing-only</c> stops after the
/// timed stages (what <c>bench/run</c> needs).</para>
/// </summary>
public static class TuneAndCalibrateRunner
{
    public static void Run(string[] args)
    {
        var budgetBmd = Option(args, "--budget-bmd", 70);
        var budgetClass = Option(args, "--budget-class", 50);
        var deepFeatures = (int)Option(args, "--features", 122);
        var draws = (int)Option(args, "--draws", 20);
        const int seed = 1;

        // 938 patients with 30 % follow-ups ≈ 1219 cases, split like the study (train / test / 4 independent sites).
        var cases = SiteDriftFixture.Generate(938, deepFeatures, seed);
        var train = cases.Where(c => c.Split == "train").ToArray();
        var test = cases.Where(c => c.Split == "test").ToArray();
        var independent = cases.Where(c => c.Split == "independent").ToArray();
        Console.WriteLine($"# AutoTune benchmark {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"cases {cases.Count}: train {train.Length}, test {test.Length}, independent {independent.Length}; features {6 + deepFeatures}");

        var total = Stopwatch.StartNew();
        var trainTable = SiteDriftFixture.ToTable(train);
        var stage = Stopwatch.StartNew();
        var bmdRun = new TuningExperiment(new TuningOptions
        {
            Metric = TuningMetric.MeanAbsoluteError, Tuner = TunerKind.Cfo, Seed = seed, TimeBudget = TimeSpan.FromSeconds(budgetBmd),
        }).Run(trainTable);
        var bmdSeconds = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var classRun = new TuningExperiment(new TuningOptions
        {
            Metric = TuningMetric.MacroAuc, Tuner = TunerKind.Cfo, Seed = seed, TimeBudget = TimeSpan.FromSeconds(budgetClass),
        }).Run(trainTable);
        var classSeconds = stage.Elapsed.TotalSeconds;

        stage.Restart();
        var ml = new MLContext(seed);
        var bmdModel = bmdRun.FitBest(ml, trainTable);
        var classModel = classRun.FitBest(ml, trainTable);
        var refitSeconds = stage.Elapsed.TotalSeconds;

        stage.Restart();
        var (independentBmd, independentProbabilities) = Predict(ml, bmdModel, classModel, independent);
        var model = new GlobalModelIdentity("bench-fixture", new string('0', 64));
        var bySite = independent.Select((c, i) => (c, i)).GroupBy(x => x.c.Site).OrderBy(g => g.Key).ToArray();
        var profiles = new List<SiteProfile>();
        foreach (var site in bySite)
        {
            var local = site.Take(20).Select(x => new CalibrationCase(x.c.PatientId, independentBmd[x.i], x.c.Bmd, x.c.Tissues)).ToList();
            profiles.Add(SiteCalibrator.Calibrate(site.Key, local, model));
        }
        var calibrateSeconds = stage.Elapsed.TotalSeconds;
        var totalSeconds = total.Elapsed.TotalSeconds;

        Console.WriteLine();
        Console.WriteLine("| stage | seconds | detail |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| tune BMD head (CFO, 5-fold grouped CV) | {bmdSeconds:F1} | {Completed(bmdRun)} trials; best {bmdRun.Best.Family}, CV MAE {bmdRun.Best.Metric:F2} |");
        Console.WriteLine($"| tune class head (CFO, 5-fold grouped CV) | {classSeconds:F1} | {Completed(classRun)} trials; best {classRun.Best.Family}, CV macro-AUC {classRun.Best.Metric:F4} |");
        Console.WriteLine($"| refit both best heads on train | {refitSeconds:F1} | |");
        Console.WriteLine($"| predict + calibrate 4 sites (k = 20, 200 bootstrap replicates) | {calibrateSeconds:F1} | {string.Join("; ", profiles.Select(p => $"{p.SiteKey} {p.Correction.Method}"))} |");
        Console.WriteLine($"| **total** | **{totalSeconds:F1}** | target ≤ 180 |");
        Console.WriteLine($"trials per family: BMD {Families(bmdRun)}; class {Families(classRun)}");
        BenchRun.WriteFragment(args, "autotune", new()
        {
            ["tuneCalibrateSeconds"] = [totalSeconds], ["tuneBmdSeconds"] = [bmdSeconds], ["tuneClassSeconds"] = [classSeconds],
            ["refitSeconds"] = [refitSeconds], ["calibrateSeconds"] = [calibrateSeconds], ["cases"] = [cases.Count],
        }, $"site-drift fixture, {cases.Count} cases, {6 + deepFeatures} features; budgets {budgetBmd:0} s + {budgetClass:0} s; BMD {Completed(bmdRun)} trials, class {Completed(classRun)}");
        if (BenchRun.Flag(args, "--timing-only")) return;

        // Evidence 1: tuned vs a fixed default trainer (FastTree with ML.NET defaults) on the same folds.
        stage.Restart();
        var defaults = new TuningExperiment(new TuningOptions
        {
            Metric = TuningMetric.MeanAbsoluteError, Seed = seed, MaxTrials = 1,
            Families = [TrainerCatalog.Regression[0] with { Space = DefaultFastTreeSpace }],
        }).Run(trainTable);
        var defaultSeconds = stage.Elapsed.TotalSeconds;
        var atEqualTime = BestWithin(bmdRun, defaultSeconds);
        var classDefaults = new TuningExperiment(new TuningOptions
        {
            Metric = TuningMetric.MacroAuc, Seed = seed, MaxTrials = 1,
            Families = [TrainerCatalog.Multiclass[0] with { Space = DefaultLightGbmSpace }],
        }).Run(trainTable);
        var classAtEqualTime = BestWithin(classRun, classDefaults.Best.Seconds);
        Console.WriteLine();
        Console.WriteLine("| head | fixed default trainer (CV) | its wall time | tuner best within that time | tuner best within budget |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| BMD, MAE mg/cm³ | FastTree defaults {defaults.Best.Metric:F2} | {defaultSeconds:F1} s | {Fmt(atEqualTime, "F2")} | {bmdRun.Best.Metric:F2} ({budgetBmd:0} s) |");
        Console.WriteLine($"| class, macro-AUC | LightGbm defaults {classDefaults.Best.Metric:F4} | {classDefaults.Best.Seconds:F1} s | {Fmt(classAtEqualTime, "F4")} | {classRun.Best.Metric:F4} ({budgetClass:0} s) |");

        // Evidence 2: internal test, and each independent site without calibration and with k = 10, 20, 40.
        var (testBmd, testProbabilities) = Predict(ml, bmdModel, classModel, test);
        var testMae = Metrics.Regression(test.Select(c => c.Bmd).ToArray(), testBmd).Mae!.Value;
        var testAuc = Metrics.Classification(test.Select(c => SiteDriftFixture.ClassOf(c.Bmd)).ToArray(), testProbabilities, classNames: AcrClasses.Names).MeanAuc!.Value;
        var sites = bySite.ToDictionary(g => g.Key, g => (IReadOnlyList<CalibrationCase>)g.Select(x =>
            new CalibrationCase(x.c.PatientId, independentBmd[x.i], x.c.Bmd, x.c.Tissues, independentProbabilities[x.i])).ToList());
        var curve = LearningCurve.Run(sites, model, ks: [10, 20, 40], draws: draws, seed: seed);
        Console.WriteLine();
        Console.WriteLine($"internal test (n = {test.Length}): MAE {testMae:F2} mg/cm³, macro-AUC {testAuc:F4}");
        Console.WriteLine($"| site | n | k = 0 MAE / AUC | k = 10 | k = 20 | k = 40 |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var site in curve.GroupBy(p => p.Site))
        {
            string Cell(int k) => site.Single(p => p.K == k) is { Draws: > 0 } p ? $"{p.MaeMean:F2} ± {p.MaeSd:F2} / {p.AucMean:F4}" : "too few cases";
            Console.WriteLine($"| {site.Key} | {sites[site.Key].Count} | {Cell(0)} | {Cell(10)} | {Cell(20)} | {Cell(40)} |");
        }
        // Beside them: the HU baseline (one global least-squares line HU → BMD fitted on train, ACR thresholds) and
        // the physics floor (each site's true HU line inverted: only the HU noise is left).
        var (slope, intercept) = LeastSquares(train.Select(c => c.MeanTrabecularHu).ToArray(), train.Select(c => c.Bmd).ToArray());
        Console.WriteLine($"| site | HU baseline MAE / AUC | physics floor MAE / AUC |");
        Console.WriteLine("|---|---|---|");
        foreach (var site in bySite)
        {
            var local = site.Select(x => x.c).ToArray();
            var truth = SiteDriftFixture.Sites.Single(s => s.Key == site.Key);
            Console.WriteLine($"| {site.Key} | {Baseline(local, hu => intercept + slope * hu)} | {Baseline(local, hu => (hu - truth.Offset) / truth.Slope)} |");
        }
        var k20 = curve.Where(p => p.K == 20 && p.Draws > 0).ToArray();
        Console.WriteLine($"k = 20 mean over sites: MAE {k20.Average(p => p.MaeMean):F2} ({k20.Average(p => p.MaeMean) / testMae:F2}× internal), " +
                          $"macro-AUC {k20.Average(p => p.AucMean):F4} ({k20.Average(p => p.AucMean) - testAuc:+0.0000;-0.0000} vs internal)");
    }

    private static readonly OsteoML.AutoTune.Search.SearchSpace DefaultFastTreeSpace = new(
        OsteoML.AutoTune.Search.SearchParameter.Choice("trees", [100]), OsteoML.AutoTune.Search.SearchParameter.Choice("leaves", [20]),
        OsteoML.AutoTune.Search.SearchParameter.Choice("minLeaf", [10]), OsteoML.AutoTune.Search.SearchParameter.Choice("learningRate", [0.2]),
        OsteoML.AutoTune.Search.SearchParameter.Choice("featureFraction", [1.0]));

    private static readonly OsteoML.AutoTune.Search.SearchSpace DefaultLightGbmSpace = new(
        OsteoML.AutoTune.Search.SearchParameter.Choice("trees", [100]), OsteoML.AutoTune.Search.SearchParameter.Choice("leaves", [20]),
        OsteoML.AutoTune.Search.SearchParameter.Choice("minLeaf", [20]), OsteoML.AutoTune.Search.SearchParameter.Choice("learningRate", [0.1]),
        OsteoML.AutoTune.Search.SearchParameter.Choice("featureFraction", [1.0]), OsteoML.AutoTune.Search.SearchParameter.Choice("l2", [0.01]));

    private static (double[] Bmd, IReadOnlyList<double>[] Probabilities) Predict(MLContext ml, ITransformer bmdModel, ITransformer classModel, IReadOnlyList<SiteDriftFixture.Case> cases)
    {
        var data = SiteDriftFixture.ToTable(cases).ToDataView(ml);
        var bmd = bmdModel.Transform(data).GetColumn<float>("Score").Select(v => (double)v).ToArray();
        var probabilities = classModel.Transform(data).GetColumn<float[]>("Score").Select(s => (IReadOnlyList<double>)s.Select(v => (double)v).ToArray()).ToArray();
        return (bmd, probabilities);
    }

    private static string Baseline(IReadOnlyList<SiteDriftFixture.Case> cases, Func<double, double> bmdOfHu)
    {
        var bmd = cases.Select(c => bmdOfHu(c.MeanTrabecularHu)).ToArray();
        var mae = Metrics.Regression(cases.Select(c => c.Bmd).ToArray(), bmd).Mae!.Value;
        // Fixed ACR thresholds; probabilities as N(BMD, 3²) — nearly the hard calls, which is what the baseline offers.
        var calls = bmd.Select(b => ClassThresholds.Acr.Classify(b)).ToArray();
        var auc = Metrics.Classification(cases.Select(c => SiteDriftFixture.ClassOf(c.Bmd)).ToArray(),
            bmd.Select(b => (IReadOnlyList<double>)ClassProbabilities.FromBmd(b, ClassProbabilities.MinimumSpread, ClassThresholds.Acr)).ToArray(),
            calls, AcrClasses.Names).MeanAuc!.Value;
        return $"{mae:F2} / {auc:F4}";
    }

    private static (double Slope, double Intercept) LeastSquares(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        var slope = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
        return (slope, my - slope * mx);
    }

    private static string Families(TuningResult r) =>
        string.Join(", ", r.Trials.GroupBy(t => t.Family).Select(g => $"{g.Key} {g.Count()}"));

    private static int Completed(TuningResult r) => r.Trials.Count(t => t.Status == TrialStatus.Completed);

    /// <summary>The best metric among the trials finished within <paramref name="seconds"/> of the run's start.</summary>
    private static double? BestWithin(TuningResult r, double seconds)
    {
        var elapsed = 0.0;
        TrialRecord? best = null;
        foreach (var t in r.Trials)
        {
            elapsed += t.Seconds;
            if (elapsed > seconds) break;
            if (t.Status == TrialStatus.Completed && (best is null || t.Loss < best.Loss)) best = t;
        }
        return best?.Metric;
    }

    private static string Fmt(double? v, string format) => v?.ToString(format, CultureInfo.InvariantCulture) ?? "no trial finished";

    private static double Option(string[] args, string name, double fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
