using System.Collections.Concurrent;
using System.Globalization;
using OsteoML.Dicom;
using OsteoML.Dicom.IO;
using OsteoML.Dicom.Series;
using OsteoML.Domain;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.Studies;

/// <summary>A folder or manifest row that gave no usable series, and why (batch reports it as a failed study, under its UIDs when known).</summary>
public sealed record StudySourceFailure(string Location, string Reason, string StudyInstanceUid = "", string SeriesInstanceUid = "");

/// <summary>The studies a source found, and what it could not use.</summary>
public sealed record StudyList(IReadOnlyList<StudyRow> Studies, IReadOnlyList<StudySourceFailure> Failures);

/// <summary>
/// Where studies come from: a folder tree of DICOM files (every accepted CT image stack is a study row; rejected
/// stacks and folders whose files all failed are reported), or a cohort manifest (<c>manifest.csv</c> with
/// <c>case_id, patient_id, study_uid, series_uid, series_dir, split, site, scanner, bmd_qct, class</c> and optionally
/// <c>masks, masks_scheme</c> (the study's own vertebra masks, <see cref="Segmentation.MaskSegmentation"/>), the shape
/// <c>osteoml synth cohort</c> writes and hospitals can fill in for their own cases). The site key always comes
/// from the series' DICOM header, never from a manifest column.
/// </summary>
public static class StudySource
{
    /// <summary>Stacks with fewer slices than this are single images or fragments, not a spine CT: reported, not screened.</summary>
    public const int MinimumSlices = 8;

    /// <summary>A NIfTI file is one study (<see cref="FromNifti"/>), a <c>.csv</c> file a cohort manifest (<see cref="FromManifest"/>);
    /// a folder is scanned for DICOM (<see cref="FromFolder"/>).</summary>
    /// <para>Each DICOM study is linked to its patient by <paramref name="keyer"/> (default: the environment's secret,
    /// <see cref="PatientKeyer.FromEnvironment"/>): the row holds the key, never the PatientID.</para>
    public static StudyList FromPath(string path, PatientKeyer? keyer = null)
    {
        if (NiftiCtVolume.IsNifti(path)) return FromNifti(path);
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return FromManifest(path, keyer: keyer);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no such folder, NIfTI file or manifest.");
        return FromFolder(path, keyer);
    }

    /// <summary>
    /// One NIfTI CT file as a study: UIDs and site key from its JSON sidecar (<see cref="NiftiCtVolume"/>). Folders are
    /// not searched for NIfTI files, because label maps and CTs share the format and a folder cannot say which is which.
    /// </summary>
    public static StudyList FromNifti(string file)
    {
        var full = Path.GetFullPath(file);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: no such NIfTI file.");
        var series = NiftiCtVolume.SeriesUid(full);
        var study = new StudyRow
        {
            StudyId = Path.GetFileName(full),
            PatientId = series,
            StudyInstanceUid = series,
            SeriesInstanceUid = series,
            SeriesPath = full,
            SiteKey = SiteKey.From(NiftiCtVolume.Acquisition(full)),
        };
        return new StudyList([study], []);
    }

