using System.Globalization;
using OsteoML.Domain;

namespace OsteoML.Evaluation.Reports;

/// <summary>The content of report.md / report.html: tables of every subset, the study side by side, figures.</summary>
internal static class EvaluationReport
{
    public const string Title = "OsteoML evaluation";

    /// <summary>A titled group of figures (one subset's, or one grouping dimension's bars).</summary>
    public sealed record FigureGroup(string Title, IReadOnlyList<Figure> Figures);

    public static IReadOnlyList<ReportBlock> Build(EvaluationResult result, IReadOnlyList<FigureGroup> figures)
    {
        var all = result.AllRows;
        var options = result.Options;
        var blocks = new List<ReportBlock>
        {
            new Heading(1, Title),
            new Paragraph($"Predictions: {result.Source} — {all.N} rows, {all.Patients} patients; " +
                $"{result.Subsets.Count} subsets (all rows{(options.By.Count > 0 ? ", by " + string.Join(", by ", options.By) + (options.By.Count > 1 ? " and their combinations" : "") : "")}). " +
                (result.PredictedClassGiven ? "Predicted class: as given (class_pred)." : "Predicted class: the most probable class (argmax of the probabilities).")),
            new Paragraph(options.Replicates > 0
                ? $"Intervals in brackets: {options.Level:P0} patient-level bootstrap percentile intervals, B = {options.Replicates}, seed {options.Seed} (patients resampled within each subset)."
                : "No bootstrap (B = 0): no intervals."),
        };
        blocks.AddRange(StudyComparison(result));

        blocks.Add(new Heading(2, "Classification"));
        blocks.Add(new Paragraph("Precision, recall (sensitivity), specificity and F1 are macro averages: the unweighted mean of the one-vs-rest values of the classes where each is defined. Mean AUC is the mean of the defined one-vs-rest AUCs."));
        blocks.Add(new Table(
            ["subset", "n", "patients", "mean AUC", "accuracy", "precision", "recall", "specificity", "F1"],
            result.Subsets.Select(s => Cells(s.Key.ToString(), Count(s.N), Count(s.Patients),
                WithCi(s.Classification.MeanAuc, s.Classification.Ci?.MeanAuc),
                WithCi(s.Classification.Accuracy, s.Classification.Ci?.Accuracy),
                WithCi(s.Classification.Precision, s.Classification.Ci?.Precision),
                WithCi(s.Classification.Recall, s.Classification.Ci?.Recall),
                WithCi(s.Classification.Specificity, s.Classification.Ci?.Specificity),
                WithCi(s.Classification.F1, s.Classification.Ci?.F1))).ToArray()));
        blocks.Add(new Heading(3, "AUC per class (one vs rest)"));
        blocks.Add(new Table(
            ["subset", .. AcrClasses.Names.Select(c => $"{c} (cases)")],
            result.Subsets.Select(s => Cells([s.Key.ToString(), .. s.Classification.PerClass.Select((c, k) =>
                $"{WithCi(c.Auc, s.Classification.Ci?.Auc[k])} ({c.Support})")])).ToArray()));
        blocks.Add(new Heading(3, "Confusion matrices (rows: true class, columns: predicted class)"));
        foreach (var s in result.Subsets.Where(s => s.Key.By.Count <= 1))
        {
            blocks.Add(new Paragraph(s.Key.Title));
            var m = s.Classification.Confusion;
            blocks.Add(new Table(["true \\ predicted", .. m.Classes],
                m.Classes.Select((c, t) => Cells([c, .. m.Counts[t].Select(Count)])).ToArray()));
        }

        blocks.Add(new Heading(2, "BMD (regression)"));
        blocks.Add(new Paragraph("Errors in mg/cm³. R² = 1 − SS_res/SS_tot about the reference mean. Pearson's p: two-sided, t with n − 2 degrees of freedom. Bland–Altman: differences predicted − reference; limits of agreement = bias ± 1.96 SD."));
        blocks.Add(new Table(
            ["subset", "n", "MAE", "RMSE", "R²", "Pearson r", "p", "bias", "limits of agreement"],
            result.Subsets.Select(s => Cells(s.Key.ToString(), Count(s.N),
                WithCi(s.Regression.Mae, s.Regression.Ci?.Mae, 2),
                WithCi(s.Regression.Rmse, s.Regression.Ci?.Rmse, 2),
                WithCi(s.Regression.R2, s.Regression.Ci?.R2),
                WithCi(s.Regression.PearsonR, s.Regression.Ci?.PearsonR),
                MetricText.PValue(s.Regression.PearsonP),
                WithCi(s.Regression.Bias, s.Regression.Ci?.Bias, 2),
                $"{MetricText.Value(s.Regression.LowerLimitOfAgreement, 2)} to {MetricText.Value(s.Regression.UpperLimitOfAgreement, 2)}")).ToArray()));

        var notes = Notes(result);
        if (notes.Count > 0)
        {
            blocks.Add(new Heading(2, "Undefined values and partial intervals"));
            blocks.Add(new BulletList(notes));
        }

        blocks.Add(new Heading(2, "Figures"));
        foreach (var group in figures)
        {
            blocks.Add(new Heading(3, group.Title));
            blocks.AddRange(group.Figures);
        }
        return blocks;
    }

