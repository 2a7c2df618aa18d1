using OsteoML.Dicom.Seg;
using OsteoML.Dicom.Sr;
using OsteoML.Imaging;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.DicomOutputs;

/// <summary>
/// The segments of a screened series on its native grid: one per named level (its trabecular body mask as the
/// segmentation gives it), then the L1 and L2 trabecular ROIs the HU statistics were taken in (the mask less the
/// in-plane rim, <see cref="StudyMeasurer.InTrabecularRoi"/>). Bodies the count could not name are left out: a segment
/// needs a property type, and an unnamed body has no level to code.
/// </summary>
public static class VertebraSegments
{
    /// <returns>The segments, and the segment number of each level's trabecular ROI.</returns>
    public static (IReadOnlyList<BinarySegment> Segments, IReadOnlyDictionary<string, int> RoiSegments) Build(VertebraSegmentation s, VolumeGeometry grid, MeasurementOptions options, string algorithmName)
    {
        var segments = new List<BinarySegment>();
        var roiSegments = new Dictionary<string, int>(StringComparer.Ordinal);
        if (s.NativeHi[0] < s.NativeLo[0])
            return (segments, roiSegments);
        var (rimX, rimY) = StudyMeasurer.RimVoxels(grid, options);
        foreach (var level in VertebraSegmentation.Levels)
        {
            var code = VertebraSegmentation.LevelCode(level);
            var planes = Planes(s, grid, (i, j, k) => s.NativeLevelAt(i, j, k) == code);
            if (planes.Count == 0) continue;
            segments.Add(Segment(segments.Count + 1, level, $"{level} vertebra", $"{level} vertebral body, trabecular mask", null, algorithmName, planes));
        }
        foreach (var level in StudyMeasurer.MeasuredLevels)
        {
            var code = VertebraSegmentation.LevelCode(level);
            var planes = Planes(s, grid, (i, j, k) => s.NativeLevelAt(i, j, k) == code && StudyMeasurer.InTrabecularRoi(s, code, i, j, k, rimX, rimY));
            if (planes.Count == 0) continue;
            roiSegments[level] = segments.Count + 1;
            segments.Add(Segment(segments.Count + 1, level, $"{level} trabecular ROI",
                $"{level} trabecular ROI: the body's mask less an in-plane rim of {options.RimMm:0.##} mm (where the HU statistics are taken)",
                ScreeningCodes.TrabecularRoi, algorithmName, planes));
        }
        return (segments, roiSegments);
    }

    private static BinarySegment Segment(int number, string level, string label, string description, DicomCodeItem? modifier, string algorithmName,
        IReadOnlyDictionary<int, byte[]> planes) => new(new SegmentDescription
    {
        Number = number,
        Label = label,
        Description = description,
        Category = ScreeningCodes.AnatomicalStructure,
        Type = ScreeningCodes.Vertebra(level),
        TypeModifier = modifier,
        AlgorithmType = SegmentAlgorithmType.Automatic,
        AlgorithmName = algorithmName,
    }, planes);

    private static Dictionary<int, byte[]> Planes(VertebraSegmentation s, VolumeGeometry grid, Func<int, int, int, bool> inside)
    {
        var planes = new Dictionary<int, byte[]>();
        int nx = grid.Size.X, ny = grid.Size.Y;
        for (var k = Math.Max(0, s.NativeLo[2]); k <= Math.Min(grid.Size.Z - 1, s.NativeHi[2]); k++)
        {
            byte[]? plane = null;
            for (var j = Math.Max(0, s.NativeLo[1]); j <= Math.Min(ny - 1, s.NativeHi[1]); j++)
            for (var i = Math.Max(0, s.NativeLo[0]); i <= Math.Min(nx - 1, s.NativeHi[0]); i++)
            {
                if (!inside(i, j, k)) continue;
                plane ??= new byte[nx * ny];
                plane[j * nx + i] = 1;
            }
            if (plane is not null) planes[k] = plane;
        }
        return planes;
    }
}
