using OsteoML.Synthesis.Cohort;

namespace OsteoML.Validation.Trends;

/// <summary>A rendered case's truth, its measured L1–L2 core HU (null when not measurable) and the Genant grade of each level graded on its true masks.</summary>
public sealed record MeasuredCase(CaseSpec Spec, double? MeanHu, IReadOnlyDictionary<string, int> GenantGrades);
