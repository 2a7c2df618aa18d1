using System.CommandLine;
using OsteoML.Calibration;
using OsteoML.Cli.Summaries;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;
using ScottPlot;
using Spectre.Console;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml calibrate --model MODEL --cohort DIR --cases CASES.csv [--objective …] [--out MODEL2]</c>: one calibration
/// profile per scanner site present among the cases (site key from the DICOM headers), with before/after metrics;
/// <c>--learning-curve</c> instead measures MAE and AUC against k per independent site, as a table and a plot. <c>--json</c>
/// prints a <see cref="CalibrateSummary"/> instead of the tables.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create(CliContext context)
    {
        var model = SharedOptions.Model();
        var cohort = new Option<DirectoryInfo?>("--cohort", "-c") { Description = "Folder the cases' series_dir paths are relative to (required unless --phantom)." };
        var phantom = new Option<DirectoryInfo?>("--phantom") { Description = "Calibration phantom scans (DICOM, any folder tree; one series per scanner and kVp): fit each scanner's HU scale and density line per kVp and store them in the bundle." };
        var reference = new Option<bool>("--reference") { Description = "With --phantom: these are phantom scans of the scanners the model was trained on; other sites' studies are mapped onto their lines." };
        var inserts = new Option<FileInfo?>("--inserts") { Description = "The phantom's insert layout (JSON: name, bodyRadiusMm, inserts with name, densityMgCm3, xMm, yMm, radiusMm); required with --phantom." };
        var cases = new Option<FileInfo?>("--cases") { Description = "QCT-labelled local cases: the cohort manifest's columns (case_id, series_dir, bmd_qct, class, …). Default with --learning-curve: the cohort's independent split." };
        var objective = new Option<string>("--objective")
        {
            Description = "Threshold objective: macro-f1, balanced-accuracy, or sensitivity:0.90 (osteoporosis sensitivity floor).",
            DefaultValueFactory = _ => "macro-f1",
            Validators = { r => { try { ParseObjective(r.GetValueOrDefault<string>()); } catch (ArgumentException ex) { r.AddError($"--objective: {ex.Message}"); } } },
        };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Write a new bundle here (default: add the profiles to MODEL), or the learning curve's folder." };
        var learningCurve = new Option<bool>("--learning-curve") { Description = "Measure MAE and AUC against k (5, 10, 20, 40) per site instead of writing profiles." };
        var ks = new Option<string>("--ks") { Description = "Learning-curve k values.", DefaultValueFactory = _ => "5,10,20,40" };
        var draws = new Option<int>("--draws") { Description = "Learning-curve draws per k.", DefaultValueFactory = _ => 20 };
        var jobs = SharedOptions.Jobs();
        var device = SharedOptions.Device();
        var cache = SharedOptions.Cache();
        var json = SharedOptions.Json("the profiles (or learning curve, or phantom fits) and where they were written");
        var command = new Command("calibrate", "Fit per-site calibration profiles from local QCT-labelled cases.")
        {
            model, cohort, phantom, inserts, reference, cases, objective, output, learningCurve, ks, draws, jobs, device, cache, json,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(phantom) is null && r.GetValue(cohort) is null) r.AddError("--cohort is required (unless --phantom).");
            if (r.GetValue(phantom) is not null && r.GetValue(inserts) is null) r.AddError("--inserts is required with --phantom.");
        });
        command.SetAction(parseResult =>
        {
            var summary = parseResult.GetValue(json) ? context : null;
            var human = summary is null ? context : context.WithoutOutput();
            var bundle = ModelBundle.Load(parseResult.GetValue(model)!.FullName);
            if (parseResult.GetValue(phantom) is { } phantomDirectory)
                return CalibratePhantom(human, summary, bundle, phantomDirectory.FullName, parseResult.GetValue(inserts)!.FullName,
                    parseResult.GetValue(output)?.FullName ?? bundle.Directory, parseResult.GetValue(reference));
            var cohortDirectory = parseResult.GetValue(cohort)!.FullName;
            var curve = parseResult.GetValue(learningCurve);
            var casesPath = parseResult.GetValue(cases)?.FullName
                ?? (curve ? Path.Combine(cohortDirectory, "manifest.csv") : throw new ArgumentException("--cases is required (unless --learning-curve)."));
            var studies = StudySource.FromManifest(casesPath, cohortDirectory, s => parseResult.GetValue(cases) is not null || s.Split == "independent");
            foreach (var failure in studies.Failures) context.Error.WriteLine($"skipped {failure.Location}: {failure.Reason}");
            var cacheDirectory = parseResult.GetValue(cache)?.FullName ?? Path.Combine(cohortDirectory, ".osteoml-cache");
            var (sites, skipped) = LocalCases(human, bundle, studies, cacheDirectory, SharedOptions.DeviceOf(parseResult, device), parseResult.GetValue(jobs));
            var options = new SiteCalibrationOptions { Objective = ParseObjective(parseResult.GetValue(objective)!).Objective, MinimumOsteoporosisSensitivity = ParseObjective(parseResult.GetValue(objective)!).Floor };
            if (curve)
            {
                var directory = parseResult.GetValue(output)?.FullName ?? Path.Combine(bundle.Directory, "learning-curve");
                var kValues = parseResult.GetValue(ks)!.Split(',').Select(k => int.Parse(k.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                var points = WriteLearningCurve(human, bundle, sites, kValues, parseResult.GetValue(draws), options, directory);
                summary?.WriteSummary(new CalibrateSummary(CalibrationRun.LearningCurve, directory, skipped + studies.Failures.Count)
                {
                    LearningCurve = points.Select(LearningCurveSummary.Of).ToList(),
                });
                return skipped > 0 || studies.Failures.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
            }
            var target = parseResult.GetValue(output)?.FullName ?? bundle.Directory;
            var (written, refused) = Calibrate(human, bundle, sites, options, target);
            summary?.WriteSummary(new CalibrateSummary(CalibrationRun.Profiles, target, skipped + studies.Failures.Count) { Sites = written, Refused = refused });
            return refused.Count > 0 || skipped > 0 || studies.Failures.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The global model's predictions on the local cases, grouped by site key; studies without a BMD are reported.</summary>
    internal static (Dictionary<string, IReadOnlyList<(StudyRow Study, CalibrationCase Case)>> Sites, int Skipped) LocalCases(CliContext context,
        ModelBundle bundle, StudyList studies, string? cacheDirectory, Pipelines.Segmentation.DeviceSelection device, int jobs)
    {
        using var screener = new Screener(bundle, cacheDirectory, device, Math.Max(1, Environment.ProcessorCount / jobs));
        var features = ScreenCommand.WithProgress(context, "local cases", studies.Studies.Count, advance => screener.Featurize(studies.Studies, jobs, _ => advance()));
        var sites = new Dictionary<string, List<(StudyRow, CalibrationCase)>>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var f in features)
        {
            var prediction = GlobalPrediction.Of(f, bundle.Manifest.HuLine!, bundle.Definition.IsHuBaseline);
            if (prediction is null || !f.Study.HasLabels)
            {
                skipped++;
                context.Error.WriteLine($"skipped case {f.Study.StudyId}: {f.Error ?? f.LevelReason ?? "no reference BMD"}");
                continue;
            }
            // Fitted on the values a result reports (BMD to 2 decimals, rounded probabilities), so a profile reproduces from results.csv.
            var global = Math.Round(prediction.Bmd, 2);
            var probabilities = ProbabilityRounding.Round(prediction.Probabilities, StudyResult.ProbabilityDecimals);
            if (!sites.TryGetValue(f.Study.SiteKey, out var list)) sites[f.Study.SiteKey] = list = [];
            list.Add((f.Study, new CalibrationCase(f.Study.PatientId, global, f.Study.Bmd, f.TissueHu.Select(t => (double)t).ToArray(), probabilities,
                SourceBmds(f, global, bundle))));
        }
        return (sites.ToDictionary(s => s.Key, s => (IReadOnlyList<(StudyRow, CalibrationCase)>)s.Value, StringComparer.Ordinal), skipped);
    }

    /// <summary>The BMD each per-study source gives this study where it applies (phantomless always tried; phantom when
    /// the bundle holds its site's phantom calibration at its kVp).</summary>
    internal static IReadOnlyDictionary<CalibrationSource, double> SourceBmds(Pipelines.Features.StudyFeatures f, double globalBmd, ModelBundle bundle)
    {
        var result = new Dictionary<CalibrationSource, double>();
        var scan = f.ToScanContext();
        foreach (var source in new[] { CalibrationSource.Phantomless, CalibrationSource.Phantom })
            if (ScanCalibrations.Create(source, bundle.PhantomProfiles).Estimate(scan).Scale is { } scale && double.IsFinite(f.L1L2MeanHu))
                result[source] = ScanCalibrations.CorrectBmd(globalBmd, f.L1L2MeanHu, scale, bundle.Manifest.HuLine!.Slope);
        return result;
    }

    /// <summary>Reads every phantom series under <paramref name="directory"/>, fits each scanner's calibration per kVp,
    /// and stores them (merged with the bundle's) in the bundle's calibration folder.</summary>
    private static int CalibratePhantom(CliContext context, CliContext? summary, ModelBundle bundle, string directory, string insertsPath, string target, bool reference)
    {
        var reading = SitePhantomProfiles.Read(directory, PhantomLayout.Load(insertsPath), bundle.PhantomProfiles, reference, DateTimeOffset.UtcNow);
        foreach (var failure in reading.Failures) context.Error.WriteLine($"skipped series {failure}");
        var table = new Table().AddColumns("site", "kVp", "scale", "HU per mg/cm³", "intercept HU", "RMS residual mg/cm³", "inserts");
        foreach (var (site, kvp, fit, warnings) in reading.Fits)
        {
            table.AddRow(Markup.Escape(site), kvp.ToString(), Markup.Escape(fit.Scale.ToString()), ScreenCommand.F(fit.SlopeHuPerMg, 3), ScreenCommand.F(fit.InterceptHu, 1),
                ScreenCommand.F(fit.RmsResidualMgCm3, 2), Markup.Escape(string.Join(", ", fit.Inserts.Select(i => $"{i.Name} {ScreenCommand.F(i.MeasuredHu, 1)}"))));
            foreach (var warning in warnings) context.Error.WriteLine($"warning: site '{site}': {warning}");
        }
        context.Console.Write(table);
        var calibration = SitePhantomProfiles.Store(bundle, reading.Profiles.Values, target);
        context.Out.WriteLine($"wrote {reading.Profiles.Count} phantom profile(s) to {calibration}");
        var failed = reading.FailedFiles + reading.Failures.Count;
        summary?.WriteSummary(new CalibrateSummary(CalibrationRun.Phantom, target, failed)
        {
            Phantoms = reading.Fits.Select(f => new PhantomFitSummary(f.SiteKey, f.Kvp, f.Fit.Scale.ToString(), f.Fit.SlopeHuPerMg, f.Fit.InterceptHu,
                double.IsFinite(f.Fit.RmsResidualMgCm3) ? f.Fit.RmsResidualMgCm3 : null)).ToList(),
        });
        return failed > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
    }

    /// <summary>Fits and writes a profile per site; the written sites' summaries and, for each refused site, why.</summary>
    private static (List<SiteCalibrationSummary> Written, List<string> Refused) Calibrate(CliContext context, ModelBundle bundle,
        Dictionary<string, IReadOnlyList<(StudyRow Study, CalibrationCase Case)>> sites, SiteCalibrationOptions options, string target)
    {
        var profiles = bundle.Profiles.Profiles.ToDictionary(p => p.SiteKey, StringComparer.Ordinal);
        var written = new List<SiteCalibrationSummary>();
        var refused = new List<string>();
        foreach (var (site, cases) in sites.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            // Screening applies a site's phantom calibration before its profile, so the profile is fitted on top of it.
            var local = cases.Select(c => c.Case.From(CalibrationSource.Phantom) with { Tissues = c.Case.Tissues!.All(double.IsFinite) ? c.Case.Tissues : null }).ToList();
            SiteProfile profile;
            try { profile = SiteCalibrator.Calibrate(site, local, bundle.Identity, options); }
            catch (CalibrationRefusedException ex)
            {
                refused.Add(ex.Message);
                context.Error.WriteLine($"refused: {ex.Message}");
                continue;
            }
            profiles[site] = profile;
            written.Add(Report(context, profile, local));
        }
        if (target != bundle.Directory) ModelBundle.CopyTo(bundle.Directory, target);
        var directory = Path.Combine(target, ModelBundle.CalibrationDirectory);
        if (Directory.Exists(directory))
            foreach (var stale in Directory.GetFiles(directory, "*" + SiteProfileSet.FileSuffix)) File.Delete(stale);
        new SiteProfileSet(profiles.Values).Save(directory);
        ModelBundle.Seal(target, bundle.Manifest);
        context.Out.WriteLine($"wrote {profiles.Count} profile(s) to {directory}{(refused.Count > 0 ? $"; {refused.Count} site(s) refused" : "")}");
        return (written, refused);
    }

    /// <summary>Before/after on the site's own cases with patient-bootstrap CIs, and the profile's leave-one-out MAE.</summary>
    private static SiteCalibrationSummary Report(CliContext context, SiteProfile profile, IReadOnlyList<CalibrationCase> cases)
    {
        var ids = cases.Select(c => c.PatientId).ToArray();
        var truth = cases.Select(c => c.QctBmd).ToArray();
        var classes = truth.Select(ClassThresholds.Acr.Classify).ToArray();
        var bootstrap = new PatientBootstrap(ids, 1000, 1);
        var before = Metrics.Regression(truth, cases.Select(c => c.GlobalBmd).ToArray(), bootstrap);
        var applied = cases.Select(c => profile.Apply(c.GlobalBmd, c.Tissues)).ToArray();
        var after = Metrics.Regression(truth, applied.Select(a => a.Bmd).ToArray(), bootstrap);
        var beforeClass = cases.All(c => c.GlobalProbabilities is not null)
            ? Metrics.Classification(classes, cases.Select(c => c.GlobalProbabilities!).ToArray(), classNames: AcrClasses.Names, bootstrap: bootstrap) : null;
        var afterClass = Metrics.Classification(classes, applied.Select(a => a.Probabilities!).ToArray(), classNames: AcrClasses.Names, bootstrap: bootstrap);
        var table = new Table().Title(Markup.Escape($"{profile.Describe()} (thresholds {profile.Thresholds.OsteoporosisBelow:0.#}/{profile.Thresholds.NormalAbove:0.#})"))
            .AddColumns("", "before (global)", "after (in-sample)");
        string Ci(double? v, ConfidenceInterval? ci, int d) => v is null ? "–" : Markup.Escape($"{ScreenCommand.F(v.Value, d)} [{ScreenCommand.F(ci?.Low ?? double.NaN, d)}, {ScreenCommand.F(ci?.High ?? double.NaN, d)}]");
        table.AddRow("MAE mg/cm³", Ci(before.Mae, before.Ci?.Mae, 2), Ci(after.Mae, after.Ci?.Mae, 2));
        table.AddRow("mean AUC", beforeClass is null ? "–" : Ci(beforeClass.MeanAuc, beforeClass.Ci?.MeanAuc, 3), Ci(afterClass.MeanAuc, afterClass.Ci?.MeanAuc, 3));
        table.AddRow("leave-one-out MAE", ScreenCommand.F(profile.CrossValidation.UncalibratedMae, 2), ScreenCommand.F(profile.CrossValidation.ChosenMae, 2));
        context.Console.Write(table);
        foreach (var warning in profile.Warnings) context.Error.WriteLine($"warning: site '{profile.SiteKey}': {warning}");
        static double? Finite(double value) => double.IsFinite(value) ? value : null;
        return new SiteCalibrationSummary(profile.SiteKey, profile.Correction.Method, profile.Cases, profile.Thresholds.OsteoporosisBelow, profile.Thresholds.NormalAbove,
            before.Mae, after.Mae, beforeClass?.MeanAuc, afterClass.MeanAuc, Finite(profile.CrossValidation.UncalibratedMae), Finite(profile.CrossValidation.ChosenMae),
            profile.Warnings);
    }

    private static IReadOnlyList<LearningCurvePoint> WriteLearningCurve(CliContext context, ModelBundle bundle, Dictionary<string, IReadOnlyList<(StudyRow Study, CalibrationCase Case)>> sites,
        int[] ks, int draws, SiteCalibrationOptions options, string directory)
    {
        var points = LearningCurve.Run(sites.ToDictionary(s => s.Key, s => (IReadOnlyList<CalibrationCase>)s.Value.Select(c => c.Case with
        {
            Tissues = c.Case.Tissues!.All(double.IsFinite) ? c.Case.Tissues : null,
        }).ToList()), bundle.Identity, ks, draws, options: options);
        Directory.CreateDirectory(directory);
        var table = new Table().AddColumns("site", "source", "k", "draws", "MAE mg/cm³", "bias mg/cm³", "mean AUC");
        foreach (var p in points)
            table.AddRow(Markup.Escape(p.Site), Markup.Escape(p.SourceLabel), p.K.ToString(), p.Draws.ToString(), p.Draws == 0 ? "–" : $"{ScreenCommand.F(p.MaeMean, 2)} ± {ScreenCommand.F(p.MaeSd, 2)}",
                p.Draws == 0 ? "–" : ScreenCommand.F(p.BiasMean, 2), p.Draws == 0 ? "–" : $"{ScreenCommand.F(p.AucMean, 3)} ± {ScreenCommand.F(p.AucSd, 3)}");
        context.Console.Write(table);
        var csv = Path.Combine(directory, "learning-curve.csv");
        Microsoft.Data.Analysis.DataFrame.SaveCsv(LearningCurve.ToDataFrame(points), csv);
        var png = Path.Combine(directory, "learning-curve.png");
        PlotLearningCurve(points, png);
        context.Out.WriteLine($"wrote {csv} and {png}");
        return points;
    }

    private static void PlotLearningCurve(IReadOnlyList<LearningCurvePoint> points, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var font = PlotFont();
        var mae = multiplot.GetPlot(0);
        var auc = multiplot.GetPlot(1);
        foreach (var site in points.Where(p => p.Source == CalibrationSource.Global).GroupBy(p => p.Site))
        {
            var valid = site.Where(p => p.Draws > 0).OrderBy(p => p.K).ToArray();
            var label = site.Key.Split('|') is { Length: 5 } parts ? $"{parts[0]} / {parts[3]}" : site.Key;
            var m = mae.Add.Scatter(valid.Select(p => (double)p.K).ToArray(), valid.Select(p => p.MaeMean).ToArray());
            m.LegendText = label;
            var a = auc.Add.Scatter(valid.Select(p => (double)p.K).ToArray(), valid.Select(p => p.AucMean).ToArray());
            a.LegendText = label;
        }
        mae.Title("BMD MAE vs local cases k");
        mae.XLabel("k (0 = uncalibrated)");
        mae.YLabel("MAE mg/cm³");
        auc.Title("mean AUC vs local cases k");
        auc.XLabel("k (0 = uncalibrated)");
        auc.YLabel("mean AUC");
        mae.ShowLegend();
        mae.Font.Set(font);
        auc.Font.Set(font);
        multiplot.SavePng(path, 1000, 800);
    }

    /// <summary>DejaVu Sans registered from its file: the Linux Skia build has no fontconfig and draws no text otherwise.</summary>
    private static string PlotFont()
    {
        const string family = "DejaVu Sans";
        var file = new[] { "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF" }
            .Select(d => Path.Combine(d, "DejaVuSans.ttf")).FirstOrDefault(File.Exists);
        if (file is null) return Fonts.Default;
        Fonts.AddFontFile(family, file, bold: false, italic: false);
        return family;
    }

    private static (ThresholdObjective Objective, double Floor) ParseObjective(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t is "macro-f1" or "f1") return (ThresholdObjective.MacroF1, 0.90);
        if (t is "balanced-accuracy") return (ThresholdObjective.BalancedAccuracy, 0.90);
        if (t.StartsWith("sensitivity:", StringComparison.Ordinal) && double.TryParse(t[12..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var floor) && floor is > 0 and <= 1)
            return (ThresholdObjective.OsteoporosisSensitivity, floor);
        throw new ArgumentException($"unknown objective '{text}': expected macro-f1, balanced-accuracy or sensitivity:0.90.");
    }
}
