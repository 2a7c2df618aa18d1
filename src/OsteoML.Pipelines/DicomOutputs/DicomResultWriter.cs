using OsteoML.Dicom;
using OsteoML.Dicom.Derived;
using OsteoML.Dicom.IO;
using OsteoML.Dicom.Seg;
using OsteoML.Dicom.Series;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.DicomOutputs;

/// <summary>
/// The DICOM result sink: for one screened series, a Segmentation (the level masks and L1/L2 ROIs), a Comprehensive SR
/// (TID 1500) that references it, and the QA picture as a Secondary Capture, all in the source study
/// (<see cref="DerivedHeader"/>), each in its own series, written to <c>DIR/&lt;StudyInstanceUID&gt;/</c>. UIDs are derived from
/// the source series UID and the bundle's SHA-256 (<see cref="DerivedUid"/>), so a rerun with the same bundle rewrites
/// the same instances — a PACS replaces them — while another bundle's results are new instances beside them.
/// </summary>
public sealed class DicomResultWriter(string directory, ResultProvenance provenance, MeasurementOptions measurement)
{
    public const int SegmentationSeriesNumber = 9901, ReportSeriesNumber = 9902, QaSeriesNumber = 9903;
    public const string Manufacturer = "OsteoML project";

    public string Directory { get; } = directory;

    /// <summary>A writer with the screener's provenance and measurement settings (the ROI rim).</summary>
    public static DicomResultWriter For(Screener screener, string directory) => new(directory, screener.Provenance, screener.Runtime.MeasurementOptions);

    /// <summary>
    /// Writes the objects of one screened study from what the screener measured it on: the series' DICOM stack, its
    /// segmentation and the QA picture. Returns an empty list for a failed study and for a NIfTI input, which has no
    /// DICOM study to file into (<paramref name="skipped"/> says why).
    /// </summary>
    public IReadOnlyList<string> Write(ScreenedStudy screened, out string? skipped)
    {
        var (study, result) = (screened.Study, screened.Result);
        skipped = result.Status == StudyStatus.Failed ? "the study failed"
            : NiftiCtVolume.IsNifti(study.SeriesPath) ? "a NIfTI input has no DICOM study to file the objects into"
            : screened.Volume is null || screened.Segmentation is null ? "no segmentation at hand (features came from the cache): rerun with the segmentation cache"
            : null;
        if (skipped is not null) return [];
        var stack = StudyVolumes.Stack(study.SeriesPath, study.SeriesInstanceUid);
        return Write(stack, screened.Segmentation!, result, QaImage.Render(screened.Volume!, screened.Segmentation!, result));
    }

    /// <summary>Writes the objects; returns the files (SEG when any level was segmented, SR, and SC when a QA picture is given).</summary>
    public IReadOnlyList<string> Write(DicomStack stack, VertebraSegmentation segmentation, StudyResult result, byte[]? qaPng, DateTimeOffset? now = null)
    {
        if (stack.Geometry is null)
            throw new InvalidOperationException($"series {stack.SeriesInstanceUid} was rejected: {stack.RejectionReason}");
        var time = now ?? DateTimeOffset.UtcNow;
        var header = DicomFile.Open(stack.Slices[0].File, new DicomReadOptions { StopAtPixelData = true }).Dataset;
        var sources = SourceImage.FromStack(stack);
        var folder = Path.Combine(Directory, stack.StudyInstanceUid);
        System.IO.Directory.CreateDirectory(folder);
        var written = new List<string>();

        var (segments, roiSegments) = VertebraSegments.Build(segmentation, stack.Geometry, measurement, AlgorithmName);
        SegmentationReference? segReference = null;
        var covered = segments.SelectMany(s => s.Planes.Keys).Distinct().Order().ToList();
        if (segments.Count > 0)
        {
            var instance = Instance(stack, DerivedSopClass.SegmentationStorage, "SEG", SegmentationSeriesNumber, "OsteoML vertebrae and L1/L2 trabecular ROIs", "seg", time);
            var frameOfReference = header.GetStringOrDefault(DicomTag.FrameOfReferenceUID) ?? DerivedUid.From(stack.SeriesInstanceUid, "frame-of-reference");
            var seg = SegmentationWriter.Create(header, instance, new SegmentationSource(stack.Geometry, sources, stack.SeriesInstanceUid, frameOfReference),
                segments, "VERTEBRAE", "Vertebral bodies and L1/L2 trabecular ROIs (research use)");
            written.Add(Save(seg, Path.Combine(folder, $"seg-{stack.SeriesInstanceUid}.dcm")));
            segReference = new SegmentationReference(instance.SeriesInstanceUid, instance.SopInstanceUid, roiSegments);
        }

        var library = covered.Count > 0 ? covered.Select(k => sources[k]).ToList() : sources;
        var report = ScreeningReport.Create(header, Instance(stack, DerivedSopClass.ComprehensiveSRStorage, "SR", ReportSeriesNumber, "OsteoML bone density report", "sr", time),
            result, provenance, library, segReference);
        written.Add(Save(report, Path.Combine(folder, $"sr-{stack.SeriesInstanceUid}.dcm")));

        if (qaPng is not null)
        {
            var (width, height, rgb) = QaSecondaryCapture.DecodePng(qaPng);
            var sc = SecondaryCaptureWriter.Create(header, Instance(stack, DerivedSopClass.SecondaryCaptureImageStorage, "OT", QaSeriesNumber, "OsteoML QA image", "qa", time),
                width, height, rgb, library, "OsteoML QA picture: sagittal and coronal reformats with the segmented levels, ROIs and results");
            written.Add(Save(sc, Path.Combine(folder, $"qa-{stack.SeriesInstanceUid}.dcm")));
        }
        return written;
    }

    private string AlgorithmName => $"osteoml {provenance.OsteomlVersion} ({provenance.BundleName})";

    private DerivedInstance Instance(DicomStack stack, string sopClass, string modality, int seriesNumber, string description, string kind, DateTimeOffset time) => new()
    {
        SopClassUid = sopClass,
        SopInstanceUid = DerivedUid.From(stack.SeriesInstanceUid, provenance.BundleSha256, kind, "instance"),
        SeriesInstanceUid = DerivedUid.From(stack.SeriesInstanceUid, provenance.BundleSha256, kind, "series"),
        Modality = modality,
        SeriesNumber = seriesNumber,
        SeriesDescription = description,
        ContentTime = time,
        Manufacturer = Manufacturer,
        ManufacturerModelName = "osteoml",
        SoftwareVersions = provenance.OsteomlVersion,
        DeviceSerialNumber = provenance.BundleSha256[..16],
    };

    private static string Save(DicomDataset dataset, string path)
    {
        new DicomFile(dataset).Save(path);
        return path;
    }
}
