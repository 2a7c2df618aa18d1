using System.Globalization;
using System.Text;
using System.Text.Json;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Cli.Commands;

/// <summary>
/// The batch command's output folder: <c>results.jsonl</c> is the record of truth — one line per series, written whole
/// and flushed to disk as each finishes, so a kill loses at most the line being written (a torn last line is cut off
/// on restart) and a rerun skips every series already there; <c>results.csv</c> is rebuilt from it at the end,
/// written to a temporary file and renamed.
/// </summary>
internal sealed class BatchResults
{
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "study_uid", "series_uid", "site_key", "bmd_pred", "class_pred", "p_normal", "p_osteopenia", "p_osteoporosis", "calibration_profile",
        "qa_flags", "status", "error", "global_bmd", "l1_mean_hu", "l2_mean_hu", "seconds", "bundle_sha256", "osteoml_version", "result_schema_version",
    ];

    private readonly Dictionary<string, StudyResult> _done = new(StringComparer.Ordinal);
    private readonly FileStream _jsonl;
    private readonly Lock _gate = new();

    private readonly ResultProvenance _provenance;

    /// <param name="provenance">The bundle screening now: results of another bundle already in the folder are refused (a one-line
    /// error), or with <paramref name="redo"/> dropped so their series are screened again.</param>
    public BatchResults(string directory, ResultProvenance provenance, bool redo)
    {
        _provenance = provenance;
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        JsonlPath = Path.Combine(directory, "results.jsonl");
        CsvPath = Path.Combine(directory, "results.csv");
        _jsonl = new FileStream(JsonlPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var bytes = new byte[_jsonl.Length];
        _jsonl.ReadExactly(bytes);
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var lines = Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var records = lines.Select(line => JsonSerializer.Deserialize<Line>(line, StudyResult.Json)!).ToList();
        var foreign = records.Where(r => r.Result.BundleSha256 != provenance.BundleSha256).ToList();
        if (foreign.Count > 0 && !redo)
        {
            _jsonl.Dispose();
            var other = foreign[0].Result.BundleSha256 is { } sha ? $"bundle {sha[..Math.Min(12, sha.Length)]}…" : "a bundle that did not record itself";
            throw new InvalidDataException($"{JsonlPath}: {foreign.Count} result(s) were written by {other}, not this bundle {provenance.BundleSha256[..12]}…; "
                                           + "use another --out, or --redo to screen those series again with this bundle.");
        }
        foreach (var record in records.Except(foreign))
            _done[record.Key] = record.Result;
        // A torn last line (the process was killed while writing it) is dropped; its series runs again. With --redo the
        // other bundle's lines go too: the file is rewritten with the lines kept.
        long keep = complete;
        if (foreign.Count > 0)
        {
            var kept = Encoding.UTF8.GetBytes(string.Concat(lines.Where((_, i) => !foreign.Contains(records[i])).Select(l => l + "\n")));
            _jsonl.Position = 0;
            _jsonl.Write(kept);
            _jsonl.Flush(flushToDisk: true);
            keep = kept.Length;
        }
        _jsonl.SetLength(keep);
        _jsonl.Position = keep;
        Resumed = _done.Count;
        Redone = foreign.Count;
    }

    /// <summary>Results of another bundle dropped by --redo (their series are screened again).</summary>
    public int Redone { get; }

    public string Directory { get; }
    public string JsonlPath { get; }
    public string CsvPath { get; }
    public int Resumed { get; }

    public static string FailureKey(string location) => "unreadable:" + location;

    public static string FailureKey(Pipelines.Studies.StudySourceFailure f) => FailureKey(f.Location);

    public bool Contains(string key)
    {
        lock (_gate) return _done.ContainsKey(key);
    }

    public void Append(string key, StudyResult result)
    {
        // Records of inputs that never reached the screener (unreadable folders) carry the provenance too.
        if (result.BundleSha256 is null) result = _provenance.Stamp(result);
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Line(key, result), StudyResult.Json) + "\n");
        lock (_gate)
        {
            if (!_done.TryAdd(key, result)) return;
            _jsonl.Write(bytes);
            _jsonl.Flush(flushToDisk: true);
        }
    }

    /// <summary>Closes results.jsonl and writes results.csv from every record; returns them in series order.</summary>
    public IReadOnlyList<StudyResult> Finish()
    {
        lock (_gate) _jsonl.Dispose();
        var results = _done.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
        var text = new StringBuilder().AppendJoin(',', CsvColumns).Append('\n');
        foreach (var r in results)
        {
            string N(double? v, string format = "R") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "";
            string[] fields =
            [
                r.StudyInstanceUid, r.SeriesInstanceUid, r.SiteKey, N(r.Bmd), r.Class ?? "", N(r.Probabilities?[0]), N(r.Probabilities?[1]), N(r.Probabilities?[2]),
                r.CalibrationProfile ?? "", string.Join(';', r.QaFlags), r.Status, r.Error ?? "", N(r.GlobalBmd),
                N(r.Levels.FirstOrDefault(l => l.Level == "L1")?.MeanHu), N(r.Levels.FirstOrDefault(l => l.Level == "L2")?.MeanHu), N(r.Seconds),
                r.BundleSha256 ?? "", r.OsteomlVersion ?? "", r.ResultSchemaVersion?.ToString(CultureInfo.InvariantCulture) ?? "",
            ];
            text.AppendJoin(',', fields.Select(Csv.Quote)).Append('\n');
        }
        Csv.WriteAtomically(CsvPath, text.ToString());
        return results;
    }

    private sealed record Line(string Key, StudyResult Result);
}
