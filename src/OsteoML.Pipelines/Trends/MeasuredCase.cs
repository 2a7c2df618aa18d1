using OsteoML.Synthesis.Cohort;

namespace OsteoML.Pipelines.Trends;

/// <summary>A rendered case's truth and its measured L1–L2 core HU (null when not measurable).</summary>
public sealed record MeasuredCase(CaseSpec Spec, double? MeanHu);
