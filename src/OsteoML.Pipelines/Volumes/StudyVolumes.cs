using OsteoML.Dicom;
using OsteoML.Dicom.Series;

namespace OsteoML.Pipelines.Volumes;

/// <summary>
/// Loads a series folder (or a NIfTI file) as a CT volume and keeps the last few, so the stages of one row (segment, measure) read
/// the DICOM files once. Thread-safe; bounded to <see cref="Capacity"/> volumes.
/// </summary>
public sealed class StudyVolumes(int capacity = 2)
{
    private readonly LinkedList<(string Key, CtVolume Volume)> _recent = new();
    private readonly Lock _gate = new();

    public int Capacity { get; } = capacity;

    public CtVolume Load(string seriesPath, string seriesInstanceUid)
    {
        var key = seriesPath + "\n" + seriesInstanceUid;
        lock (_gate)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
                if (node.Value.Key == key)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    return node.Value.Volume;
                }
        }
        var volume = Read(seriesPath, seriesInstanceUid);
        lock (_gate)
        {
            _recent.AddFirst((key, volume));
            while (_recent.Count > Capacity) _recent.RemoveLast();
        }
        return volume;
    }

    /// <summary>The accepted stack of <paramref name="seriesInstanceUid"/> in the folder (the largest accepted stack when the UID is empty), or the
    /// volume of a NIfTI file.</summary>
    public static CtVolume Read(string seriesPath, string seriesInstanceUid) =>
        NiftiCtVolume.IsNifti(seriesPath) ? NiftiCtVolume.Load(seriesPath) : Stack(seriesPath, seriesInstanceUid).LoadVolume();

    /// <summary>
    /// The content fingerprint of what <see cref="Read"/> would load, from the headers only (<see cref="DicomStack.ContentFingerprint"/>;
    /// a NIfTI file's own): what cache entries are keyed by besides the series UID.
    /// </summary>
    public static string ContentFingerprint(string seriesPath, string seriesInstanceUid) =>
        NiftiCtVolume.IsNifti(seriesPath) ? NiftiCtVolume.ContentFingerprint(seriesPath) : Stack(seriesPath, seriesInstanceUid).ContentFingerprint();

    /// <summary>The DICOM stack <see cref="Read"/> loads: the largest accepted stack of the series in the folder.</summary>
    public static DicomStack Stack(string seriesPath, string seriesInstanceUid)
    {
        var scan = DicomScanCache.Shared.Scan(seriesPath);
        var candidates = scan.Stacks.Where(s => seriesInstanceUid.Length == 0 || s.SeriesInstanceUid == seriesInstanceUid).ToList();
        var stack = candidates.Where(s => s.RejectionReason is null).MaxBy(s => s.Slices.Count);
        if (stack is not null) return stack;
        var why = candidates.FirstOrDefault(s => s.RejectionReason is not null)?.RejectionReason
                  ?? (scan.FailedFiles.Count > 0 ? $"{scan.FailedFiles.Count} file(s) failed; first {Path.GetFileName(scan.FailedFiles[0].File)}: {scan.FailedFiles[0].Reason}" : "no DICOM image of that series");
        throw new DicomDataException($"{seriesPath}: no usable image stack ({why}).");
    }
}
