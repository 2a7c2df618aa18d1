namespace OsteoML.Pipelines.Features;

/// <summary>Columns the crop stage reads.</summary>
public sealed class DenseNetCropInput
{
    public string SeriesPath { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
    public string SegmentationKey { get; set; } = "";
}
