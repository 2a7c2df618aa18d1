using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Fractures;

/// <summary>
/// Every vertebra the segmentation found and named: its heights (<see cref="VertebralHeights"/> on the native
/// trabecular mask plus the endplates), the refusals (cut by the scan's edge, slices over 3 mm, levels or mask in
/// doubt) and Genant's grade (<see cref="GenantGrader"/>). Pure.
/// </summary>
public static class VertebralFractures
{
    public static IReadOnlyList<VertebraAssessment> Assess(VertebraSegmentation segmentation, VolumeGeometry geometry, double sliceThicknessMm,
        GenantOptions? options = null, VertebralHeightOptions? heightOptions = null)
    {
        options ??= new GenantOptions();
        var map = NativeLevelMap.From(segmentation, geometry);
        var named = segmentation.Bodies.Where(b => b.Level is not null && b.Code != VertebraSegmentation.Unnamed).OrderBy(b => b.Code).ToList();
        var levels = named.Select(body =>
        {
            var measurement = VertebralHeights.Measure(map, (byte)body.Code, MaskExtent.TrabecularCore, heightOptions);
            FractureRefusal? refusal =
                body.TouchesScanEdge || measurement?.TouchesScanEdge == true ? FractureRefusal.CutByScanEdge
                : sliceThicknessMm > options.MaxSliceThicknessMm + 1e-6 ? FractureRefusal.SliceThicknessOver3Mm
                : segmentation.Status is LevelStatus.Uncertain ? FractureRefusal.UncertainLevels
                : measurement is null || body.MeanTrabecularProbability < options.MinimumBodyProbability || body.VolumeCm3 < options.MinimumBodyCm3
                    ? FractureRefusal.SegmentationDoubt
                : null;
            return new VertebraAssessment { Level = body.Level!, HeightsMm = measurement?.Heights.Rounded(), Refusal = refusal };
        }).ToList();
        return GenantGrader.Grade(levels, options);
    }
}
