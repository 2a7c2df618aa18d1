using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using OsteoML.Calibration;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Tuners;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Evaluation.Reports;
using OsteoML.Imaging.Nifti;
using OsteoML.Inference;
using OsteoML.Pipelines;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;
using OsteoML.Synthesis;
using OsteoML.Validation.Screening;

namespace OsteoML.Bench.Pipelines;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- pipelines evidence --cohort DIR --pipeline FILE [--baseline FILE]
/// [--masks network|reference] [--tuner cfo --heads-budget S] [--budget S] [--draws N] --out DIR</c>
/// <para>The closing evidence of issues 6 and 7 on a written cohort (the <c>paper</c> preset): the pipeline trained on
/// the train split with its fixed trainers (or tuned, <c>--tuner</c>); internal-test vs independent metrics; the HU baseline; the tuner's best CV
/// loss against the fixed default trainer at equal wall time (and within the budget); independent-site MAE and AUC
/// without calibration and with k = 10, 20, 40 (learning curve, repeated draws); and the physics floor — every
/// independent case's own true HU line (from the synthesis truth) inverted on the true-mask HU. <c>--masks reference</c> puts the
/// cohort's true label maps in the segmentation store first (everything after segmentation, with perfect masks);
/// <c>network</c> segments with the pipeline's VB-Net.</para>
/// </summary>
public static class PaperEvidenceRunner
{
    public static void Run(string[] args)
    {
        string Arg(string name, string? fallback = null) =>
            args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"{name} is required");
        var cohort = Path.GetFullPath(Arg("--cohort"));
        var pipeline = Path.GetFullPath(Arg("--pipeline"));
        var baseline = Path.GetFullPath(Arg("--baseline", Path.Combine(Path.GetDirectoryName(pipeline)!, "hu-baseline.json")));
        var masks = Arg("--masks", "network");
        var budget = double.Parse(Arg("--budget", "60"), CultureInfo.InvariantCulture);
        var draws = int.Parse(Arg("--draws", "20"), CultureInfo.InvariantCulture);
        var output = Path.GetFullPath(Arg("--out"));
        var jobs = int.Parse(Arg("--jobs", "1"), CultureInfo.InvariantCulture);
        Directory.CreateDirectory(output);
        var cache = Path.Combine(output, "cache");
        var report = new StringBuilder();
        void Say(string line) { Console.WriteLine(line); report.AppendLine(line); }
        Say($"# Pipeline evidence {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores (shared), .NET {Environment.Version}");
        Say($"cohort {cohort}; pipeline {Path.GetFileName(pipeline)}; masks: {masks}");

