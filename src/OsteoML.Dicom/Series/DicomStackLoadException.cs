namespace OsteoML.Dicom.Series;

/// <summary>
/// Some slices of a stack would not load (unreadable file, pixels that do not decode): one failure per file, so a
/// caller can list each bad file on its own line and still report the stacks that loaded.
/// </summary>
public sealed class DicomStackLoadException(string seriesInstanceUid, int slices, IReadOnlyList<DicomScanFailure> failures)
    : DicomDataException($"pixel data of {failures.Count} of {slices} slice(s) of series {seriesInstanceUid} could not be read (first: {failures[0].File}: {failures[0].Reason})")
{
    public IReadOnlyList<DicomScanFailure> Failures { get; } = failures;
}
