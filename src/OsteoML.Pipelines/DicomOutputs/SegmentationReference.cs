namespace OsteoML.Pipelines.DicomOutputs;

/// <summary>The SEG a report points into: its instance and, per level, the number of its trabecular ROI segment.</summary>
public sealed record SegmentationReference(string SeriesInstanceUid, string SopInstanceUid, IReadOnlyDictionary<string, int> RoiSegments);
