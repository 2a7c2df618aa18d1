using System.Globalization;
using System.Text;
using OsteoML.Domain;

namespace OsteoML.Pipelines.Studies;

/// <summary>
/// Reads <c>manifest.csv</c> (RFC 4180, UTF-8 with or without BOM). Required columns: case_id, series_dir; the rest
/// optional. A manifest decides which files are read and which labels train or calibrate a model, so it is checked
/// as input from outside: every row has exactly the header's fields; series_dir is a relative path that stays
/// inside the cohort folder (no absolute path, no ".."); a case_id and a series (series_dir + series_uid) appear
/// once — a case listed twice would count twice towards calibration's minimum; bmd_qct is mg/cm³ (a median below 2
/// with a maximum below 5 is g/cm³ and is refused by name, since it would pass a 0–400 range check and turn every
/// patient osteoporotic). Errors name the file, the row (the header is row 1) and the column.
/// </summary>
public static class CohortManifest
{
    public static IReadOnlyList<ManifestRow> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such manifest.");
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    public static IReadOnlyList<ManifestRow> Read(TextReader reader, string path)
    {
        using var records = CsvFile.Records(reader, path).GetEnumerator();
        if (!records.MoveNext()) throw new InvalidDataException($"{path}: empty manifest.");
        var header = records.Current.Fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
            if (!index.TryAdd(header[i], i))
                throw new InvalidDataException($"{path}: row 1 (header), column {Show(header[i])}: appears twice.");
        int? Column(string name) => index.TryGetValue(name, out var i) ? i : null;
        int Require(string name) => Column(name) ?? throw new InvalidDataException($"{path}: no column {name} (columns: {Show(string.Join(", ", header))}).");
        var caseId = Require("case_id");
        var seriesDir = Require("series_dir");

        var rows = new List<ManifestRow>();
        var caseRows = new Dictionary<string, int>(StringComparer.Ordinal);
        var seriesRows = new Dictionary<(string, string), int>();
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Length == 1 && fields[0].Trim().Length == 0) continue; // blank line
            if (fields.Length != header.Length)
                throw new InvalidDataException($"{path}: row {line}: {fields.Length} fields, the header has {header.Length}.");
            string Text(int? column) => column is { } c ? fields[c].Trim() : "";
            var bmdText = Text(Column("bmd_qct"));
            var bmd = float.NaN;
            if (bmdText.Length > 0 && !(float.TryParse(bmdText, NumberStyles.Float, CultureInfo.InvariantCulture, out bmd) && float.IsFinite(bmd)))
                throw new InvalidDataException($"{path}: row {line}, column bmd_qct: '{Show(bmdText)}' is not a finite number.");
            var id = Text(caseId);
            if (id.Length == 0) throw new InvalidDataException($"{path}: row {line}, column case_id: empty.");
            if (!caseRows.TryAdd(id, line))
                throw new InvalidDataException($"{path}: row {line}, column case_id: '{Show(id)}' is already on row {caseRows[id]}; each case is listed once.");
            var directory = Text(seriesDir);
            if (directory.Length == 0) throw new InvalidDataException($"{path}: row {line}, column series_dir: empty.");
            if (ConfinementProblem(directory) is { } problem)
                throw new InvalidDataException($"{path}: row {line}, column series_dir: '{Show(directory)}' {problem}; series folders are relative paths inside the cohort folder.");
            var seriesUid = Text(Column("series_uid"));
            var seriesKey = (directory.Replace('\\', '/').TrimEnd('/'), seriesUid);
            if (!seriesRows.TryAdd(seriesKey, line))
                throw new InvalidDataException($"{path}: row {line}: series_dir '{Show(directory)}'{(seriesUid.Length > 0 ? $" with series_uid {Show(seriesUid)}" : "")} is already on row {seriesRows[seriesKey]}; a series is one case.");
            var className = Text(Column("class")).ToLowerInvariant();
            if (className.Length > 0 && !AcrClasses.Names.Contains(className))
                throw new InvalidDataException($"{path}: row {line}, column class: unknown class '{Show(className)}' (expected normal, osteopenia or osteoporosis).");
            var masks = Text(Column("masks"));
            if (masks.Length > 0 && ConfinementProblem(masks) is { } masksProblem)
                throw new InvalidDataException($"{path}: row {line}, column masks: '{Show(masks)}' {masksProblem}; mask paths are relative paths inside the cohort folder.");
            var scheme = VertebraLabelScheme.TotalSegmentator;
            if (Text(Column("masks_scheme")) is { Length: > 0 } schemeText)
            {
                try { scheme = VertebraLabelSchemes.Parse(schemeText); }
                catch (ArgumentException ex) { throw new InvalidDataException($"{path}: row {line}, column masks_scheme: {ex.Message}"); }
            }
            rows.Add(new ManifestRow(line, id, Text(Column("patient_id")), Text(Column("study_uid")), seriesUid, directory,
                Text(Column("split")), Text(Column("site")), Text(Column("scanner")), bmd, className, Text(Column("label_path")), masks, scheme));
        }
        CheckBmdUnits(path, rows);
        return rows;
    }

    /// <summary>
    /// A cell as an error message quotes it: control characters (a quoted field may hold line breaks) escaped and long
    /// values cut, so every refusal stays one line (found by fuzzing the reader).
    /// </summary>
    private static string Show(string value)
    {
        var text = new StringBuilder(Math.Min(value.Length, MaxShown + 1));
        foreach (var c in value.Length > MaxShown ? value[..MaxShown] : value)
            text.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        return value.Length > MaxShown ? text.Append('…').ToString() : text.ToString();
    }

    private const int MaxShown = 80;

    /// <summary>Why a series_dir could leave the cohort folder, or null: absolute, rooted, a drive, or a ".." segment.</summary>
    internal static string? ConfinementProblem(string relative)
    {
        if (Path.IsPathRooted(relative) || relative.StartsWith('/') || relative.StartsWith('\\') || relative.Contains(':'))
            return "is absolute";
        if (relative.Split('/', '\\').Any(segment => segment == ".."))
            return "climbs out with '..'";
        return null;
    }

    /// <summary>
    /// QCT BMD of the lumbar spine is 20–250 mg/cm³; the same values in g/cm³ are 0.02–0.25. A median below 2 with a
    /// maximum below 5 cannot be mg/cm³ (no cohort's typical patient has 2 mg/cm³ of bone): refuse rather than convert.
    /// </summary>
    private static void CheckBmdUnits(string path, IReadOnlyList<ManifestRow> rows)
    {
        var values = rows.Select(r => r.BmdQct).Where(float.IsFinite).Order().ToArray();
        if (values.Length == 0) return;
        var median = values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
        if (median < 2 && values[^1] < 5)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: column bmd_qct: median {median:0.###}, maximum {values[^1]:0.###} — these are g/cm³, not mg/cm³; multiply by 1000 (QCT BMD is 20–250 mg/cm³)."));
        var outside = rows.FirstOrDefault(r => float.IsFinite(r.BmdQct) && r.BmdQct is < 0 or > 400);
        if (outside is not null)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: row {outside.Line}, column bmd_qct: {outside.BmdQct} is outside 0–400 mg/cm³."));
    }
}
