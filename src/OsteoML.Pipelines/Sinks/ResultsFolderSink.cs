using System.Globalization;
using System.Text;
using System.Text.Json;
using OsteoML.Domain;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// The results folder of a batch (and the record of what is done): <c>results.jsonl</c> is the record of truth — one line per series, written whole
/// and flushed to disk as each finishes, so a kill loses at most the line being written (a torn last line is cut off
/// on restart) and a rerun skips every series already there; <c>results.csv</c> is rebuilt from it at the end,
/// written to a temporary file and renamed. One batch at a time owns the folder (<see cref="OutputFolderLock"/>); a line
/// that does not parse (a torn write, a disk error, an edit) is named by file and line, dropped, and its series
/// screened again — never a failure of the whole run.
/// </summary>
public sealed class ResultsFolderSink : IStudyResultSink
{
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "study_uid", "series_uid", "site_key", "bmd_pred", "class_pred", "p_normal", "p_osteopenia", "p_osteoporosis", "calibration_profile",
        "qa_flags", "status", "error", "global_bmd", "l1_mean_hu", "l2_mean_hu", "seconds", "bundle_sha256", "osteoml_version", "result_schema_version",
        "intended_use", "patient_key", "study_date",
    ];

    private readonly Dictionary<string, StudyResult> _done = new(StringComparer.Ordinal);
    private readonly FileStream _jsonl;
    private readonly OutputFolderLock _lock;
    private readonly Lock _gate = new();
    private readonly List<string> _warnings = [];

    private ResultProvenance? _provenance;

    /// <summary>Takes the folder (its lock first: a second batch is refused before anything is read) and reads what is there.</summary>
    public ResultsFolderSink(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        _lock = OutputFolderLock.Acquire(directory);
        try
        {
            JsonlPath = Path.Combine(directory, "results.jsonl");
            CsvPath = Path.Combine(directory, "results.csv");
            _jsonl = new FileStream(JsonlPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            JsonLinesFile.Load(_jsonl, JsonlPath, text =>
            {
                if (Parse(text, out var reason) is not { } record) return new(false, reason);
                return new(_done.TryAdd(record.Key, record.Result));
            }, _warnings, "a result line", "its series will be screened again");
            Resumed = _done.Count;
        }
        catch
        {
            _jsonl?.Dispose();
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>What was wrong with results.jsonl when it was read (file:line and the rule), for stderr.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private static Line? Parse(string text, out string reason)
    {
        try
        {
            var line = JsonSerializer.Deserialize<Line>(text, StudyResult.Json);
            reason = "";
            if (line is { Key.Length: > 0, Result: { Status: StudyStatus.Ok or StudyStatus.Refused or StudyStatus.Failed, Levels: not null, QaFlags: not null } })
                return line;
            reason = "no key, or a result without a known status";
        }
        catch (JsonException ex)
        {
            reason = "invalid JSON: " + ex.Message.Split('.')[0];
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            reason = ex.GetType().Name + ": " + ex.Message.Split('.')[0];
        }
        return null;
    }

    /// <summary>Results of another bundle dropped by --redo (their series are screened again).</summary>
    public int Redone { get; private set; }

    /// <summary>
    /// The bundle screening now. Results another bundle wrote into the folder (or a version that recorded none) are refused
    /// with one line, or with <paramref name="redo"/> dropped — results.jsonl rewritten without them — so their series are
    /// screened again.
    /// </summary>
    public void Adopt(ResultProvenance provenance, bool redo)
    {
        lock (_gate)
        {
            _provenance = provenance;
            var foreign = _done.Where(p => p.Value.BundleSha256 != provenance.BundleSha256).ToList();
            if (foreign.Count == 0) return;
            if (!redo)
            {
                var other = foreign[0].Value.BundleSha256 is { } sha ? $"bundle {sha[..Math.Min(12, sha.Length)]}…" : "a bundle that did not record itself";
                throw new InvalidDataException($"{JsonlPath}: {foreign.Count} result(s) were written by {other}, not this bundle {provenance.BundleSha256[..12]}…; "
                                               + "use another --out, or --redo to screen those series again with this bundle.");
            }
            foreach (var (key, _) in foreign) _done.Remove(key);
            JsonLinesFile.Replace(_jsonl, Encoding.UTF8.GetBytes(string.Concat(_done.Select(p => JsonLine(p.Key, p.Value) + "\n"))));
            Resumed = _done.Count;
            Redone = foreign.Count;
        }
    }

    public string Directory { get; }
    public string JsonlPath { get; }
    public string CsvPath { get; }
    public int Resumed { get; private set; }

    public static string FailureKey(string location) => "unreadable:" + location;

    public static string FailureKey(Pipelines.Studies.StudySourceFailure f) => FailureKey(f.Location);

    public bool Contains(string key)
    {
        lock (_gate) return _done.ContainsKey(key);
    }

    public void Append(string key, StudyResult result)
    {
        // Records of inputs that never reached the screener (unreadable folders) carry the provenance too.
        if (result.BundleSha256 is null && _provenance is not null) result = _provenance.Stamp(result);
        var line = JsonLine(key, result);
        lock (_gate)
        {
            if (!_done.TryAdd(key, result)) return;
            JsonLinesFile.Append(_jsonl, line);
        }
    }

    /// <summary>Records a screened series under its series UID.</summary>
    public void Write(ScreenedStudy screened) => Append(screened.Study.SeriesInstanceUid, screened.Result);

    /// <summary>Every record in series order, once <see cref="Complete"/> has run.</summary>
    public IReadOnlyList<StudyResult> Results { get; private set; } = [];

    /// <summary>Closes results.jsonl, writes results.csv from every record (<see cref="Results"/>) and releases the folder.</summary>
    public void Complete()
    {
        lock (_gate) _jsonl.Dispose();
        try { Results = WriteCsv(); }
        finally { _lock.Dispose(); }
    }

    /// <summary>Releases the folder; without <see cref="Complete"/> (a run that failed) results.csv is not written.</summary>
    public void Dispose()
    {
        lock (_gate) _jsonl.Dispose();
        _lock.Dispose();
    }

    private IReadOnlyList<StudyResult> WriteCsv()
    {
        var results = _done.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
        AtomicFile.WriteAllText(CsvPath, CsvText(results));
        return results;
    }

    /// <summary>results.csv's text for these results (also what <c>osteoml results export --format csv</c> writes).</summary>
    public static string CsvText(IEnumerable<StudyResult> results)
    {
        var text = new StringBuilder().AppendJoin(',', CsvColumns).Append('\n');
        foreach (var r in results)
        {
            string N(double? v, string format = "R") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "";
            string[] fields =
            [
                r.StudyInstanceUid, r.SeriesInstanceUid, r.SiteKey, N(r.Bmd), r.Class ?? "", N(r.Probabilities?[0]), N(r.Probabilities?[1]), N(r.Probabilities?[2]),
                r.CalibrationProfile ?? "", string.Join(';', r.QaFlags), r.Status.Name(), r.Error ?? "", N(r.GlobalBmd),
                N(r.Levels.FirstOrDefault(l => l.Level == "L1")?.MeanHu), N(r.Levels.FirstOrDefault(l => l.Level == "L2")?.MeanHu), N(r.Seconds),
                r.BundleSha256 ?? "", r.OsteomlVersion ?? "", r.ResultSchemaVersion?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.IntendedUse ?? "", r.PatientKey ?? "", r.StudyDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            ];
            text.AppendJoin(',', fields.Select(CsvFile.Quote)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>One results.jsonl line, without its newline (also what <c>osteoml results export --format jsonl</c> writes).</summary>
    public static string JsonLine(string key, StudyResult result) => JsonSerializer.Serialize(new Line(key, result), StudyResult.Json);

    private sealed record Line(string Key, StudyResult Result);
}
