using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using OsteoML.Calibration;
using OsteoML.Evaluation;
using OsteoML.Evaluation.Reports;
using OsteoML.Pipelines;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Rendering;
using Spectre.Console;
using OsteoML.Validation.Screening;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml demo</c>: the README's main job. Generates the <c>demo</c> cohort (or reuses it), runs the shipped
/// models over it, trains the heads of both pipelines (the full chain and the HU baseline) on the train split,
/// calibrates each independent site (leave-one-out inside the site), evaluates, prints the paper-style table and
/// writes <c>demo-output/</c> with the report, predictions and QA images. Then the calibration story on the cohort's
/// unseen, miscalibrated scanner (<see cref="CohortPreset.DemoMiscalibratedScanner"/>): its phantom scans, rendered with
/// the cohort, are read into the bundle as <c>osteoml calibrate --phantom</c> does, and the global model, each per-study
/// source, k local QCT cases and the HU baseline are compared on that scanner's studies with bootstrap intervals.
/// </summary>
internal static class DemoCommand
{
    public const string Preset = "demo";
    public const ulong Seed = 42;

    /// <summary>Local QCT cases of the calibrated-with-cases row: what a site that has some QCT patients would use.</summary>
    public const int LocalCases = 20;

    /// <summary>Where in the cohort folder the phantom scans are written.</summary>
    public const string PhantomFolder = "phantoms";

    /// <summary>The phantom scan's date: inside the scanner's study years (it does not drift, so any date would do).</summary>
    public static readonly DateOnly PhantomDate = new(2021, 6, 1);

