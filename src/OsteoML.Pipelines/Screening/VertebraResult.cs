using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// One named vertebra of a screened study: where its trabecular mask lies in patient coordinates (LPS, mm: centroid and
/// the patient Z of its superior and inferior faces), its trabecular volume, whether the count saw ribs beside it and
/// whether the scan's edge cuts it — what a reader needs to check the level naming on the images.
/// </summary>
public sealed record VertebraResult(string Level, IReadOnlyList<double> CentroidMm, double SuperiorMm, double InferiorMm, double VolumeCm3,
    bool BearsRibs, bool TouchesScanEdge)
{
    /// <summary>The named bodies of a segmentation that carry positions, head first.</summary>
    public static IReadOnlyList<VertebraResult> From(VertebraSegmentation segmentation) =>
        segmentation.Bodies
            .Where(b => b.Level is not null && b.CentroidMm is { Length: 3 } && b.SuperiorMm is not null && b.InferiorMm is not null)
            .OrderByDescending(b => b.CentroidMm![2])
            .Select(b => new VertebraResult(b.Level!, b.CentroidMm!.Select(v => Math.Round(v, 1)).ToArray(), Math.Round(b.SuperiorMm!.Value, 1),
                Math.Round(b.InferiorMm!.Value, 1), Math.Round(b.VolumeCm3, 2), b.BearsRibs, b.TouchesScanEdge))
            .ToList();
}