    public static StudyList FromFolder(string root, PatientKeyer? keyer = null)
    {
        keyer ??= PatientKeyer.FromEnvironment();
        var scan = DicomScanCache.Shared.Scan(root);
        var studies = new List<StudyRow>();
        var failures = new List<StudySourceFailure>();
        foreach (var stack in scan.Stacks)
        {
            var where = CommonFolder(stack.Slices.Select(s => s.File));
            if (stack.RejectionReason is { } reason)
            {
                // A stack rejected beside files that failed (truncated slices leave gaps): the failed files are the cause.
                var beside = scan.FailedFiles.Where(f => string.Equals(Path.GetDirectoryName(Path.GetFullPath(f.File)), where, StringComparison.Ordinal)).ToList();
                var cause = beside.Count > 0 ? $"; {beside.Count} file(s) beside it could not be read, first {Path.GetFileName(beside[0].File)}: {beside[0].Reason}" : "";
                failures.Add(new(Relative(root, where), $"series {stack.SeriesInstanceUid}: {reason}{cause}", stack.StudyInstanceUid, stack.SeriesInstanceUid));
            }
            else if (stack.Acquisition.ImageType.Any(t => t.Equals("LOCALIZER", StringComparison.OrdinalIgnoreCase)))
                continue;
            else if (stack.Slices.Count < MinimumSlices)
                failures.Add(new(Relative(root, where), $"series {stack.SeriesInstanceUid}: {stack.Slices.Count} slice(s), too few for a spine CT (at least {MinimumSlices})",
                    stack.StudyInstanceUid, stack.SeriesInstanceUid));
            else
            {
                var (patientKey, studyDate) = PatientLink(stack.Slices[0].File, keyer);
                studies.Add(new StudyRow
                {
                    StudyId = stack.StudyInstanceUid,
                    PatientId = stack.StudyInstanceUid,
                    StudyInstanceUid = stack.StudyInstanceUid,
                    SeriesInstanceUid = stack.SeriesInstanceUid,
                    SeriesPath = where,
                    SiteKey = SiteKey.From(stack.Acquisition),
                    StudyDate = studyDate,
                    PatientKey = patientKey,
                });
            }
        }
        // Failed files beside a study's series mark that study (its series may be incomplete).
        foreach (var study in studies)
            study.UnreadableFiles = scan.FailedFiles
                .Where(f => string.Equals(Path.GetDirectoryName(Path.GetFullPath(f.File)), study.SeriesPath, StringComparison.Ordinal))
                .Select(f => $"{Path.GetFileName(f.File)}: {f.Reason}").ToList();
        // A folder whose DICOM files all failed gives no stack at all: report the folder, once.
        var used = studies.Select(s => s.SeriesPath).Concat(failures.Select(f => Path.Combine(root, f.Location))).ToHashSet(StringComparer.Ordinal);
        foreach (var group in scan.FailedFiles.GroupBy(f => Path.GetDirectoryName(f.File)!, StringComparer.Ordinal))
        {
            if (!used.Contains(group.Key))
                failures.Add(new(Relative(root, group.Key), $"{group.Count()} file(s) could not be read; first {Path.GetFileName(group.First().File)}: {group.First().Reason}"));
        }
        return new StudyList(studies.OrderBy(s => s.SeriesPath, StringComparer.Ordinal).ToList(), failures);
    }

    /// <summary>The rows of a cohort manifest (or a CASES.csv of the same shape), series folders relative to <paramref name="cohortDirectory"/>.</summary>
    public static StudyList FromManifest(string manifestPath, string? cohortDirectory = null, Func<StudyRow, bool>? where = null, PatientKeyer? keyer = null)
    {
        keyer ??= PatientKeyer.FromEnvironment();
        cohortDirectory ??= Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var rows = CohortManifest.Read(manifestPath);
        var cohortReal = RealPath(cohortDirectory);
        var studies = new StudyRow[rows.Count];
        var failures = new ConcurrentBag<StudySourceFailure>();
        Parallel.For(0, rows.Count, i =>
        {
            var row = rows[i];
            var study = row.ToStudy(cohortDirectory);
            if (where is not null && !where(study)) return;
            try
            {
                // The row's path is relative and has no "..", but a link inside the cohort could still lead out of it.
                if (Directory.Exists(study.SeriesPath) && !IsInside(RealPath(study.SeriesPath), cohortReal))
                    throw new InvalidDataException($"{manifestPath}: row {row.Line}, column series_dir: '{row.SeriesDir}' leads outside the cohort folder {cohortDirectory}.");
                var header = ReadHeader(study.SeriesPath);
                var acquisition = header is null ? NiftiCtVolume.Acquisition(study.SeriesPath) : CtAcquisition.From(header);
                study.SiteKey = SiteKey.From(acquisition);
                // The header's PatientID, as for a folder (not the manifest's column): the key must not depend on how the studies were listed.
                if (header is not null) (study.PatientKey, study.StudyDate) = PatientLink(header, keyer);
                studies[i] = study;
            }
            catch (Exception ex) when (ex is IOException or DicomDataException or InvalidDataException or UnauthorizedAccessException)
            {
                failures.Add(new(row.SeriesDir, $"case {study.StudyId}: {ex.Message}"));
            }
        });
        return new StudyList(studies.Where(s => s is not null).ToList(), failures.OrderBy(f => f.Location, StringComparer.Ordinal).ToList());
    }

