namespace OsteoML.Cli.Summaries;

/// <summary>
/// <c>osteoml train --json</c>: the bundle written, its pipeline, the number of training studies, studies skipped
/// (unreadable or failed), each head (none for the HU baseline) and the test split (null when the cohort has none).
/// </summary>
internal sealed record TrainSummary(string Bundle, string Pipeline, int TrainingStudies, int Skipped, IReadOnlyList<HeadSummary> Heads, SplitSummary? Test);
