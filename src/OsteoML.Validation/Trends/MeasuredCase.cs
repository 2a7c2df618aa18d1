using OsteoML.Synthesis.Cohort;

namespace OsteoML.Validation.Trends;

/// <summary>A rendered case's truth, its measured L1–L2 core HU (null when not measurable) and the Genant grade of each level graded on
/// its true masks; <see cref="LevelHu"/> the L1 and L2 core HUs (null where a level has no core) and <see cref="Tissues"/> the reference
/// tissues' HUs in <see cref="Measurement.ReferenceTissues.Names"/> order (NaN where not found), as screening measures them.</summary>
public sealed record MeasuredCase(CaseSpec Spec, double? MeanHu, IReadOnlyDictionary<string, int> GenantGrades)
{
    public IReadOnlyList<double?> LevelHu { get; init; } = [];
    public IReadOnlyList<double> Tissues { get; init; } = [];
}
