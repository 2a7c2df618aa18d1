using System.Globalization;
using OsteoML.Dicom;
using OsteoML.Dicom.Web;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Watching;

/// <summary>
/// Screens each new CT series a PACS receives, once: polls with QIDO-RS (<c>/studies?ModalitiesInStudy=CT&amp;StudyDate=since-</c>
/// — standard DICOMweb rather than Orthanc's own <c>/changes</c> feed, so any PACS with DICOMweb will do), lists each study's
/// series and takes those of modality CT (our own SR, SEG and QA capture, and anyone else's derived objects, never
/// trigger a screening), retrieves one with WADO-RS into the state folder, screens it with the warm
/// <see cref="Screener"/>, sends the SR, SEG and QA capture back with STOW-RS (<see cref="DicomObjectsSink"/>), removes the
/// copy and records the outcome (<see cref="WatchState"/>). A series that cannot be retrieved, read or pushed after
/// <see cref="WatchOptions.Attempts"/> tries is recorded as failed with its reason and the watcher goes on.
/// Progress lines name UIDs only, as <c>pull</c> and <c>batch</c> do.
/// </summary>
public sealed class StudyWatcher
{
    private readonly Screener _screener;
    private readonly DicomWebClient _source;
    private readonly Uri _push;
    private readonly WatchState _state;
    private readonly WatchOptions _options;
    private readonly Action<string> _progress;
    private readonly Action<string> _failure;

    /// <param name="source">Where studies are found and retrieved.</param>
    /// <param name="push">The DICOMweb root the objects are sent to (usually the source's).</param>
    /// <param name="progress">One line per series screened and per poll.</param>
    /// <param name="failure">One line per series (or study) that failed, and per poll that could not reach the PACS.</param>
    public StudyWatcher(Screener screener, DicomWebClient source, Uri push, WatchState state, WatchOptions options, Action<string> progress, Action<string> failure)
    {
        (_screener, _source, _push, _state, _options, _progress, _failure) = (screener, source, push, state, options, progress, failure);
    }

    /// <summary>
    /// One poll: every CT series of the studies listed that is not recorded yet is screened. Between series it stops when
    /// <paramref name="cancellation"/> is set (the series in hand is finished and recorded first).
    /// </summary>
    /// <exception cref="IOException">The PACS could not be searched (after the retries): nothing was recorded.</exception>
    public WatchPoll Poll(CancellationToken cancellation)
    {
        var today = _options.Today();
        var since = _options.Since ?? (_state.LastPoll ?? today).AddDays(-1);
        // Stopping does not wait out the retries of a search: nothing is in hand yet.
        var studies = Retry("QIDO-RS", () => _source.SearchStudies(new Dictionary<string, string>
        {
            ["ModalitiesInStudy"] = "CT",
            ["StudyDate"] = since.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-",
        }), cancellation);
        int done = 0, ok = 0, refused = 0, failed = 0;
        foreach (var study in studies.Where(s => DicomUID.IsValid(s.StudyInstanceUid)).OrderBy(s => s.StudyDate, StringComparer.Ordinal).ThenBy(s => s.StudyInstanceUid, StringComparer.Ordinal))
        {
            if (cancellation.IsCancellationRequested) break;
            var uid = study.StudyInstanceUid;
            if (_state.IsDone(WatchRecord.KeyOf(uid, ""))) { done++; continue; }
            IReadOnlyList<DicomWebSeries> series;
            try
            {
                series = Retry("QIDO-RS", () => _source.SearchSeries(uid));
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                Count(Record(uid, "", StudyStatus.Failed, $"its series could not be listed: {ex.Message}", 0), ref ok, ref refused, ref failed);
                continue;
            }
            foreach (var ct in series.Where(s => string.Equals(s.Modality, "CT", StringComparison.OrdinalIgnoreCase) && DicomUID.IsValid(s.SeriesInstanceUid)))
            {
                if (_state.IsDone(ct.SeriesInstanceUid)) { done++; continue; }
                if (cancellation.IsCancellationRequested) break;
                Count(Screen(uid, ct.SeriesInstanceUid), ref ok, ref refused, ref failed);
            }
        }
        var cancelled = cancellation.IsCancellationRequested;
        // Only a poll that went through every study moves the window: an interrupted one is picked up where it was.
        if (!cancelled) _state.CompletePoll(today);
        return new WatchPoll(since, studies.Count, done, ok, refused, failed, cancelled);
    }

