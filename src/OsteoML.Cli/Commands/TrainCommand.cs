using System.CommandLine;
using System.Globalization;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Tuners;
using OsteoML.Cli.Summaries;
using OsteoML.Evaluation;
using OsteoML.Pipelines.Bundles;
using OsteoML.Export.Onnx;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;
using Spectre.Console;
using OsteoML.Validation.Screening;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml train --pipeline pipelines/qct-screening.json --cohort DIR --out MODEL [--tuner cfo|smac|random|grid --budget 120s] [--exportable] [--json]</c>:
/// trains the pipeline's heads on the cohort's train split, writes the bundle, and reports the test split's metrics
/// (as a <see cref="TrainSummary"/> with <c>--json</c>).
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var pipeline = new Option<FileInfo>("--pipeline", "-p") { Description = "Pipeline definition (pipelines/*.json).", Required = true };
        var cohort = new Option<DirectoryInfo>("--cohort", "-c") { Description = "Cohort folder with manifest.csv (osteoml synth cohort writes one).", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Bundle folder to write.", Required = true };
        var tuner = new Option<string?>("--tuner") { Description = "Tune the heads: cfo, smac, random or grid (default: the definition's fixed trainers)." };
        tuner.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } t) try { Tuner.Parse(t); } catch (ArgumentException ex) { r.AddError($"--tuner: {ex.Message}"); } });
        var budget = new Option<string?>("--budget") { Description = "Tuning time per head, e.g. 120s or 2m." };
        budget.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } b && ParseDuration(b) is null) r.AddError($"--budget: '{b}' is not a duration like 120s or 2m"); });
        var trials = new Option<int?>("--trials") { Description = "Tuning trials per head (with or without --budget)." };
        var seed = new Option<int>("--seed") { Description = "Seed of training and tuning.", DefaultValueFactory = _ => 1 };
        var exportable = new Option<bool?>("--exportable")
        {
            Description = "Let the tuner pick only trainers that 'osteoml export onnx' converts. Default: on when the pipeline definition lists onnx "
                          + "under exports; --exportable false searches every trainer and warns when the chosen one does not convert.",
        };
        var json = SharedOptions.Json("the bundle, its heads and the test split's metrics");
        var jobs = SharedOptions.Jobs();
        var device = SharedOptions.Device();
        var cache = SharedOptions.Cache();
        var command = new Command("train", "Train the BMD and class heads of a screening pipeline.") { pipeline, cohort, output, tuner, budget, trials, seed, exportable, json, jobs, device, cache };
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(tuner) is not null && parseResult.GetValue(budget) is null && parseResult.GetValue(trials) is null)
                throw new ArgumentException("--tuner needs --budget or --trials.");
            var asJson = parseResult.GetValue(json);
            var human = asJson ? context.WithoutOutput() : context;
            var pipelinePath = parseResult.GetValue(pipeline)!.FullName;
            var definition = PipelineDefinition.Load(pipelinePath);
            var tunerKind = parseResult.GetValue(tuner) is { } t ? Tuner.Parse(t) : (TunerKind?)null;
            var onnx = parseResult.GetValue(exportable) ?? definition.Exports.Contains(ExportFormat.Onnx);
            if (onnx && tunerKind is null) RefuseFixedTrainersThatDoNotExport(definition);
            var cohortDirectory = parseResult.GetValue(cohort)!.FullName;
            var studies = StudySource.FromManifest(Path.Combine(cohortDirectory, "manifest.csv"), cohortDirectory, s => s.Split is "train" or "test");
            var result = Train(human, pipelinePath, studies, parseResult.GetValue(output)!.FullName, new TrainingOptions
            {
                CacheDirectory = parseResult.GetValue(cache)?.FullName ?? Path.Combine(cohortDirectory, ".osteoml-cache"),
                Device = SharedOptions.DeviceOf(parseResult, device),
                Jobs = parseResult.GetValue(jobs),
                Tuner = tunerKind,
                Budget = parseResult.GetValue(budget) is { } b ? ParseDuration(b) : null,
                MaxTrials = parseResult.GetValue(trials),
                Seed = parseResult.GetValue(seed),
                IntendedUse = BundleIntendedUse.ForCohort(cohortDirectory),
                TrainerFilter = onnx ? OnnxExporter.Converts : null,
            });
            foreach (var choice in result.Choices.Where(c => !OnnxExporter.Converts(c.Family)))
                context.Error.WriteLine($"warning: the {HeadName(choice.Task)} head's trainer {choice.Family.Name} is not exported to ONNX "
                    + $"({OnnxExporter.NotExported[choice.Family.Name]}); 'osteoml export onnx' will refuse this bundle (train with --exportable to avoid it).");
            var test = Evaluate(human, result, "test");
            human.Out.WriteLine($"wrote {result.Bundle.Directory} ({result.Bundle.Manifest.TrainingCases} training studies){(test?.Predictions is { } p ? $"; test predictions in {p}" : "")}");
            var skipped = studies.Failures.Count + result.Features.Count(f => f.Error is not null);
            if (asJson)
                context.WriteSummary(new TrainSummary(result.Bundle.Directory, definition.Name, result.Bundle.Manifest.TrainingCases, skipped,
                    result.Choices.Select(c => new HeadSummary(c.Task, c.Family.Name, c.Parameters, c.Tuner, OnnxExporter.Converts(c.Family),
                        c.Trial is { } trial ? CrossValidationSummary.Of(c.Metric, trial) : null)).ToList(), test));
            return skipped > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        });
        return command;
    }

    private static string HeadName(HeadTask task) => task == HeadTask.BmdRegression ? "BMD" : "class";

    /// <summary>With ONNX as a target, a definition whose fixed trainer does not convert is a mistake to stop before the features are computed.</summary>
    private static void RefuseFixedTrainersThatDoNotExport(PipelineDefinition definition)
    {
        if (definition.IsHuBaseline) return;
        foreach (var (task, choice) in new[] { (HeadTask.BmdRegression, definition.Heads.Bmd!), (HeadTask.ClassMulticlass, definition.Heads.Class!) })
            if (choice.Build(task).Family is var family && !OnnxExporter.Converts(family))
                throw new ArgumentException($"{definition.Name}: the {HeadName(task)} head's fixed trainer {family.Name} is not exported to ONNX "
                    + $"({OnnxExporter.NotExported[family.Name]}); choose another trainer, or train with --exportable false.");
    }

    /// <summary>Trains with a progress bar, reports failed studies and the heads chosen.</summary>
    internal static TrainingResult Train(CliContext context, string pipelinePath, StudyList studies, string output, TrainingOptions options)
    {
        foreach (var failure in studies.Failures) context.Error.WriteLine($"skipped {failure.Location}: {failure.Reason}");
        var definition = PipelineDefinition.Load(pipelinePath);
        var result = ScreenCommand.WithProgress(context, $"features ({definition.Name})", studies.Studies.Count, advance =>
            ScreeningTrainer.Train(definition, pipelinePath, studies, output, options with
            {
                StudyDone = _ => advance(),
                Log = line => context.Error.WriteLine(line),
                Trials = options.Tuner is null ? null : new Progress<AutoTune.Experiments.TrialRecord>(t => context.Error.WriteLine(
                    $"  trial {t.Trial}: {t.Family} {t.Status.ToString().ToLowerInvariant()} metric {ScreenCommand.F(t.Metric, 4)} ({t.Seconds:F1} s)")),
            }));
        foreach (var failed in result.Features.Where(f => f.Error is not null))
            context.Error.WriteLine($"skipped study {failed.Study.StudyId}: {failed.Error}");
        foreach (var (head, how) in result.Bundle.Manifest.Heads) context.Out.WriteLine($"{head} head: {how}");
        return result;
    }

    /// <summary>
    /// Scores a split, prints its metrics with 95 % CIs, writes its predictions beside the bundle; null when the split is
    /// empty, no predictions file or metrics when no study has a BMD.
    /// </summary>
    internal static SplitSummary? Evaluate(CliContext context, TrainingResult result, string split)
    {
        var rows = result.Features.Where(f => f.Study.Split == split).ToList();
        if (rows.Count == 0) return null;
        var pairs = rows.Zip(result.Results(rows), (f, r) => (f.Study, r)).ToList();
        var table = PredictionRows.Table(pairs, split);
        var refused = pairs.Count(p => p.r.Status != StudyStatus.Ok);
        if (table.Count == 0)
        {
            context.Out.WriteLine($"{split}: no study with a BMD ({refused} refused or failed)");
            return new SplitSummary(split, 0, refused, null, null);
        }
        var evaluation = PredictionEvaluator.Evaluate(table, new EvaluationOptions { By = [], Replicates = 1000 });
        WriteMetrics(context, $"{split} split ({table.Count} studies with a BMD, {refused} without)", evaluation.AllRows);
        var directory = Path.Combine(result.Bundle.Directory, "evaluation");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{split}-predictions.csv");
        PredictionRows.Write(path, pairs);
        return new SplitSummary(split, table.Count, refused, path, MetricsSummary.Of(evaluation.AllRows));
    }

    internal static void WriteMetrics(CliContext context, string title, SubsetEvaluation s)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("metric", "value", "95 % CI");
        void Row(string name, double? value, ConfidenceInterval? ci, int decimals) =>
            table.AddRow(name, value is { } v ? ScreenCommand.F(v, decimals) : "–", ci is { Low: { } lo, High: { } hi } ? $"{ScreenCommand.F(lo, decimals)}–{ScreenCommand.F(hi, decimals)}" : "");
        var c = s.Classification;
        var r = s.Regression;
        Row("mean AUC", c.MeanAuc, c.Ci?.MeanAuc, 3);
        Row("accuracy", c.Accuracy, c.Ci?.Accuracy, 3);
        Row("F1 (macro)", c.F1, c.Ci?.F1, 3);
        Row("MAE mg/cm³", r.Mae, r.Ci?.Mae, 2);
        Row("RMSE mg/cm³", r.Rmse, r.Ci?.Rmse, 2);
        Row("R²", r.R2, r.Ci?.R2, 3);
        context.Console.Write(table);
    }

    internal static TimeSpan? ParseDuration(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var (number, scale) = t.EndsWith("ms") ? (t[..^2], 0.001) : t.EndsWith('s') ? (t[..^1], 1) : t.EndsWith('m') ? (t[..^1], 60) : t.EndsWith('h') ? (t[..^1], 3600) : (t, 1);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? TimeSpan.FromSeconds(value * scale) : null;
    }
}
