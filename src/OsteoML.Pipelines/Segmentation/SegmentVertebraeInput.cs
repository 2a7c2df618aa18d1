namespace OsteoML.Pipelines.Segmentation;

/// <summary>Columns SegmentVertebrae reads (from the study source).</summary>
public sealed class SegmentVertebraeInput
{
    public string SeriesPath { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
}
