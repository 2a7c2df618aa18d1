using OsteoML.Imaging;

namespace OsteoML.Dicom.Series;

/// <summary>One image plane of a series: a single-frame file, or one frame of an enhanced multi-frame file.</summary>
public sealed record DicomSlice
{
    public required string File { get; init; }
    /// <summary>Frame index in <see cref="File"/> (0 for single-frame images).</summary>
    public int Frame { get; init; }
    public required string StudyInstanceUid { get; init; }
    public required string SeriesInstanceUid { get; init; }
    public string? SopInstanceUid { get; init; }
    public string Modality { get; init; } = "";
    public int? InstanceNumber { get; init; }
    public int Rows { get; init; }
    public int Columns { get; init; }
    public int SamplesPerPixel { get; init; } = 1;
    /// <summary>ImagePositionPatient: centre of the first transmitted pixel, LPS mm; null when the file gives none.</summary>
    public Vec3? Position { get; init; }
    /// <summary>ImageOrientationPatient: direction of the rows (increasing column index) and of the columns.</summary>
    public Vec3? RowDirection { get; init; }
    public Vec3? ColumnDirection { get; init; }
    /// <summary>PixelSpacing as (between columns = x, between rows = y), mm.</summary>
    public (double X, double Y)? PixelSpacing { get; init; }
    public double? SliceThickness { get; init; }
    public double? SpacingBetweenSlices { get; init; }
    public required CtAcquisition Acquisition { get; init; }
    /// <summary>Enhanced multi-frame: the frame's Stack ID (Frame Content functional group); frames of different stacks never share a volume.</summary>
    public string? StackId { get; init; }

    /// <summary>
    /// A position and an orientation whose row and column directions are unit vectors (within 1 %) at right angles
    /// (within about 1°): what it takes to place the slice. Zero or skewed cosines (corrupt or hand-made files) do not count.
    /// </summary>
    public bool HasGeometry =>
        Position is not null && RowDirection is { } row && ColumnDirection is { } column
        && Math.Abs(row.Length - 1) < 0.01 && Math.Abs(column.Length - 1) < 0.01 && Math.Abs(row.Dot(column)) < 0.02;

    /// <summary>The slices of a dataset: one per frame (enhanced multi-frame: plane position and orientation per frame from the functional groups).</summary>
    /// <param name="acquisition">The series' scanner metadata when already known (read once per series when scanning); else read here.</param>
    public static IEnumerable<DicomSlice> From(string file, DicomDataset dataset, CtAcquisition? acquisition = null)
    {
        var frames = Math.Max(1, dataset.GetSingleValueOrDefault(DicomTag.NumberOfFrames, 1));
        acquisition ??= CtAcquisition.From(dataset);
        var study = dataset.GetStringOrDefault(DicomTag.StudyInstanceUID, "")!;
        var series = dataset.GetStringOrDefault(DicomTag.SeriesInstanceUID, "")!;
        var sop = dataset.GetStringOrDefault(DicomTag.SOPInstanceUID);
        var modality = dataset.GetStringOrDefault(DicomTag.Modality, "")!;
        int? instance = dataset.TryGetSingleValue<int>(DicomTag.InstanceNumber, out var n) ? n : null;
        var rows = dataset.GetSingleValueOrDefault(DicomTag.Rows, 0);
        var columns = dataset.GetSingleValueOrDefault(DicomTag.Columns, 0);
        var samples = dataset.GetSingleValueOrDefault(DicomTag.SamplesPerPixel, 1);
        for (var frame = 0; frame < frames; frame++)
        {
            var position = DicomPixelData.FunctionalGroup(dataset, frame, DicomTag.PlanePositionSequence) ?? dataset;
            var orientation = DicomPixelData.FunctionalGroup(dataset, frame, DicomTag.PlaneOrientationSequence) ?? dataset;
            var measures = DicomPixelData.FunctionalGroup(dataset, frame, DicomTag.PixelMeasuresSequence) ?? dataset;
            var content = DicomPixelData.FunctionalGroup(dataset, frame, DicomTag.FrameContentSequence);
            var cosines = Doubles(orientation, DicomTag.ImageOrientationPatient, 6);
            var spacing = Doubles(measures, DicomTag.PixelSpacing, 2);
            yield return new DicomSlice
            {
                File = file,
                Frame = frame,
                StudyInstanceUid = study,
                SeriesInstanceUid = series,
                SopInstanceUid = sop,
                Modality = modality,
                InstanceNumber = instance,
                Rows = rows,
                Columns = columns,
                SamplesPerPixel = samples,
                Position = Doubles(position, DicomTag.ImagePositionPatient, 3) is { } p ? new Vec3(p[0], p[1], p[2]) : null,
                RowDirection = cosines is null ? null : new Vec3(cosines[0], cosines[1], cosines[2]),
                ColumnDirection = cosines is null ? null : new Vec3(cosines[3], cosines[4], cosines[5]),
                PixelSpacing = spacing is null ? null : (spacing[1], spacing[0]),
                SliceThickness = measures.TryGetSingleValue<double>(DicomTag.SliceThickness, out var t) ? t : null,
                SpacingBetweenSlices = measures.TryGetSingleValue<double>(DicomTag.SpacingBetweenSlices, out var s) ? s : null,
                Acquisition = acquisition,
                StackId = content?.GetStringOrDefault(DicomTag.StackID),
            };
        }
    }

    private static double[]? Doubles(DicomDataset dataset, DicomTag tag, int count)
    {
        try
        {
            return dataset.TryGetValues<double>(tag, out var values) && values.Length == count && values.All(double.IsFinite) ? values : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
