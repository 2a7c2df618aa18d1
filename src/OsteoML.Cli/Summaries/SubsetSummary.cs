namespace OsteoML.Cli.Summaries;

/// <summary>One subset of <c>evaluate --json</c>: its key as the table prints it ("all rows", "split test × site B"), rows, patients, metrics.</summary>
internal sealed record SubsetSummary(string Subset, int N, int Patients, MetricsSummary Metrics);
