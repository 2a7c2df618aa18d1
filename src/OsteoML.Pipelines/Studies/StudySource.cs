using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Analysis;
using OsteoML.Dicom;
using OsteoML.Dicom.IO;
using OsteoML.Dicom.Series;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines.Studies;

/// <summary>A folder or manifest row that gave no usable series, and why (batch reports it as a failed study).</summary>
public sealed record StudySourceFailure(string Location, string Reason);

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
    public static StudyList FromPath(string path)
    {
        if (NiftiCtVolume.IsNifti(path)) return FromNifti(path);
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return FromManifest(path);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: no such folder, NIfTI file or manifest.");
        return FromFolder(path);
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

    public static StudyList FromFolder(string root)
    {
        var scan = DicomSeriesScanner.Scan(root);
        var studies = new List<StudyRow>();
        var failures = new List<StudySourceFailure>();
        foreach (var stack in scan.Stacks)
        {
            var where = CommonFolder(stack.Slices.Select(s => s.File));
            if (stack.RejectionReason is { } reason)
                failures.Add(new(Relative(root, where), $"series {stack.SeriesInstanceUid}: {reason}"));
            else if (stack.Acquisition.ImageType.Any(t => t.Equals("LOCALIZER", StringComparison.OrdinalIgnoreCase)))
                continue;
            else if (stack.Slices.Count < MinimumSlices)
                failures.Add(new(Relative(root, where), $"series {stack.SeriesInstanceUid}: {stack.Slices.Count} slice(s), too few for a spine CT (at least {MinimumSlices})"));
            else
                studies.Add(new StudyRow
                {
                    StudyId = stack.StudyInstanceUid,
                    PatientId = stack.StudyInstanceUid,
                    StudyInstanceUid = stack.StudyInstanceUid,
                    SeriesInstanceUid = stack.SeriesInstanceUid,
                    SeriesPath = where,
                    SiteKey = SiteKey.From(stack.Acquisition),
                });
        }
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
    public static StudyList FromManifest(string manifestPath, string? cohortDirectory = null, Func<StudyRow, bool>? where = null)
    {
        cohortDirectory ??= Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var rows = CohortManifest.Read(manifestPath);
        var studies = new StudyRow[rows.Count];
        var failures = new ConcurrentBag<StudySourceFailure>();
        Parallel.For(0, rows.Count, i =>
        {
            var row = rows[i];
            var study = row.ToStudy(cohortDirectory);
            if (where is not null && !where(study)) return;
            try
            {
                study.SiteKey = ReadSiteKey(study.SeriesPath);
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
    public static string ReadSiteKey(string seriesPath)
    {
        if (NiftiCtVolume.IsNifti(seriesPath))
        {
            if (!File.Exists(seriesPath)) throw new FileNotFoundException($"{seriesPath}: no such NIfTI file.");
            return SiteKey.From(NiftiCtVolume.Acquisition(seriesPath));
        }
        if (!Directory.Exists(seriesPath)) throw new DirectoryNotFoundException($"{seriesPath}: no such series folder.");
        foreach (var file in Directory.EnumerateFiles(seriesPath).Order(StringComparer.Ordinal))
        {
            DicomFile dicom;
            try { dicom = DicomFile.Open(file, new DicomReadOptions { StopAtPixelData = true }); }
            catch (Exception ex) when (ex is IOException or FormatException) { continue; }
            if (dicom.Dataset.Contains(DicomTag.SeriesInstanceUID))
                return SiteKey.From(CtAcquisition.From(dicom.Dataset));
        }
        throw new InvalidDataException($"{seriesPath}: no readable DICOM image.");
    }

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

/// <summary>Reads <c>manifest.csv</c> (RFC 4180). Required: case_id, series_dir; the rest optional. Errors name row and column.</summary>
public static class CohortManifest
{
    public static IReadOnlyList<ManifestRow> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such manifest.");
        string[] header;
        using (var reader = new StreamReader(path))
            header = (reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty manifest.")).TrimStart('\uFEFF').Split(',');
        var frame = DataFrame.LoadCsv(path, dataTypes: header.Select(_ => typeof(string)).ToArray(), encoding: System.Text.Encoding.UTF8);
        int? Column(string name) => frame.Columns.IndexOf(name) is var i and >= 0 ? i : null;
        int Require(string name) => Column(name) ?? throw new InvalidDataException($"{path}: no column {name} (columns: {string.Join(", ", header)}).");
        var caseId = Require("case_id");
        var seriesDir = Require("series_dir");
        var rows = new List<ManifestRow>((int)frame.Rows.Count);
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            var line = (int)r + 2;
            string Text(int? column) => column is { } c ? frame.Columns[c][r] as string ?? "" : "";
            var bmdText = Text(Column("bmd_qct"));
            var bmd = float.NaN;
            if (bmdText.Length > 0 && !float.TryParse(bmdText, NumberStyles.Float, CultureInfo.InvariantCulture, out bmd))
                throw new InvalidDataException($"{path}: row {line}, column bmd_qct: '{bmdText}' is not a number.");
            var id = Text(caseId);
            if (id.Length == 0) throw new InvalidDataException($"{path}: row {line}, column case_id: empty.");
            if (Text(seriesDir).Length == 0) throw new InvalidDataException($"{path}: row {line}, column series_dir: empty.");
            var className = Text(Column("class")).ToLowerInvariant();
            if (className.Length > 0 && !Evaluation.AcrClasses.Names.Contains(className))
                throw new InvalidDataException($"{path}: row {line}, column class: unknown class '{className}' (expected normal, osteopenia or osteoporosis).");
            var scheme = VertebraLabelScheme.TotalSegmentator;
            if (Text(Column("masks_scheme")) is { Length: > 0 } schemeText)
            {
                try { scheme = VertebraLabelSchemes.Parse(schemeText); }
                catch (ArgumentException ex) { throw new InvalidDataException($"{path}: row {line}, column masks_scheme: {ex.Message}"); }
            }
            rows.Add(new ManifestRow(line, id, Text(Column("patient_id")), Text(Column("study_uid")), Text(Column("series_uid")), Text(seriesDir),
                Text(Column("split")), Text(Column("site")), Text(Column("scanner")), bmd, className, Text(Column("label_path")), Text(Column("masks")), scheme));
        }
        return rows;
    }
}
