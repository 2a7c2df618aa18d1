using System.Collections.Concurrent;
using OsteoML.Dicom.IO;

namespace OsteoML.Dicom.Series;

/// <summary>A file the scan could not use, and why.</summary>
public sealed record DicomScanFailure(string File, string Reason);

/// <summary>What a folder holds: stacks ready to load, stacks rejected with reasons, and files that failed.</summary>
public sealed record DicomScanResult(
    IReadOnlyList<DicomStack> Stacks,
    IReadOnlyList<DicomScanFailure> FailedFiles,
    int FilesScanned,
    int NonImageFiles)
{
    public IEnumerable<DicomStack> Accepted => Stacks.Where(s => s.RejectionReason is null);
    public IEnumerable<DicomStack> Rejected => Stacks.Where(s => s.RejectionReason is not null);
}

/// <summary>
/// Finds the image stacks in a folder tree: reads every file's header (not its pixels), skips DICOMDIR and
/// files that are not DICOM images, groups slices by study and series, then splits each series into stacks of
/// one orientation (<see cref="DicomStack.Assemble"/>).
/// </summary>
public static class DicomSeriesScanner
{
    public static DicomScanResult Scan(string directory)
    {
        // One walker for every folder OsteoML reads: no link cycles, no links out of the tree, no FIFOs or devices.
        var walk = DirectoryWalker.Walk(directory);
        var scan = ScanFiles(walk.Files);
        var refused = walk.Skipped.Where(s => s.Reason != WalkSkipReason.AlreadyVisited)
            .Select(s => new DicomScanFailure(s.Path, SkipMessage(s.Reason))).ToList();
        return refused.Count == 0 ? scan : scan with { FailedFiles = scan.FailedFiles.Concat(refused).OrderBy(f => f.File, StringComparer.Ordinal).ToList() };
    }

    private static string SkipMessage(WalkSkipReason reason) => reason switch
    {
        WalkSkipReason.LinkOutsideTree => "a symbolic link leading outside the folder scanned; not followed",
        WalkSkipReason.NotRegularFile => "not a regular file (FIFO, socket or device); not opened",
        WalkSkipReason.TooDeep => $"nested deeper than {DirectoryWalker.MaxDepth} folders; not entered",
        _ => "unreadable (dangling link, or a folder that could not be listed)",
    };

    public static DicomScanResult ScanFiles(IReadOnlyList<string> files)
    {
        var slices = new ConcurrentBag<DicomSlice>();
        var failures = new ConcurrentBag<DicomScanFailure>();
        var nonImage = 0;
        // Scanner metadata is a property of the series: read it from the first of its files that is parsed.
        var acquisitions = new ConcurrentDictionary<(string, string), CtAcquisition>();
        var options = new DicomReadOptions { StopAtPixelData = true };
        Parallel.ForEach(files, file =>
        {
            try
            {
                if (string.Equals(Path.GetFileName(file), "DICOMDIR", StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref nonImage);
                    return;
                }
                if (FileStatus.Of(file, followLinks: true) is var status && status.Kind != FileKind.Regular)
                {
                    failures.Add(new DicomScanFailure(file, status.Kind == FileKind.Missing ? "no such file" : "not a regular file (FIFO, socket or device); not opened"));
                    return;
                }
                if (status.Size == 0)
                {
                    // An empty file is a failed transfer, not "not an image": say so.
                    failures.Add(new DicomScanFailure(file, "empty file (0 bytes): an incomplete transfer?"));
                    return;
                }
                var dicom = DicomFile.Open(file, options);
                var dataset = dicom.Dataset;
                if (dicom.StoppedAtPixelData)
                    DeclaredPixelSize.Check(dicom);
                var sopClass = dataset.GetStringOrDefault(DicomTag.SOPClassUID) ?? dicom.FileMetaInfo.GetStringOrDefault(DicomTag.MediaStorageSOPClassUID);
                if (!dicom.HasPixelData || sopClass == DicomUID.MediaStorageDirectoryStorage || !dataset.Contains(DicomTag.SeriesInstanceUID))
                {
                    Interlocked.Increment(ref nonImage);
                    return;
                }
                var key = (dataset.GetStringOrDefault(DicomTag.StudyInstanceUID, "")!, dataset.GetStringOrDefault(DicomTag.SeriesInstanceUID, "")!);
                var acquisition = acquisitions.GetOrAdd(key, _ => CtAcquisition.From(dataset));
                foreach (var slice in DicomSlice.From(file, dataset, acquisition))
                    slices.Add(slice);
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or ArgumentException)
            {
                // Not DICOM at all (no preamble, not parseable) counts as non-image; a DICOM file that breaks is a failure.
                if (ex is DicomDataException && !LooksLikeDicom(file))
                    Interlocked.Increment(ref nonImage);
                else
                    failures.Add(new DicomScanFailure(file, ex.Message));
            }
        });

        var stacks = slices
            .GroupBy(s => (s.StudyInstanceUid, s.SeriesInstanceUid))
            .OrderBy(g => g.Key.StudyInstanceUid, StringComparer.Ordinal).ThenBy(g => g.Key.SeriesInstanceUid, StringComparer.Ordinal)
            .SelectMany(g => DicomStack.Assemble(g.ToList()))
            .ToList();
        return new DicomScanResult(stacks, failures.OrderBy(f => f.File, StringComparer.Ordinal).ToList(), files.Count, nonImage);
    }

    private static bool LooksLikeDicom(string file)
    {
        try
        {
            return DicomFile.HasDicomPrefix(file);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
