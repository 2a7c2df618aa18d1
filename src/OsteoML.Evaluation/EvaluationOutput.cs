using System.Text;
using OsteoML.Evaluation.Plots;
using OsteoML.Evaluation.Reports;

namespace OsteoML.Evaluation;

/// <summary>The files an evaluation writes.</summary>
public sealed record EvaluationFiles(string MetricsJson, string ReportMarkdown, string ReportHtml, IReadOnlyList<string> Plots);

/// <summary>
/// Writes an evaluation to a directory: <c>metrics.json</c>, <c>report.md</c> (figures linked from
/// <c>plots/</c>), a self-contained <c>report.html</c> (figures embedded) and the PNGs in <c>plots/</c>.
/// Figures: for all rows and for each single-dimension subset (each split, each site, …) the ROC curves,
/// predicted vs reference, Bland–Altman and confusion matrix; for each grouping dimension, bars with intervals.
/// </summary>
public static class EvaluationOutput
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static EvaluationFiles Write(EvaluationResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var plotDirectory = Path.Combine(directory, "plots");
        Directory.CreateDirectory(plotDirectory);

        var figures = RenderFigures(result);
        var plotPaths = new List<string>();
        foreach (var figure in figures.SelectMany(g => g.Figures))
        {
            var path = Path.Combine(directory, figure.RelativePath);
            File.WriteAllBytes(path, figure.Png);
            plotPaths.Add(path);
        }

        var blocks = EvaluationReport.Build(result, figures);
        var files = new EvaluationFiles(
            Path.Combine(directory, "metrics.json"),
            Path.Combine(directory, "report.md"),
            Path.Combine(directory, "report.html"),
            plotPaths);
        MetricsJson.Write(result, files.MetricsJson);
        File.WriteAllText(files.ReportMarkdown, MarkdownReportWriter.Write(blocks), Utf8);
        File.WriteAllText(files.ReportHtml, HtmlReportWriter.Write(EvaluationReport.Title, blocks), Utf8);
        return files;
    }

    private static IReadOnlyList<EvaluationReport.FigureGroup> RenderFigures(EvaluationResult result)
    {
        var names = new FileNames();
        var groups = new List<EvaluationReport.FigureGroup>();
        foreach (var subset in result.Subsets.Where(s => s.Key.By.Count <= 1))
        {
            var slug = names.Unique(subset.Key.IsAll ? "all" : $"{subset.Key.By[0].Key}-{subset.Key.By[0].Value}");
            groups.Add(new(subset.Key.Title,
            [
                new Figure($"ROC curves — {subset.Key}", $"plots/roc-{slug}.png", EvaluationPlots.Roc(subset)),
                new Figure($"Predicted vs reference BMD — {subset.Key}", $"plots/scatter-{slug}.png", EvaluationPlots.PredictedVsReference(subset)),
                new Figure($"Bland–Altman — {subset.Key}", $"plots/bland-altman-{slug}.png", EvaluationPlots.BlandAltman(subset)),
                new Figure($"Confusion matrix — {subset.Key}", $"plots/confusion-{slug}.png", EvaluationPlots.Confusion(subset)),
            ]));
        }
        foreach (var dimension in result.Options.By)
        {
            var bySubset = result.Subsets.Where(s => s.Key.By.Count == 1 && s.Key.By[0].Key == dimension).ToArray();
            groups.Add(new($"By {dimension}",
            [
                new Figure($"Mean AUC, accuracy and F1 by {dimension}", $"plots/bars-{dimension}-classification.png", EvaluationPlots.ClassificationBars(dimension, bySubset)),
                new Figure($"MAE and RMSE by {dimension}", $"plots/bars-{dimension}-regression.png", EvaluationPlots.RegressionBars(dimension, bySubset)),
            ]));
        }
        return groups;
    }

    /// <summary>File-name-safe slugs (a–z, 0–9, '-'), made unique when two values slug alike.</summary>
    private sealed class FileNames
    {
        private readonly HashSet<string> used = [];

        public string Unique(string text)
        {
            var slug = new string(text.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-').ToArray()).Trim('-');
            if (slug.Length == 0) slug = "subset";
            var candidate = slug;
            for (var i = 2; !used.Add(candidate); i++)
                candidate = $"{slug}-{i}";
            return candidate;
        }
    }
}
