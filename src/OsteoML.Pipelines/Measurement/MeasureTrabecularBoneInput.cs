namespace OsteoML.Pipelines.Measurement;

/// <summary>Columns MeasureTrabecularBone reads.</summary>
public sealed class MeasureTrabecularBoneInput
{
    public string SeriesPath { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
    public string SegmentationKey { get; set; } = "";
}
