namespace OsteoML.Cli.Summaries;

/// <summary><c>osteoml evaluate --json</c>: the files written and every subset's headline metrics (all rows first).</summary>
internal sealed record EvaluateSummary(string MetricsJson, string ReportMarkdown, string ReportHtml, IReadOnlyList<string> Plots, IReadOnlyList<SubsetSummary> Subsets);
