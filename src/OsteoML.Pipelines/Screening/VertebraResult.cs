using System.Text.Json.Serialization;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// One named vertebra of a screened study. Where it is: its trabecular mask's centroid in patient coordinates (LPS, mm)
/// and the patient Z of its superior and inferior faces, its trabecular volume, whether the count saw ribs beside it and
/// whether the scan's edge cuts it — what a reader needs to check the level naming on the images. Its shape: heights
/// along its own axis, Genant's grade and the fracture's shape, or why it was not graded (docs/fractures.md).
/// </summary>
public sealed record VertebraResult
{
    public required string Level { get; init; }
    public IReadOnlyList<double>? CentroidMm { get; init; }
    public double? SuperiorMm { get; init; }
    public double? InferiorMm { get; init; }
    public double VolumeCm3 { get; init; }
    public bool BearsRibs { get; init; }
    public bool TouchesScanEdge { get; init; }
    public BodyHeights? HeightsMm { get; init; }
    public int? GenantGrade { get; init; }
    [JsonConverter(typeof(JsonCamelCaseEnum<VertebralFractureShape>))]
    public VertebralFractureShape? FractureShape { get; init; }
    /// <summary>The largest of the wedge, biconcave and crush losses (fraction), whether or not it reaches grade 1.</summary>
    public double? HeightLoss { get; init; }
    [JsonConverter(typeof(JsonCamelCaseEnum<FractureRefusal>))]
    public FractureRefusal? Refusal { get; init; }

    /// <summary>Graded as fractured (grade ≥ 1).</summary>
    [JsonIgnore] public bool Fractured => GenantGrade >= 1;

    /// <summary>The named bodies of a segmentation, head first, each with its fracture assessment (matched by level) when there is one.</summary>
    public static IReadOnlyList<VertebraResult> From(VertebraSegmentation segmentation, IReadOnlyList<VertebraAssessment> assessments) =>
        segmentation.Bodies
            .Where(b => b.Level is not null && b.Code != VertebraSegmentation.Unnamed)
            .OrderBy(b => b.Code)
            .Select(b =>
            {
                var a = assessments.FirstOrDefault(x => x.Level == b.Level);
                return new VertebraResult
                {
                    Level = b.Level!,
                    CentroidMm = b.CentroidMm?.Select(v => Math.Round(v, 1)).ToArray(),
                    SuperiorMm = b.SuperiorMm is { } s ? Math.Round(s, 1) : null,
                    InferiorMm = b.InferiorMm is { } i ? Math.Round(i, 1) : null,
                    VolumeCm3 = Math.Round(b.VolumeCm3, 2),
                    BearsRibs = b.BearsRibs,
                    TouchesScanEdge = b.TouchesScanEdge,
                    HeightsMm = a?.HeightsMm,
                    GenantGrade = a?.GenantGrade,
                    FractureShape = a?.FractureShape,
                    HeightLoss = a?.HeightLoss,
                    Refusal = a?.Refusal,
                };
            })
            .ToList();
}
