using System.CommandLine;
using OsteoML.Cli.Summaries;
using OsteoML.Evaluation;
using Spectre.Console;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml evaluate --predictions FILE.csv [--by split,site] --out DIR</c>: the study's metrics with
/// patient-level bootstrap intervals for all rows and each subset, written as metrics.json, report.md,
/// report.html and PNG plots; <c>--json</c> prints an <see cref="EvaluateSummary"/> instead of the table.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var predictions = new Option<FileInfo>("--predictions", "-p")
        {
            Description = "Predictions CSV: id, split, site, bmd_true, bmd_pred, class_true, p_normal, p_osteopenia, p_osteoporosis [, class_pred, scanner].",
            Required = true,
        };
        var by = new Option<string>("--by")
        {
            Description = "Group by these columns, comma-separated (split, site, scanner); every combination is evaluated too.",
            DefaultValueFactory = _ => GroupingDimensions.Split,
        };
        by.Validators.Add(result =>
        {
            try { GroupingDimensions.Parse(result.GetValueOrDefault<string>()); }
            catch (ArgumentException ex) { result.AddError($"--by: {ex.Message}"); }
        });
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Directory for metrics.json, report.md, report.html and plots/ (created if missing).",
            Required = true,
        };
        var replicates = new Option<int>("--bootstrap")
        {
            Description = "Bootstrap replicates B (patients resampled); 0 for no intervals.",
            DefaultValueFactory = _ => PatientBootstrap.DefaultReplicates,
        };
        replicates.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
                result.AddError("--bootstrap: the number of replicates cannot be negative");
        });
        var seed = new Option<ulong>("--seed")
        {
            Description = "Seed of the bootstrap resampling.",
            DefaultValueFactory = _ => PatientBootstrap.DefaultSeed,
        };

        var json = SharedOptions.Json("the files written and every subset's headline metrics");
        var command = new Command("evaluate", "Compute the study's metrics with confidence intervals, plots and a report.")
        {
            predictions, by, output, replicates, seed, json,
        };
        command.SetAction(parseResult =>
        {
            var options = new EvaluationOptions
            {
                By = GroupingDimensions.Parse(parseResult.GetValue(by)),
                Replicates = parseResult.GetValue(replicates),
                Seed = parseResult.GetValue(seed),
            };
            var table = PredictionTable.ReadCsv(parseResult.GetValue(predictions)!.FullName);
            var result = PredictionEvaluator.Evaluate(table, options);
            var files = EvaluationOutput.Write(result, parseResult.GetValue(output)!.FullName);
            if (parseResult.GetValue(json))
            {
                context.WriteSummary(new EvaluateSummary(files.MetricsJson, files.ReportMarkdown, files.ReportHtml, files.Plots,
                    result.Subsets.Select(s => new SubsetSummary(s.Key.ToString(), s.N, s.Patients, MetricsSummary.Of(s))).ToList()));
                return ExitCodes.Success;
            }
            WriteSummary(context, result);
            context.Out.WriteLine($"wrote {files.MetricsJson}, {files.ReportMarkdown}, {files.ReportHtml} and {files.Plots.Count} plots");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One line per subset with the headline numbers; intervals and the rest are in the report.</summary>
    private static void WriteSummary(CliContext context, EvaluationResult result)
    {
        var table = new Table().AddColumns("subset", "n", "patients", "mean AUC", "accuracy", "F1", "MAE", "R²");
        foreach (var s in result.Subsets)
        {
            table.AddRow(
                Markup.Escape(s.Key.ToString()),
                s.N.ToString(),
                s.Patients.ToString(),
                MetricText.Value(s.Classification.MeanAuc),
                MetricText.Value(s.Classification.Accuracy),
                MetricText.Value(s.Classification.F1),
                MetricText.Value(s.Regression.Mae, 2),
                MetricText.Value(s.Regression.R2));
        }
        context.Console.Write(table);
    }
}
