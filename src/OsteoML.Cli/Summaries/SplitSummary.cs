namespace OsteoML.Cli.Summaries;

/// <summary>A split scored after training: studies with a BMD, those without (refused or failed), the predictions file, the metrics.</summary>
internal sealed record SplitSummary(string Split, int Studies, int WithoutBmd, string? Predictions, MetricsSummary? Metrics);