    /// <summary>The site key of a series folder, from the first DICOM image header in it (pixels are not read); of a NIfTI file, from its sidecar.</summary>
    public static string ReadSiteKey(string seriesPath) =>
        SiteKey.From(ReadHeader(seriesPath) is { } header ? CtAcquisition.From(header) : NiftiCtVolume.Acquisition(seriesPath));

    /// <summary>The first DICOM image header (pixels not read) of a series folder; null for a NIfTI file (its sidecar holds the acquisition).</summary>
    private static DicomDataset? ReadHeader(string seriesPath)
    {
        if (NiftiCtVolume.IsNifti(seriesPath))
        {
            if (!File.Exists(seriesPath)) throw new FileNotFoundException($"{seriesPath}: no such NIfTI file.");
            return null;
        }
        if (!Directory.Exists(seriesPath)) throw new DirectoryNotFoundException($"{seriesPath}: no such series folder.");
        foreach (var file in DirectoryWalker.Walk(seriesPath, recursive: false).Files)
        {
            DicomFile dicom;
            try { dicom = DicomFile.Open(file, new DicomReadOptions { StopAtPixelData = true }); }
            catch (Exception ex) when (ex is IOException or FormatException) { continue; }
            if (dicom.Dataset.Contains(DicomTag.SeriesInstanceUID))
                return dicom.Dataset;
        }
        throw new InvalidDataException($"{seriesPath}: no readable DICOM image.");
    }

    /// <summary>The keyed patient (empty without a keyer or a PatientID) and the StudyDate of one DICOM file's header; the PatientID is read only to key it.</summary>
    private static (string PatientKey, DateOnly? StudyDate) PatientLink(string file, PatientKeyer? keyer)
    {
        try { return PatientLink(DicomFile.Open(file, new DicomReadOptions { StopAtPixelData = true }).Dataset, keyer); }
        catch (Exception ex) when (ex is IOException or FormatException or DicomDataException) { return ("", null); }
    }

    private static (string PatientKey, DateOnly? StudyDate) PatientLink(DicomDataset header, PatientKeyer? keyer) => (
        keyer?.Key(header.GetStringOrDefault(DicomTag.PatientID)) ?? "",
        DateOnly.TryParseExact(header.GetStringOrDefault(DicomTag.StudyDate)?.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null);

    private static string RealPath(string path) => DirectoryWalker.RealPath(path) ?? Path.GetFullPath(path);

    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string CommonFolder(IEnumerable<string> files)
    {
        var folders = files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct(StringComparer.Ordinal).ToList();
        var common = folders[0];
        foreach (var folder in folders.Skip(1))
            while (!folder.StartsWith(common + Path.DirectorySeparatorChar, StringComparison.Ordinal) && folder != common)
                common = Path.GetDirectoryName(common)!;
        return common;
    }

    private static string Relative(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative == "." ? Path.GetFileName(Path.GetFullPath(root)) : relative;
    }
}

/// <summary>One manifest row: the columns the pipeline reads (<see cref="LabelPath"/>: a synthetic cohort's label map, else empty).</summary>
public sealed record ManifestRow(int Line, string CaseId, string PatientId, string StudyUid, string SeriesUid, string SeriesDir,
    string Split, string Site, string Scanner, float BmdQct, string Class, string LabelPath = "", string Masks = "",
    VertebraLabelScheme MasksScheme = VertebraLabelScheme.TotalSegmentator)
{
    public StudyRow ToStudy(string cohortDirectory) => new()
    {
        StudyId = CaseId,
        PatientId = PatientId.Length > 0 ? PatientId : CaseId,
        StudyInstanceUid = StudyUid,
        SeriesInstanceUid = SeriesUid,
        SeriesPath = Path.GetFullPath(Path.Combine(cohortDirectory, SeriesDir)),
        Split = Split,
        Site = Site,
        Scanner = Scanner,
        Bmd = BmdQct,
        Class = Class,
        MasksPath = Masks.Length == 0 ? "" : Path.GetFullPath(Path.Combine(cohortDirectory, Masks)),
        MasksScheme = Masks.Length > 0 && Directory.Exists(Path.Combine(cohortDirectory, Masks)) ? VertebraLabelScheme.Files : MasksScheme,
    };
}