    public static Command Create(CliContext context)
    {
        var cohortOption = new Option<DirectoryInfo>("--cohort") { Description = "Where the demo cohort is generated (reused when present).", DefaultValueFactory = _ => new DirectoryInfo("demo-cohort") };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder.", DefaultValueFactory = _ => new DirectoryInfo("demo-output") };
        var pipelines = new Option<DirectoryInfo?>("--pipelines") { Description = "Folder of the pipeline definitions (default: the repository's pipelines/)." };
        var jobs = SharedOptions.Jobs();
        jobs.DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount / 2);
        var device = SharedOptions.Device();
        var command = new Command("demo", "Run the whole chain on the embedded demo cohort.") { cohortOption, output, pipelines, jobs, device };
        command.SetAction(parseResult =>
        {
            var clock = Stopwatch.StartNew();
            var cohortDirectory = parseResult.GetValue(cohortOption)!.FullName;
            var outputDirectory = parseResult.GetValue(output)!.FullName;
            var pipelineDirectory = parseResult.GetValue(pipelines)?.FullName ?? FindPipelines();
            EnsureCohort(context, cohortDirectory);
            var studies = StudySource.FromManifest(Path.Combine(cohortDirectory, "manifest.csv"), cohortDirectory);
            var options = new TrainingOptions
            {
                CacheDirectory = Path.Combine(cohortDirectory, ".osteoml-cache"),
                Device = SharedOptions.DeviceOf(parseResult, device),
                Jobs = parseResult.GetValue(jobs),
                IntendedUse = BundleIntendedUse.ForCohort(cohortDirectory),
            };
            Directory.CreateDirectory(outputDirectory);
            context.Out.WriteLine($"[{clock.Elapsed:mm\\:ss}] training qct-screening on {studies.Studies.Count(s => s.Split == "train")} train studies (segmentations of all {studies.Studies.Count} studies are kept in {options.CacheDirectory} for reuse)");
            var qct = TrainCommand.Train(context, Path.Combine(pipelineDirectory, "qct-screening.json"), studies, Path.Combine(outputDirectory, "model"), options);
            context.Out.WriteLine($"[{clock.Elapsed:mm\\:ss}] training hu-baseline");
            var baseline = TrainCommand.Train(context, Path.Combine(pipelineDirectory, "hu-baseline.json"), studies, Path.Combine(outputDirectory, "hu-baseline"), options);

            context.Out.WriteLine($"[{clock.Elapsed:mm\\:ss}] evaluating");
            var qctResults = Pair(qct);
            var baselineResults = Pair(baseline);
            var independent = qctResults.Where(p => p.Study.Split == "independent").ToList();
            var calibrated = LeaveOneOutCalibration.Apply(independent.Select(p => (p.Study, p.Result, (IReadOnlyList<double>?)p.Features.TissueHu.Select(t => (double)t).ToArray())).ToList(),
                qct.Bundle.Identity);
            var calibratedPairs = independent.Zip(calibrated, (p, r) => (p.Study, r)).ToList();

            PredictionTable Table(IEnumerable<(StudyRow, StudyResult)> rows, string source) => PredictionRows.Table(rows, source);
            IEnumerable<(StudyRow, StudyResult)> Split(List<(StudyRow Study, StudyResult Result, Pipelines.Features.StudyFeatures Features)> rows, string split) =>
                rows.Where(p => p.Study.Split == split).Select(p => (p.Study, p.Result));
            var rowsOut = new List<PaperRow>
            {
                PaperRow.Of("internal test", Table(Split(qctResults, "test"), "test")),
                PaperRow.Of("independent, global model", Table(Split(qctResults, "independent"), "independent")),
                PaperRow.Of("independent, site-calibrated (leave-one-out)", Table(calibratedPairs, "independent")),
                PaperRow.Of("HU baseline, internal test", Table(Split(baselineResults, "test"), "test")),
                PaperRow.Of("HU baseline, independent", Table(Split(baselineResults, "independent"), "independent")),
                PaperRow.Published(StudyReference.Test),
                PaperRow.Published(StudyReference.Independent),
            };
            // A Spectre table where the terminal is wide enough; the Markdown table (readable anywhere) otherwise.
            context.Out.WriteLine("OsteoML demo: synthetic demo cohort (not patients); the published study's numbers for scale.");
            if (context.Console.Profile.Capabilities.Interactive && context.Console.Profile.Width >= 130)
            {
                var table = new Table().AddColumns(PaperTable.Columns.ToArray());
                foreach (var r in rowsOut) table.AddRow(PaperTable.Cells(r).Select(Markup.Escape).ToArray());
                context.Console.Write(table);
            }
            else context.Out.Write(PaperTable.Markdown(rowsOut));

            // Files: predictions, the evaluation report of the full chain (test + calibrated independent), QA images.
            var reportRows = Split(qctResults, "test").Concat(calibratedPairs).ToList();
            PredictionRows.Write(Path.Combine(outputDirectory, "predictions.csv"), reportRows);
            PredictionRows.Write(Path.Combine(outputDirectory, "predictions-global.csv"), qctResults.Where(p => p.Study.Split != "train").Select(p => (p.Study, p.Result)));
            PredictionRows.Write(Path.Combine(outputDirectory, "predictions-hu-baseline.csv"), baselineResults.Where(p => p.Study.Split != "train").Select(p => (p.Study, p.Result)));
            var evaluation = PredictionEvaluator.Evaluate(Table(reportRows, "predictions.csv"), new EvaluationOptions { By = ["split", "site"], Replicates = 200 });
            var files = EvaluationOutput.Write(evaluation, Path.Combine(outputDirectory, "report"));
            File.WriteAllText(Path.Combine(outputDirectory, "table.md"),
                "# OsteoML demo\n\nSynthetic `demo` cohort (seed 42); the published study's numbers are for scale, not a comparison of like with like.\n\n"
                + PaperTable.Markdown(rowsOut));
            var qa = WriteQaImages(options.CacheDirectory, qctResults, Path.Combine(outputDirectory, "qa"));

            context.Out.WriteLine($"[{clock.Elapsed:mm\\:ss}] reading the phantom scans of {CohortPreset.DemoMiscalibratedScanner} into {qct.Bundle.Directory}");
            var phantoms = ReadPhantoms(qct, cohortDirectory);
            foreach (var fit in phantoms.Fits) context.Out.WriteLine($"  phantom {fit.SiteKey} at {fit.Kvp} kVp: {fit.Fit.Scale}");
            var sources = CompareSources(qct, baseline, phantoms.Profiles);
            var title = $"Calibration sources on the unseen scanner {CohortPreset.DemoMiscalibratedScanner} (miscalibrated: water {CohortPreset.DemoMiscalibration.WaterOffsetHu:+0.#} HU, "
                + $"gain {CohortPreset.DemoMiscalibration.GainError * 100:+0.0#} %); Δ: paired difference from the global model on the same studies; patient-bootstrap 95 % intervals:";
            context.Out.WriteLine(title);
            if (context.Console.Profile.Capabilities.Interactive && context.Console.Profile.Width >= 130)
            {
                var table = new Table().AddColumns(SourceComparisonRow.Columns.ToArray());
                foreach (var r in sources) table.AddRow(SourceComparisonRow.Cells(r).Select(Markup.Escape).ToArray());
                context.Console.Write(table);
            }
            else context.Out.Write(SourceComparisonRow.Markdown(sources));
            File.AppendAllText(Path.Combine(outputDirectory, "table.md"), "\n## " + title + "\n\n" + SourceComparisonRow.Markdown(sources));
            context.Out.WriteLine($"[{clock.Elapsed:mm\\:ss}] wrote {Path.Combine(outputDirectory, "table.md")}, {files.ReportHtml}, {qa} QA image(s) in {Path.Combine(outputDirectory, "qa")}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Reads the cohort's phantom scans (the miscalibrated scanner's, one per kVp) and stores their profiles in
    /// the trained bundle, so screening with it applies them by site key and kVp.</summary>
    internal static PhantomDirectoryReading ReadPhantoms(TrainingResult qct, string cohortDirectory)
    {
        var directory = Path.Combine(cohortDirectory, PhantomFolder);
        var reading = SitePhantomProfiles.Read(directory, PhantomLayout.Load(Path.Combine(directory, PhantomScanWriter.InsertsFile)),
            new Dictionary<string, SitePhantomProfile>(), reference: false, DateTimeOffset.UtcNow);
        if (reading.Failures.Count > 0 || reading.Fits.Count == 0)
            throw new InvalidOperationException($"{directory}: phantom scans not read ({(reading.Failures.Count > 0 ? reading.Failures[0] : "no series")}); remove {cohortDirectory} to regenerate it.");
        SitePhantomProfiles.Store(qct.Bundle, reading.Profiles.Values, qct.Bundle.Directory);
        return reading;
    }

    /// <summary>The miscalibrated scanner's independent studies under each calibration source, its k-case calibration
    /// and the HU baseline: the same studies (those the global model measured) in every row.</summary>
    private static List<SourceComparisonRow> CompareSources(TrainingResult qct, TrainingResult baseline, IReadOnlyDictionary<string, SitePhantomProfile> phantoms)
    {
        bool OnSite(StudyRow s) => s.Split == "independent" && s.Scanner == CohortPreset.DemoMiscalibratedScanner;
        var features = qct.Features.Where(f => OnSite(f.Study)).ToList();
        var global = qct.Results(features);
        var measured = Enumerable.Range(0, features.Count).Where(i => global[i].Bmd is not null && features[i].Study.HasLabels).ToList();
        IEnumerable<(StudyRow, StudyResult)> Rows(IReadOnlyList<StudyResult> results) => measured.Select(i => (features[i].Study, results[i]));
        var uids = measured.Select(i => features[i].Study.StudyInstanceUid).ToHashSet(StringComparer.Ordinal);

        var reference = PredictionRows.Table(Rows(global), "global model, no calibration");
        SourceComparisonRow Row(string label, IEnumerable<(StudyRow, StudyResult)> rows) => SourceComparisonRow.Of(label, PredictionRows.Table(rows, label), reference);
        var rows = new List<SourceComparisonRow> { SourceComparisonRow.Of("global model, no calibration", reference) };
        foreach (var (source, label) in new[] { (CalibrationSource.Phantomless, "phantomless: the scan's own air, fat, muscle, blood"), (CalibrationSource.Phantom, "phantom scan of the scanner, no local cases") })
        {
            var calibration = ScanCalibrations.Create(source, phantoms);
            var applied = measured.Count(i => calibration.Estimate(features[i].ToScanContext()).Applicable);
            rows.Add(Row($"{label} ({applied} of {measured.Count} studies corrected)", Rows(qct.Results(features, calibration))));
        }
        var withCases = LeaveOneOutCalibration.Apply(measured.Select(i => (features[i].Study, global[i], (IReadOnlyList<double>?)features[i].TissueHu.Select(t => (double)t).ToArray())).ToList(),
            qct.Bundle.Identity, localCases: LocalCases);
        rows.Add(Row($"{LocalCases} local QCT cases (each study calibrated on {LocalCases} others)", measured.Select((i, n) => (features[i].Study, withCases[n]))));
        var hu = Pair(baseline).Where(p => uids.Contains(p.Study.StudyInstanceUid)).Select(p => (p.Study, p.Result)).ToList();
        rows.Add(Row($"HU baseline{(hu.Count < measured.Count ? $" ({hu.Count} measured)" : "")}", hu));
        return rows;
    }

    private static List<(StudyRow Study, StudyResult Result, Pipelines.Features.StudyFeatures Features)> Pair(TrainingResult training)
    {
        var results = training.Results(training.Features);
        return training.Features.Zip(results, (f, r) => (f.Study, r, f)).ToList();
    }

    /// <summary>Generates the demo cohort unless a complete one is there already.</summary>
    private static void EnsureCohort(CliContext context, string directory)
    {
        var marker = Path.Combine(directory, "cohort.json");
        if (File.Exists(Path.Combine(directory, "manifest.csv")) && File.Exists(marker))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(marker));
            if (json.RootElement.GetProperty("preset").GetString() == Preset && json.RootElement.GetProperty("seed").GetUInt64() == Seed)
            {
                // An earlier version's demo cohort has other cases and no phantom scans: its table would not be this one's.
                if (json.RootElement.GetProperty("cases").GetInt32() != CohortPreset.Demo.Total || !Directory.Exists(Path.Combine(directory, PhantomFolder)))
                    throw new InvalidOperationException($"{directory} holds a demo cohort of an earlier version; remove it or pass --cohort.");
                context.Out.WriteLine($"reusing the demo cohort in {directory}");
                return;
            }
            throw new InvalidOperationException($"{directory} holds another cohort; remove it or pass --cohort.");
        }
        var cohort = SyntheticCohort.Create(Preset, Seed);
        var result = ScreenCommand.WithProgress(context, "generating the demo cohort", cohort.Cases.Count, advance =>
            CohortWriter.Write(cohort, directory, RenderOptions.Reduced, progress: new Progress<string>(_ => advance())));
        if (result.Failures.Count > 0) throw new InvalidOperationException($"demo cohort: {result.Failures.Count} case(s) failed; first {result.Failures[0].CaseId}: {result.Failures[0].Reason}");
        var phantoms = WritePhantoms(directory);
        context.Out.WriteLine($"generated the demo cohort ({result.Written} cases) and {phantoms.Count} phantom scan(s) of {CohortPreset.DemoMiscalibratedScanner} in {directory}");
    }

    /// <summary>A calibration-phantom scan of the miscalibrated scanner at each of its kVps, rendered with its physics
    /// (what <c>osteoml synth phantoms</c> writes), in the cohort's <see cref="PhantomFolder"/>.</summary>
    internal static IReadOnlyList<PhantomScanFile> WritePhantoms(string cohortDirectory) =>
        PhantomScanWriter.Write(CohortPreset.Demo, Path.Combine(cohortDirectory, PhantomFolder), PhantomDate, Seed, s => s.Id == CohortPreset.DemoMiscalibratedScanner);

    /// <summary>QA images of a few test studies and of every study that got no BMD (up to four each).</summary>
    private static int WriteQaImages(string cacheDirectory, List<(StudyRow Study, StudyResult Result, Pipelines.Features.StudyFeatures Features)> results, string directory)
    {
        Directory.CreateDirectory(directory);
        var chosen = results.Where(p => p.Study.Split == "test" && p.Result.Status == StudyStatus.Ok).Take(4)
            .Concat(results.Where(p => p.Study.Split != "train" && p.Result.Status == StudyStatus.Refused).Take(4)).ToList();
        var store = new SegmentationStore(Path.Combine(cacheDirectory, SegmentationStore.CacheFolder));
        foreach (var (study, result, features) in chosen)
        {
            var volume = Pipelines.Volumes.StudyVolumes.Read(study.SeriesPath, study.SeriesInstanceUid);
            File.WriteAllBytes(Path.Combine(directory, $"{study.StudyId}-{result.Status.Name()}.png"), QaImage.Render(volume, store.Get(features.SegmentationKey), result));
        }
        return chosen.Count;
    }

    /// <summary>The repository's pipelines/ folder, searched upward from the working directory and from the program.</summary>
    private static string FindPipelines()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "pipelines", "qct-screening.json")))
                    return Path.Combine(dir.FullName, "pipelines");
        throw new FileNotFoundException("pipelines/qct-screening.json not found above the working directory; pass --pipelines.");
    }
}
