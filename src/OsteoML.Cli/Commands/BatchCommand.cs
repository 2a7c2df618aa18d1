using System.CommandLine;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;
using OsteoML.Pipelines.Studies;
using OsteoML.Results;
using OsteoML.Validation.Screening;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml batch --model MODEL ROOT --out DIR [--jobs N] [--truth MANIFEST.csv] [--dicom-out DIR] [--push URL] [--redo]</c>: every CT series under ROOT →
/// <c>results.jsonl</c> (one line per series, appended as each finishes) and <c>results.csv</c>. A rerun after a kill
/// skips what is already in results.jsonl — when the same bundle wrote it (another bundle's folder is refused, or with
/// --redo its series are screened again). Failures are recorded with their reason and skipped; exit 3 when any.
/// <c>--shard i/N</c> screens one deterministic share of the studies; <c>--results postgres://…</c> also stores every result in
/// PostgreSQL, which then decides what a rerun skips (docs/scale-out.md).
/// </summary>
internal static class BatchCommand
{
    public const string Name = "batch";

    public static Command Create(CliContext context)
    {
        var model = SharedOptions.ScreeningModel();
        var root = new Argument<FileSystemInfo>("ROOT") { Description = "Folder tree of DICOM studies, a cohort manifest (.csv; series_dir may name DICOM folders or NIfTI files) or one NIfTI CT file." };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for results.jsonl, results.csv (and predictions.csv with --truth).", Required = true };
        var jobs = SharedOptions.Jobs();
        var truth = new Option<FileInfo?>("--truth") { Description = "Cohort manifest with the reference BMD: also write predictions.csv in the evaluation format." };
        var qa = new Option<bool>("--qa-png") { Description = "Write each study's QA image to OUT/qa/." };
        var device = SharedOptions.Device();
        var cache = SharedOptions.Cache();
        var dicomOut = SharedOptions.DicomOut();
        var push = SharedOptions.Push();
        var redo = new Option<bool>("--redo") { Description = "Screen again the series whose results in --out were written by another bundle (without it, such a folder is refused)." };
        var results = ResultsOption.Create();
        var command = new Command(Name, "Screen every study under a folder, resumably.") { model, root, output, jobs, truth, qa, device, cache, dicomOut, push, redo, results };
        var shardOption = new ShardOption();
        shardOption.AddTo(command);
        // On a worker thread: System.CommandLine cancels the token on Ctrl-C/SIGTERM only once the action has handed back
        // its task, so a synchronous action would be killed mid-study instead of stopping after the studies in hand.
        command.SetAction((parseResult, cancellation) => Task.Run(() => Run(parseResult, cancellation), CancellationToken.None));
        return command;

        int Run(ParseResult parseResult, CancellationToken cancellation)
        {
            var rootPath = parseResult.GetValue(root)!.FullName;
            // The output folder and its lock first: whatever goes wrong later is recorded there, and a second run is
            // refused before it reads anything.
            using var store = new ResultsFolderSink(parseResult.GetValue(output)!.FullName);
            foreach (var warning in store.Warnings) context.Error.WriteLine("warning: " + warning);
            return Screen(parseResult, cancellation, store, rootPath);
        }

        int Screen(ParseResult parseResult, CancellationToken cancellation, ResultsFolderSink store, string rootPath)
        {
            var bundle = SharedOptions.LoadBundle(context, parseResult.GetValue(model));
            var studies = StudySource.FromPath(rootPath);
            var jobCount = parseResult.GetValue(jobs);
            using var screener = new Screener(bundle, parseResult.GetValue(cache)?.FullName, SharedOptions.DeviceOf(parseResult, device),
                threads: Math.Max(1, Environment.ProcessorCount / jobCount));
            store.Adopt(screener.Provenance, parseResult.GetValue(redo));
            if (store.Redone > 0) context.Error.WriteLine($"--redo: {store.Redone} result(s) of another bundle dropped; those series are screened again");
            var shard = shardOption.Resolve(parseResult);
            using var database = ResultsOption.Open(context, parseResult.GetValue(results), screener.Provenance, shard);
            bool Done(string key) => database?.Contains(key) ?? store.Contains(key);
            var owned = studies.Studies.Where(s => shard.Owns(ShardOption.KeyOf(s))).ToList();
            ShardOption.Report(context, shard, owned.Count, studies.Studies.Count);
            var pending = owned.Where(s => !Done(s.SeriesInstanceUid)).ToList();
            foreach (var failure in studies.Failures.Where(f => shard.Owns(ShardOption.KeyOf(f)) && !Done(ResultsFolderSink.FailureKey(f.Location))))
            {
                var unreadable = StudyResult.Failure(failure.StudyInstanceUid, failure.SeriesInstanceUid, "", $"{failure.Location}: {failure.Reason}");
                store.Append(ResultsFolderSink.FailureKey(failure), unreadable);
                database?.Append(ResultsFolderSink.FailureKey(failure), ShardOption.KeyOf(failure), unreadable);
            }
            if (store.Resumed > 0) context.Error.WriteLine($"resuming: {store.Resumed} result(s) already in {store.JsonlPath}, {pending.Count} series to go");

            // The record of what is done last (the folder, then the database that decides resume with --results): a study
            // counts as done only after its image and DICOM objects are out.
            using var sinks = new StudyResultSinks(
            [
                parseResult.GetValue(qa) ? QaImageSink.ToFolder(Path.Combine(store.Directory, "qa")) : null,
                DicomObjectsSink.Create(screener, parseResult.GetValue(dicomOut)?.FullName, parseResult.GetValue(push), line => context.Error.WriteLine("notice: " + line)),
                store,
                database,
            ]);
            var stopped = false;
            try
            {
                ScreenCommand.WithProgress(context, "screening", pending.Count, advance =>
                {
                    Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = jobCount, CancellationToken = cancellation }, study =>
                    {
                        sinks.Write(screener.Run(study));
                        advance();
                    });
                    return 0;
                });
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // Parallel.ForEach starts no new study once cancelled and lets those in hand finish: all of them are recorded.
                stopped = true;
            }
            sinks.Complete();
            if (stopped)
            {
                context.Error.WriteLine($"stopped by a signal: {store.Results.Count} result(s) recorded in {store.JsonlPath}; run the same command again to resume");
                ResultsOption.ReportWrites(context, database);
                return ExitCodes.Stopped;
            }
            var all = store.Results;
            ResultsOption.ReportWrites(context, database);
            if (parseResult.GetValue(truth) is { } manifest) WritePredictions(context, store, all, manifest.FullName);
            var failed = all.Count(r => r.Status == StudyStatus.Failed);
            var refused = all.Count(r => r.Status == StudyStatus.Refused);
            context.Out.WriteLine($"{all.Count} series: {all.Count - failed - refused} with a BMD, {refused} refused (see qa_flags), {failed} failed; wrote {store.CsvPath}");
            foreach (var f in all.Where(r => r.Status == StudyStatus.Failed))
                context.Error.WriteLine($"failed {(f.SeriesInstanceUid.Length > 0 ? "series " + f.SeriesInstanceUid : "")}: {f.Error}");
            return failed > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        }
    }

    /// <summary>predictions.csv in the evaluation format: results joined to the manifest by series UID.</summary>
    private static void WritePredictions(CliContext context, ResultsFolderSink store, IReadOnlyList<StudyResult> results, string manifestPath)
    {
        var truth = CohortManifest.Read(manifestPath).Where(r => r.SeriesUid.Length > 0).ToDictionary(r => r.SeriesUid, StringComparer.Ordinal);
        var cohortDirectory = Path.GetDirectoryName(manifestPath)!;
        var pairs = results.Where(r => truth.ContainsKey(r.SeriesInstanceUid))
            .Select(r => (Study: truth[r.SeriesInstanceUid].ToStudy(cohortDirectory), Result: r))
            .Select(p => { p.Study.PatientId = p.Result.StudyInstanceUid; return p; })
            .ToList();
        var path = Path.Combine(store.Directory, "predictions.csv");
        PredictionRows.Write(path, pairs);
        var unmatched = results.Count(r => r.SeriesInstanceUid.Length > 0 && !truth.ContainsKey(r.SeriesInstanceUid));
        context.Out.WriteLine($"wrote {path} ({pairs.Count(p => p.Result.Bmd is not null)} rows{(unmatched > 0 ? $"; {unmatched} series not in the manifest" : "")})");
    }
}
