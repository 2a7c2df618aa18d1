using System.CommandLine;
using System.Globalization;
using OsteoML.Dicom.Web;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Watching;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml watch --dicomweb URL --model MODEL --state DIR [--push URL] [--interval SECONDS] [--once] [--since YYYYMMDD]</c>:
/// screens each new CT series the PACS receives, once, and sends its SR, SEG and QA capture back (<see cref="StudyWatcher"/>).
/// Exit 0 when every series screened went through (a refusal is an answer), 3 when any failed (each recorded in
/// STATE/watch.jsonl and named on stderr), 1 when the PACS could not be searched with <c>--once</c> or the state folder
/// is in use or belongs to another bundle.
/// </summary>
internal static class WatchCommand
{
    public const string Name = "watch";

    /// <summary>
    /// How long Ctrl-C or SIGTERM wait for the series in hand to be finished, sent and recorded (System.CommandLine's
    /// default, 2 s, would end the process mid-study); `batch` uses the same. Schedulers that send SIGTERM should allow as much.
    /// </summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(10);

    public static Command Create(CliContext context)
    {
        var source = new Option<Uri?>("--dicomweb")
        {
            Description = "DICOMweb root to watch, e.g. http://pacs:8042/dicom-web. Credentials (for it and --push) from OSTEOML_DICOMWEB_USER/OSTEOML_DICOMWEB_PASSWORD or OSTEOML_DICOMWEB_CREDENTIALS_FILE.",
            Required = true,
            CustomParser = r => SharedOptions.HttpUrl(r, "--dicomweb"),
        };
        var model = SharedOptions.Model();
        var state = new Option<DirectoryInfo>("--state") { Description = "State folder: the record of every series handled (watch.jsonl), so a restart screens nothing twice. One watcher per folder.", Required = true };
        var push = SharedOptions.Push();
        push.Description = "DICOMweb root the SR, SEG and QA capture are sent to with STOW-RS (default: the --dicomweb server).";
        var interval = new Option<int>("--interval")
        {
            Description = "Seconds between polls.",
            DefaultValueFactory = _ => 60,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--interval must be at least 1 second"); } },
        };
        var once = new Option<bool>("--once") { Description = "Poll once, screen what is new, and exit (for cron and tests)." };
        var since = new Option<DateOnly?>("--since")
        {
            Description = "Earliest StudyDate (YYYYMMDD) searched on every poll; default: the day before the last poll (yesterday on the first).",
            CustomParser = r =>
            {
                var text = r.Tokens[0].Value;
                if (DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
                r.AddError($"--since: '{text}' is not a date YYYYMMDD");
                return null;
            },
        };
        var retryFailed = new Option<bool>("--retry-failed") { Description = "Try once more the series recorded as failed (after the PACS or the network was fixed)." };
        var device = SharedOptions.Device();
        var cache = SharedOptions.Cache();
        var command = new Command(Name, "Screen each new CT study a PACS receives (QIDO-RS, WADO-RS) and send the results back (STOW-RS).")
        {
            source, model, state, push, interval, once, since, retryFailed, device, cache,
        };
        // On a worker thread: System.CommandLine listens for Ctrl-C and SIGTERM only once the action has handed back its task,
        // so an action that runs to completion before returning one would be killed by the signal instead of cancelled.
        command.SetAction((parseResult, cancellation) => Task.Run(() => Run(parseResult, cancellation), CancellationToken.None));
        return command;

        int Run(ParseResult parseResult, CancellationToken cancellation)
        {
            var root = parseResult.GetValue(source)!;
            var bundle = ModelBundle.Load(parseResult.GetValue(model)!.FullName);
            // The state folder and its lock before the models load: a second watcher on the folder is refused at once.
            using var watchState = new WatchState(parseResult.GetValue(state)!.FullName,
                ModelBundle.Sha256(Path.Combine(bundle.Directory, ModelBundle.ManifestFile)), parseResult.GetValue(retryFailed));
            foreach (var warning in watchState.Warnings) context.Error.WriteLine("warning: " + warning);
            using var screener = new Screener(bundle, parseResult.GetValue(cache)?.FullName, SharedOptions.DeviceOf(parseResult, device));
            if (screener.Runtime.Device.CudaDeviceId is not null && screener.DeviceNotice is { } notice) context.Error.WriteLine($"notice: {notice}");
            using var client = new DicomWebClient(root, DicomWebCredentials.FromEnvironment());
            var watcher = new StudyWatcher(screener, client, parseResult.GetValue(push) ?? root, watchState,
                new WatchOptions { Since = parseResult.GetValue(since), RetryFailed = parseResult.GetValue(retryFailed) },
                context.Out.WriteLine, line => context.Error.WriteLine("error: " + line));
            if (watchState.Recorded > 0) context.Error.WriteLine($"resuming: {watchState.Recorded} series already recorded in {watchState.RecordPath}");
            if (parseResult.GetValue(once))
            {
                var poll = watcher.Poll(cancellation);
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{poll.Studies} CT stud(ies) since {poll.Since:yyyy-MM-dd}: {poll.Screened} series screened ({poll.Ok} with a BMD, {poll.Refused} refused, {poll.Failed} failed), {poll.AlreadyDone} already done"));
                return poll.Failed > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
            }
            context.Error.WriteLine($"watching {root} every {parseResult.GetValue(interval)} s; Ctrl-C or SIGTERM stops after the series in hand");
            var failed = watcher.Run(TimeSpan.FromSeconds(parseResult.GetValue(interval)), cancellation);
            context.Error.WriteLine($"stopped; {failed} series failed during this run");
            return failed > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        }
    }
}
