namespace OsteoML.Pipelines.Segmentation;

/// <summary>
/// Columns SegmentVertebrae adds: a key to the segmentation in the runtime's store (the label maps stay out of the
/// IDataView), the level count's verdict and the mean trabecular probability inside L1 and L2.
/// </summary>
public sealed class SegmentVertebraeOutput
{
    public string SegmentationKey { get; set; } = "";
    public string LevelStatus { get; set; } = "";
    public float SegmentationConfidence { get; set; }
}
