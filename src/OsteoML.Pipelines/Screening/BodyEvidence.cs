using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// One vertebral body the segmentation found, as the level count saw it, written when the count named no L1/L2: where it
/// is (patient LPS, mm, from the model grid), its trabecular volume, the rib volume beside it (the count's anchor
/// evidence: a body bears ribs from 500 mm³) and whether the scan's edge cuts it. What a refusal on a real scan is
/// diagnosed from without the images (docs/real-ct.md).
/// </summary>
public sealed record BodyEvidence
{
    /// <summary>The name the count gave it before refusing, or null.</summary>
    public string? TentativeLevel { get; init; }
    public IReadOnlyList<double>? CentroidMm { get; init; }
    public double VolumeCm3 { get; init; }
    public double RibVolumeMm3 { get; init; }
    public bool TouchesScanEdge { get; init; }

    /// <summary>Every body, head first (patient Z descending).</summary>
    public static IReadOnlyList<BodyEvidence> From(VertebraSegmentation segmentation) =>
        segmentation.Bodies
            .OrderByDescending(b => b.CentroidMm is { Length: 3 } c ? c[2] : double.NegativeInfinity)
            .Select(b => new BodyEvidence
            {
                TentativeLevel = b.Level,
                CentroidMm = b.CentroidMm?.Select(v => Math.Round(v, 1)).ToArray(),
                VolumeCm3 = Math.Round(b.VolumeCm3, 2),
                RibVolumeMm3 = Math.Round(b.RibVolumeMm3),
                TouchesScanEdge = b.TouchesScanEdge,
            })
            .ToList();
}