    /// <summary>The study's published numbers beside ours for the splits named like its test sets.</summary>
    private static IEnumerable<ReportBlock> StudyComparison(EvaluationResult result)
    {
        var matched = StudyReference.Sets
            .Select(set => (Set: set, Ours: result.Subsets.FirstOrDefault(s =>
                s.Key.By.Count == 1 && s.Key.By[0].Key == GroupingDimensions.Split && StudyReference.ForSplit(s.Key.By[0].Value) == set)))
            .ToArray();
        var header = new List<string> { "metric" };
        foreach (var (set, ours) in matched)
        {
            header.Add($"study {set.Set} (n = {set.N})");
            if (ours is not null) header.Add($"ours, {ours.Key} (n = {ours.N})");
        }
        var fallback = matched.All(m => m.Ours is null);
        if (fallback) header.Add($"ours, all rows (n = {result.AllRows.N})");

        var rows = ComparedMetrics.Select(metric =>
        {
            var cells = new List<string> { metric.Name };
            foreach (var (set, ours) in matched)
            {
                cells.Add(metric.Published(set).ToString("F3", CultureInfo.InvariantCulture));
                if (ours is not null) cells.Add(WithCi(metric.Ours(ours), metric.Ci(ours), metric.Decimals));
            }
            if (fallback) cells.Add(WithCi(metric.Ours(result.AllRows), metric.Ci(result.AllRows), metric.Decimals));
            return (IReadOnlyList<string>)cells;
        }).ToArray();

        yield return new Heading(2, "Compared with the study");
        yield return new Paragraph(fallback
            ? "No split is named like the study's test sets (\"test\", \"independent\"), so the study's numbers stand beside all rows."
            : "The study's published results (1219 CTs, 3 hospitals, 4 scanners) beside ours on the splits of the same name.");
        yield return new Table(header, rows);
    }

    private sealed record ComparedMetric(string Name, Func<PublishedMetrics, double> Published,
        Func<SubsetEvaluation, double?> Ours, Func<SubsetEvaluation, ConfidenceInterval?> Ci, int Decimals = 3);

    private static readonly ComparedMetric[] ComparedMetrics =
    [
        new("mean AUC", p => p.Auc, s => s.Classification.MeanAuc, s => s.Classification.Ci?.MeanAuc),
        new("accuracy", p => p.Accuracy, s => s.Classification.Accuracy, s => s.Classification.Ci?.Accuracy),
        new("precision (macro)", p => p.Precision, s => s.Classification.Precision, s => s.Classification.Ci?.Precision),
        new("recall (macro)", p => p.Recall, s => s.Classification.Recall, s => s.Classification.Ci?.Recall),
        new("specificity (macro)", p => p.Specificity, s => s.Classification.Specificity, s => s.Classification.Ci?.Specificity),
        new("F1 (macro)", p => p.F1, s => s.Classification.F1, s => s.Classification.Ci?.F1),
        new("MAE (mg/cm³)", p => p.Mae, s => s.Regression.Mae, s => s.Regression.Ci?.Mae, 2),
        new("RMSE (mg/cm³)", p => p.Rmse, s => s.Regression.Rmse, s => s.Regression.Ci?.Rmse, 2),
        new("R²", p => p.R2, s => s.Regression.R2, s => s.Regression.Ci?.R2),
        new("Pearson r", p => p.PearsonR, s => s.Regression.PearsonR, s => s.Regression.Ci?.PearsonR),
    ];

    /// <summary>Every undefined value and every interval built from fewer than B replicates, said plainly.</summary>
    private static List<string> Notes(EvaluationResult result)
    {
        var notes = new List<string>();
        foreach (var s in result.Subsets)
        {
            var c = s.Classification;
            for (var k = 0; k < c.PerClass.Count; k++)
            {
                var cls = c.PerClass[k];
                if (cls.Auc is null)
                    notes.Add($"{s.Key}: AUC of {cls.Name} undefined ({(cls.Support == 0 ? "no " + cls.Name + " case" : "no other class")}); left out of the mean AUC.");
                else if (c.Ci?.Auc[k] is { } ci && ci.Replicates < result.Options.Replicates)
                    notes.Add($"{s.Key}: interval of the {cls.Name} AUC from the {ci.Replicates} of {result.Options.Replicates} resamples that contain both {cls.Name} and other cases.");
                if (cls.Recall is null && cls.Auc is not null)
                    notes.Add($"{s.Key}: recall of {cls.Name} undefined (no {cls.Name} case).");
                if (cls.Precision is null)
                    notes.Add($"{s.Key}: precision of {cls.Name} undefined (never predicted); left out of the macro precision.");
            }
            var r = s.Regression;
            if (r.R2 is null) notes.Add($"{s.Key}: R² undefined (constant reference BMD or no rows).");
            if (r.PearsonR is null) notes.Add($"{s.Key}: Pearson r undefined (fewer than 2 rows or a constant side).");
            else if (r.PearsonP is null) notes.Add($"{s.Key}: p of Pearson r undefined (fewer than 3 rows).");
            if (r.LowerLimitOfAgreement is null) notes.Add($"{s.Key}: limits of agreement undefined (fewer than 2 rows).");
        }
        return notes;
    }

    private static string WithCi(double? value, ConfidenceInterval? ci, int decimals = 3) => MetricText.WithCi(value, ci, decimals);

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> Cells(params string[] cells) => cells;
}