    /// <summary>
    /// Polls every <paramref name="interval"/> until <paramref name="cancellation"/> is set. A poll that cannot reach the PACS
    /// is reported and tried again at the next interval: an outage of the PACS does not end the watcher.
    /// </summary>
    /// <returns>Series that failed during the run.</returns>
    public int Run(TimeSpan interval, CancellationToken cancellation)
    {
        var failed = 0;
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                failed += Poll(cancellation).Failed;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                _failure($"poll failed{(cancellation.IsCancellationRequested ? "" : $", trying again in {interval.TotalSeconds:0} s")}: {ex.Message}");
            }
            cancellation.WaitHandle.WaitOne(interval);
        }
        return failed;
    }

    private WatchRecord Screen(string study, string series)
    {
        var folder = Path.Combine(_state.Incoming, series);
        var ct = Path.Combine(folder, "ct");
        try
        {
            Retry("WADO-RS", () =>
            {
                // A retry starts from an empty folder: a half-received series must not mix with the next answer.
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                return _source.RetrieveSeries(study, series, ct);
            });
            var found = StudySource.FromFolder(ct);
            if (found.Studies.Count == 0)
                // The reader names files by their full path; in the throwaway copy the file name (the SOP Instance UID) is what helps.
                return Record(study, series, StudyStatus.Failed,
                    found.Failures.Count > 0 ? found.Failures[0].Reason.Replace(ct + Path.DirectorySeparatorChar, "", StringComparison.Ordinal) : "no CT stack to screen (localizers only?)", 0);
            // A series normally gives one stack; mixed orientations give several, each screened and sent (the record keeps the best).
            var outcomes = found.Studies.Select((row, i) => ScreenAndSend(row, Path.Combine(folder, "out", i.ToString(CultureInfo.InvariantCulture)))).ToList();
            var best = outcomes.OrderBy(o => o.Result.Status).First();
            return Record(study, series, best.Result.Status, best.Result.Status == StudyStatus.Ok ? null : Reason(best.Result), outcomes.Sum(o => o.Objects));
        }
        catch (Exception ex)
        {
            // Whatever went wrong with this series (the network after retries, a file the reader refuses, a bug) is recorded
            // against it; the next series does not pay for it.
            return Record(study, series, StudyStatus.Failed, IsTransient(ex) || ex is InvalidDataException or NotSupportedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}", 0);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private (StudyResult Result, int Objects) ScreenAndSend(StudyRow row, string outFolder)
    {
        var screened = _screener.Run(row);
        // The objects' UIDs are derived from the series and the bundle, so sending again after a network error replaces, never duplicates.
        var objects = Retry("STOW-RS", () =>
        {
            using var sink = DicomObjectsSink.Create(_screener, outFolder, _push, _progress)!;
            sink.Write(screened);
            sink.Complete();
            return Directory.Exists(outFolder) ? Directory.GetFiles(outFolder, "*", SearchOption.AllDirectories).Length : 0;
        });
        return (screened.Result, objects);
    }

    private static string Reason(StudyResult result) =>
        result.Error ?? result.LevelReason ?? (result.QaFlags.Count > 0 ? string.Join(';', result.QaFlags) : result.Status.Name());

    private WatchRecord Record(string study, string series, StudyStatus status, string? reason, int objects)
    {
        var record = new WatchRecord(study, series, status, reason is null ? null : OneLine(reason), objects, _screener.Provenance.BundleSha256, DateTimeOffset.UtcNow);
        _state.Record(record);
        var what = series.Length > 0 ? $"series {series} of study {study}" : $"study {study}";
        if (status == StudyStatus.Failed) _failure($"{what}: failed: {record.Reason}");
        else _progress($"{what}: {status.Name()}{(record.Reason is { } r ? $" ({r})" : "")}, {objects} object(s) sent to {_push}");
        return record;
    }

    private static void Count(WatchRecord record, ref int ok, ref int refused, ref int failed)
    {
        switch (record.Status)
        {
            case StudyStatus.Ok: ok++; break;
            case StudyStatus.Refused: refused++; break;
            default: failed++; break;
        }
    }

    /// <summary>
    /// Runs a DICOMweb call, trying again after a network or HTTP error with a doubling wait; when <paramref name="stop"/> is
    /// set during a wait, the last error is thrown at once.
    /// </summary>
    private T Retry<T>(string service, Func<T> call, CancellationToken stop = default)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return call();
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < _options.Attempts)
            {
                _failure($"{service}: {OneLine(ex.Message)}; try {attempt + 1} of {_options.Attempts} in {delay.TotalSeconds:0.#} s");
                if (stop.WaitHandle.WaitOne(delay)) throw;
                delay *= 2;
            }
        }
    }

    /// <summary>What a retry may cure: HTTP errors (our client's IOException), a refused connection, a timeout.</summary>
    private static bool IsTransient(Exception ex) => ex is IOException or HttpRequestException or TaskCanceledException;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
