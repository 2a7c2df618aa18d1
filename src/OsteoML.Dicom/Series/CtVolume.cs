using OsteoML.Imaging;

namespace OsteoML.Dicom.Series;

/// <summary>
/// A CT series as a volume of Hounsfield units with where it came from: the identifiers and acquisition fields a DICOM
/// stack gives, or — for a NIfTI volume — what its sidecar or the caller supplies.
/// </summary>
/// <param name="ContentFingerprint">What the volume was read from (a DICOM stack's <see cref="DicomStack.ContentFingerprint"/>, a file's
/// size and hash): cache entries are keyed by it besides the series UID, so a partial and a complete transfer differ.</param>
public sealed record CtVolume(Volume<float> Hu, string StudyInstanceUid, string SeriesInstanceUid, string Modality, CtAcquisition Acquisition,
    IReadOnlyList<string> Warnings, string ContentFingerprint)
{
    public CtVolume(Volume<float> hu, DicomStack stack)
        : this(hu, stack.StudyInstanceUid, stack.SeriesInstanceUid, stack.Modality, stack.Acquisition, stack.Warnings, stack.ContentFingerprint())
    {
    }

    /// <summary>Scans a folder and loads its one accepted stack (or the one with the most slices), for callers that expect one series.</summary>
    public static CtVolume Load(string directory)
    {
        var scan = DicomSeriesScanner.Scan(directory);
        var stack = scan.Accepted.MaxBy(s => s.Slices.Count)
                    ?? throw new DicomDataException($"{directory}: no usable image stack ({scan.FilesScanned} files, {scan.FailedFiles.Count} failed, "
                                                    + $"{scan.Rejected.Count()} stacks rejected{(scan.Rejected.FirstOrDefault() is { } r ? ": " + r.RejectionReason : "")}).");
        return stack.LoadVolume();
    }
}
