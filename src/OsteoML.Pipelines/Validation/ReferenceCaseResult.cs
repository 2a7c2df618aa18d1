using OsteoML.Inference;

namespace OsteoML.Pipelines.Validation;

/// <summary>The validation of one real CT: the level count's verdict, the outcome and the per-level comparison (L1, L2 first).</summary>
public sealed record ReferenceCaseResult(string CaseId, LevelStatus Status, string Reason, RealCtOutcome Outcome, IReadOnlyList<string> OurLevels,
    IReadOnlyList<string> ReferenceLevels, IReadOnlyList<LevelComparison> Levels, double Seconds)
{
    public LevelComparison? Level(string name) => Levels.FirstOrDefault(l => l.Level == name);
}
