using System.Globalization;
using System.Text.Json;
using OsteoML.Domain;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;

namespace OsteoML.Pipelines.Watching;

/// <summary>
/// A watcher's state folder: <c>watch.jsonl</c>, the append-only record of every CT series handled (<see cref="WatchRecord"/>;
/// each line flushed to disk before the next series starts, so a restart screens nothing already recorded), <c>last-poll</c>
/// (the date of the last completed poll, replaced atomically), and <c>incoming/</c>, where a series is retrieved while it
/// is screened. One watcher per folder (<see cref="OutputFolderLock"/>): two would screen and push the same study twice.
/// </summary>
public sealed class WatchState : IDisposable
{
    public const string RecordFile = "watch.jsonl", LastPollFile = "last-poll", IncomingFolder = "incoming";

    private readonly OutputFolderLock _lock;
    private readonly FileStream _records;
    private readonly Dictionary<string, WatchRecord> _done = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    /// <summary>
    /// Takes the folder (its lock first) and reads what is recorded. Records of another bundle are refused with one line:
    /// their series were screened by that bundle, and a state folder answers for one.
    /// </summary>
    /// <param name="retryFailed">Failed series do not count as done, so this run tries them once more.</param>
    public WatchState(string directory, string bundleSha256, bool retryFailed = false)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        _lock = OutputFolderLock.Acquire(directory, "watch", "--state");
        try
        {
            RecordPath = Path.Combine(directory, RecordFile);
            _records = new FileStream(RecordPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            var all = new List<WatchRecord>();
            JsonLinesFile.Load(_records, RecordPath, text =>
            {
                if (Parse(text, out var problem) is not { } record) return new(false, problem);
                all.Add(record);
                return new(true);
            }, _warnings, "a watch record", "its series will be screened again");
            if (all.FirstOrDefault(r => r.BundleSha256 != bundleSha256) is { } foreign)
                throw new InvalidDataException($"{RecordPath}: series were screened by bundle {Short(foreign.BundleSha256)}, not this bundle {Short(bundleSha256)}; "
                                               + "give this bundle its own --state folder (its objects are new instances beside the old ones).");
            // The last record of a series is its state (a retried failure appends its new outcome).
            foreach (var record in all) _done[record.Key] = record;
            if (retryFailed)
                foreach (var failed in _done.Values.Where(r => r.Status == StudyStatus.Failed).ToList()) _done.Remove(failed.Key);
            LastPoll = ReadLastPoll();
            // A series being screened when the last run was killed: its copy is stale, and it was not recorded, so it is fetched again.
            if (System.IO.Directory.Exists(Incoming)) System.IO.Directory.Delete(Incoming, recursive: true);
        }
        catch
        {
            _records?.Dispose();
            _lock.Dispose();
            throw;
        }
    }

    public string Directory { get; }
    public string RecordPath { get; }

    /// <summary>Where series are retrieved to while they are screened (removed after each, and at start).</summary>
    public string Incoming => Path.Combine(Directory, IncomingFolder);

    /// <summary>What was wrong with watch.jsonl when it was read (file:line and the rule), for stderr.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Series (and failed studies) recorded, as they count for this run.</summary>
    public int Recorded => _done.Count;

    /// <summary>The local date of the last poll that went through every study it listed; null before the first.</summary>
    public DateOnly? LastPoll { get; private set; }

    public bool IsDone(string key) => _done.ContainsKey(key);

    /// <summary>Appends the record and flushes it to disk before returning.</summary>
    public void Record(WatchRecord record)
    {
        JsonLinesFile.Append(_records, JsonSerializer.Serialize(record, StudyResult.Json));
        _done[record.Key] = record;
    }

    /// <summary>Replaces <c>last-poll</c>: written to a temporary file, flushed, renamed over the old one.</summary>
    public void CompletePoll(DateOnly date)
    {
        AtomicFile.WriteAllBytes(Path.Combine(Directory, LastPollFile), System.Text.Encoding.ASCII.GetBytes(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "\n"));
        LastPoll = date;
    }

    private DateOnly? ReadLastPoll()
    {
        var path = Path.Combine(Directory, LastPollFile);
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        if (DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        _warnings.Add($"{path}: not a date YYYYMMDD; polling from yesterday");
        return null;
    }

    private static WatchRecord? Parse(string text, out string problem)
    {
        problem = "";
        try
        {
            if (JsonSerializer.Deserialize<WatchRecord>(text, StudyResult.Json) is { StudyInstanceUid.Length: > 0, SeriesInstanceUid: not null, BundleSha256.Length: > 0 } record
                && Enum.IsDefined(record.Status))
                return record;
            problem = "no study UID, bundle or known status";
        }
        catch (JsonException ex)
        {
            problem = "invalid JSON: " + ex.Message.Split('.')[0];
        }
        return null;
    }

    private static string Short(string sha) => sha[..Math.Min(12, sha.Length)] + "…";

    public void Dispose()
    {
        _records.Dispose();
        _lock.Dispose();
    }
}