        var definition = PipelineDefinition.Load(pipeline);
        var studies = StudySource.FromManifest(Path.Combine(cohort, "manifest.csv"), cohort);
        var clock = Stopwatch.StartNew();
        if (masks == "reference")
        {
            var segmentation = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(pipeline)!, definition.Models.Segmentation.Path));
            ReferenceSegmentation.SeedCohort(cohort, cache, segmentation, Environment.ProcessorCount);
            Say($"reference masks stored in {clock.Elapsed.TotalSeconds:F0} s");
        }

        clock.Restart();
        var tuner = args.Contains("--tuner") ? Tuner.Parse(Arg("--tuner")) : (TunerKind?)null;
        var options = new TrainingOptions
        {
            CacheDirectory = cache, Jobs = jobs, Log = Console.WriteLine, Tuner = tuner,
            Budget = tuner is null ? null : TimeSpan.FromSeconds(double.Parse(Arg("--heads-budget", "60"), CultureInfo.InvariantCulture)),
        };
        var qct = ScreeningTrainer.Train(definition, pipeline, studies, Path.Combine(output, "model"), options);
        Say($"features of {studies.Studies.Count} studies + heads in {clock.Elapsed.TotalSeconds:F0} s; heads: {string.Join("; ", qct.Bundle.Manifest.Heads.Select(h => $"{h.Key}: {h.Value}"))}");
        var hu = ScreeningTrainer.Train(PipelineDefinition.Load(baseline), baseline, studies, Path.Combine(output, "hu-baseline"), options);

        var qctResults = qct.Features.Zip(qct.Results(qct.Features), (f, r) => (f.Study, r, f)).ToList();
        var huResults = hu.Features.Zip(hu.Results(hu.Features), (f, r) => (f.Study, r)).ToList();
        var perSite = (string split) => qctResults.Where(p => p.Study.Split == split).Select(p => (p.Study, p.r));
        var rows = new List<PaperRow>
        {
            PaperRow.Of("internal test", PredictionRows.Table(perSite("test"), "test")),
            PaperRow.Of("independent, global", PredictionRows.Table(perSite("independent"), "independent")),
            PaperRow.Of("HU baseline, test", PredictionRows.Table(huResults.Where(p => p.Study.Split == "test"), "test")),
            PaperRow.Of("HU baseline, independent", PredictionRows.Table(huResults.Where(p => p.Study.Split == "independent"), "independent")),
            PaperRow.Published(StudyReference.Test), PaperRow.Published(StudyReference.Independent),
        };
        var independent = qctResults.Where(p => p.Study.Split == "independent").ToList();
        var loo = LeaveOneOutCalibration.Apply(independent.Select(p => (p.Study, p.r, (IReadOnlyList<double>?)p.f.TissueHu.Select(t => (double)t).ToArray())).ToList(), qct.Bundle.Identity);
        rows.Insert(2, PaperRow.Of("independent, site-calibrated (leave-one-out)", PredictionRows.Table(independent.Zip(loo, (p, r) => (p.Study, r)), "independent")));
        Say("\n## Test vs independent, with the HU baseline\n");
        Say(PaperTable.Markdown(rows));
        Say($"refused (no L1/L2): {qctResults.Count(p => p.r.Status == StudyStatus.Refused)}, failed: {qctResults.Count(p => p.r.Status == StudyStatus.Failed)}");
        PredictionRows.Write(Path.Combine(output, "predictions.csv"), qctResults.Select(p => (p.Study, p.r)));

        TunerEvidence(qct, budget, Say);
        LearningCurveEvidence(qct, independent, rows[0], cohort, draws, Say);
        File.WriteAllText(Path.Combine(output, "evidence.md"), report.ToString());
    }

    /// <summary>The tuner's best CV loss against the definition's fixed trainer, at the fixed trainer's wall time and within the budget.</summary>
    private static void TunerEvidence(TrainingResult qct, double budget, Action<string> say)
    {
        var ml = new MLContext(1);
        var train = qct.Features.Where(f => f.Study.Split == "train" && f.Error is null && f.Measurable).ToList();
        var length = train[0].Features.Length;
        var preparation = ScreeningHeads.FitPreparation(ml, ScreeningHeads.FeatureView(ml, train, length));
        var table = FeatureTable.FromDataView(preparation.Transform(ScreeningHeads.FeatureView(ml, train, length)));
        var definition = qct.Bundle.Definition;
        say("\n## Tuner vs the fixed default trainer (5 patient-grouped folds of the training studies)\n");
        say("| head | fixed default (CV) | its wall time | tuner best at equal wall time | tuner best within the budget |");
        say("|---|---|---|---|---|");
        var clock = Stopwatch.StartNew();
        foreach (var (metric, choice) in new[] { (TuningMetric.MeanAbsoluteError, definition.Heads.Bmd!), (TuningMetric.MacroAuc, definition.Heads.Class!) })
        {
            var task = metric.TaskOf();
            var resolved = choice.Build(task);
            var start = resolved.Family.Space.Decode(resolved.Family.Space.StartPoint()).ToString();
            if (start != resolved.Parameters.ToString()) say($"(note: the fixed {resolved.Family.Name} is not its family's start point: {resolved.Parameters} vs {start})");
            var fixedRun = new TuningExperiment(new TuningOptions { Metric = metric, Families = [resolved.Family], MaxTrials = 1, Seed = 1 }).Run(table);
            var seconds = fixedRun.Best.Seconds;
            TuningResult? equal = null;
            try { equal = new TuningExperiment(new TuningOptions { Metric = metric, TimeBudget = TimeSpan.FromSeconds(Math.Max(seconds, 1)), Seed = 1 }).Run(table); }
            catch (InvalidOperationException) { } // no trial finished in that time
            var full = new TuningExperiment(new TuningOptions { Metric = metric, TimeBudget = TimeSpan.FromSeconds(budget), Seed = 1 }).Run(table);
            string Show(TuningResult? r) => r is null ? "no trial finished" : $"{r.Best.Metric:F4} ({r.BestFamily.Name}, {r.Trials.Count} trials)";
            say($"| {(task == HeadTask.BmdRegression ? "BMD, MAE mg/cm³" : "class, macro-AUC")} | {fixedRun.BestFamily.Name}: {fixedRun.Best.Metric:F4} | {seconds:F1} s | {Show(equal)} | {Show(full)} |");
        }
        say($"tuning wall time (both heads, fixed + equal-time + {budget:0} s budget runs): {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>MAE and AUC per independent site against k, the physics floor, and the k = 20 goal against the internal test.</summary>
    private static void LearningCurveEvidence(TrainingResult qct, List<(StudyRow Study, StudyResult r, StudyFeatures f)> independent, PaperRow test,
        string cohort, int draws, Action<string> say)
    {
        var clock = Stopwatch.StartNew();
        var sites = independent.Where(p => p.r.GlobalBmd is not null)
            .GroupBy(p => p.Study.SiteKey)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<CalibrationCase>)g.Select(p => new CalibrationCase(p.Study.PatientId, p.r.GlobalBmd!.Value, p.Study.Bmd,
                p.f.TissueHu.All(float.IsFinite) ? p.f.TissueHu.Select(t => (double)t).ToArray() : null, p.r.Probabilities)).ToList());
        var points = LearningCurve.Run(sites, qct.Bundle.Identity, [10, 20, 40], draws);
        var calibrationSeconds = clock.Elapsed.TotalSeconds;
        var floor = PhysicsFloor(independent, cohort);
        say("\n## Independent sites: MAE mg/cm³ / macro-AUC without calibration and with k local cases (mean over draws), physics floor\n");
        say("| site | n | k = 0 | k = 10 | k = 20 | k = 40 | physics floor |");
        say("|---|---|---|---|---|---|---|");
        foreach (var site in points.GroupBy(p => p.Site))
        {
            string Cell(int k) => site.FirstOrDefault(p => p.K == k) is { Draws: > 0 } p ? $"{p.MaeMean:F2} / {p.AucMean:F3}" : "–";
            say($"| {site.Key} | {sites[site.Key].Count} | {Cell(0)} | {Cell(10)} | {Cell(20)} | {Cell(40)} | {(floor.TryGetValue(site.Key, out var f) ? $"{f.Mae:F2} / {f.Auc:F3}" : "–")} |");
        }
        var k20 = points.Where(p => p.K == 20 && p.Draws > 0).ToList();
        if (k20.Count > 0)
        {
            var mae = k20.Average(p => p.MaeMean);
            var auc = k20.Average(p => p.AucMean);
            say($"\nk = 20, mean over sites: MAE {mae:F2} = {mae / test.Mae:F2}× internal test ({test.Mae:F2}; goal ≤ 1.15×), macro-AUC {auc:F3} vs {test.Auc:F3} (goal within 0.01).");
        }
        say($"learning curve ({points.Count} points, {draws} draws each): {calibrationSeconds:F0} s");
    }

    /// <summary>
    /// Per independent scanner: every case's own true HU line inverted — HU = HU(0) + slope·BMD + contrast, from the
    /// synthesis truth of that series (scanner, kVp, calibration drift, marrow fat, contrast phase) — applied to the
    /// median HU inside the true L1 and L2 masks (averaged) and scored against QCT. Only noise, texture, partial volume and the QCT
    /// error remain; the probabilities use the site's RMS residual as σ.
    /// </summary>
    private static Dictionary<string, (double Mae, double Auc)> PhysicsFloor(List<(StudyRow Study, StudyResult r, StudyFeatures f)> independent, string cohort)
    {
        var manifest = DataFrame.LoadCsv(Path.Combine(cohort, "manifest.csv"));
        double Number(string column, int row) => Convert.ToDouble(manifest[column][row], CultureInfo.InvariantCulture);
        var line = Enumerable.Range(0, (int)manifest.Rows.Count).ToDictionary(i => manifest["series_uid"][i]!.ToString()!,
            i => (Zero: Number("hu_at_zero_bmd", i) + Number("contrast_bone_hu", i), Slope: Number("hu_per_mg", i)));
        var result = new Dictionary<string, (double, double)>();
        foreach (var site in independent.Where(p => float.IsFinite(p.f.L1L2MeanHu)).GroupBy(p => p.Study.SiteKey))
        {
            var cases = site.ToList();
            // The median of each level's HU: the true masks' rim shares voxels with the cortex at 2 mm, which pulls the mean up.
            var predicted = cases.Select(p => ((p.f.LevelMeasures[1] + p.f.LevelMeasures[9]) / 2 - line[p.Study.SeriesInstanceUid].Zero) / line[p.Study.SeriesInstanceUid].Slope).ToArray();
            var truth = cases.Select(p => (double)p.Study.Bmd).ToArray();
            var sigma = Math.Max(Math.Sqrt(predicted.Zip(truth, (a, b) => (a - b) * (a - b)).Average()), ClassProbabilities.MinimumSpread);
            var mae = Metrics.Regression(truth, predicted).Mae ?? double.NaN;
            var auc = Metrics.Classification(truth.Select(ClassThresholds.Acr.Classify).ToArray(),
                predicted.Select(b => (IReadOnlyList<double>)ClassProbabilities.FromBmd(b, sigma, ClassThresholds.Acr)).ToArray(), classNames: AcrClasses.Names).MeanAuc ?? double.NaN;
            result[site.Key] = (mae, auc);
        }
        return result;
    }
}
