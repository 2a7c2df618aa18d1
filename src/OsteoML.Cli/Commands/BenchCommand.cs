using System.CommandLine;
using System.Globalization;
using System.Reflection;
using OsteoML.Cli.Benchmarks;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml bench</c>: the whole-process measures that need only this command — <c>screen</c> on one study,
/// <c>batch</c> over a folder and <c>demo</c> on a fresh folder, each as a new <c>osteoml</c> process, with wall time
/// and peak RSS (VmHWM sampled from /proc) — printed against issue 10's goals and written to <c>OUT/bench.json</c>.
/// <c>osteoml bench summary RESULTS</c> writes the goal-vs-measured table of a <c>bench/run</c> results folder.
/// The side-by-side comparisons with pydicom and dcmtk, the model's GFLOP/s and tuning need the benchmark project:
/// <c>bash bench/run</c> runs everything.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<DirectoryInfo?>("--model", "-m") { Description = "Model bundle for screen and batch (e.g. demo-output/model)." };
        var studies = new Option<DirectoryInfo?>("--studies") { Description = "Folder of studies, one per subfolder: screen times the first, batch all of them." };
        var jobs = SharedOptions.Jobs();
        var demo = new Option<bool>("--demo") { Description = "Also time `osteoml demo` on a fresh folder under --out (minutes)." };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Work folder: logs, batch and demo output, bench.json.", Required = true };
        var command = new Command("bench", "Time screen, batch and demo as new processes (wall time, peak RSS) against the goals; `bench/run` runs every benchmark.")
        {
            model, studies, jobs, demo, output, SummaryCommand(context),
        };
        command.SetAction(parseResult =>
        {
            var modelDirectory = parseResult.GetValue(model);
            var studiesDirectory = parseResult.GetValue(studies);
            var runDemo = parseResult.GetValue(demo);
            if (modelDirectory is null != studiesDirectory is null)
                throw new ArgumentException("screen and batch need both --model and --studies.");
            if (modelDirectory is null && !runDemo)
                throw new ArgumentException("nothing to measure: give --model and --studies (screen, batch) and/or --demo.");
            if (modelDirectory is { Exists: false }) throw new DirectoryNotFoundException($"{modelDirectory.FullName}: no such model bundle folder.");
            if (studiesDirectory is { Exists: false }) throw new DirectoryNotFoundException($"{studiesDirectory.FullName}: no such studies folder.");
            var work = parseResult.GetValue(output)!.FullName;
            Directory.CreateDirectory(work);
            var values = new Dictionary<string, double[]>();
            var notes = new List<string>();
            var failures = new List<string>();

            if (modelDirectory is not null)
            {
                var firstStudy = Directory.GetDirectories(studiesDirectory!.FullName).Order(StringComparer.Ordinal).FirstOrDefault()
                                 ?? throw new InvalidDataException($"{studiesDirectory.FullName}: no study subfolders.");
                var screen = Self(["screen", "--model", modelDirectory.FullName, firstStudy, "--json"], Path.Combine(work, "screen.log"));
                Record(values, "screen", screen);
                // Exit 3 (refused: L1/L2 not named) still ran every stage but the heads; 1 is a failure.
                if (screen.ExitCode == ExitCodes.Failure) failures.Add($"screen exited 1 (see {Path.Combine(work, "screen.log")})");
                notes.Add($"screen: {Path.GetFileName(firstStudy)}, exit {screen.ExitCode}");

                var batchOut = Path.Combine(work, "batch-output");
                if (Directory.Exists(batchOut)) Directory.Delete(batchOut, recursive: true); // batch resumes: start empty
                var jobCount = parseResult.GetValue(jobs);
                var batch = Self(["batch", "--model", modelDirectory.FullName, studiesDirectory.FullName, "--out", batchOut, "--jobs", jobCount.ToString(CultureInfo.InvariantCulture)],
                    Path.Combine(work, "batch.log"));
                Record(values, "batch", batch);
                var jsonl = Path.Combine(batchOut, "results.jsonl");
                var rows = File.Exists(jsonl) ? File.ReadLines(jsonl).Count(l => l.Length > 0) : 0;
                values["batchStudies"] = [rows];
                values["batchJobs"] = [jobCount];
                if (batch.ExitCode == ExitCodes.Failure || rows == 0) failures.Add($"batch exited {batch.ExitCode} with {rows} result(s) (see {Path.Combine(work, "batch.log")})");
            }
            if (runDemo)
            {
                var fresh = Path.Combine(work, "demo");
                if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
                Directory.CreateDirectory(fresh);
                var run = Self(["demo", "--cohort", Path.Combine(fresh, "demo-cohort"), "--out", Path.Combine(fresh, "demo-output")], Path.Combine(work, "demo.log"));
                Record(values, "demo", run);
                if (run.ExitCode != ExitCodes.Success) failures.Add($"demo exited {run.ExitCode} (see {Path.Combine(work, "demo.log")})");
            }

            var step = modelDirectory is null ? "demo" : runDemo ? "cli" : "screen-batch";
            var fragment = new BenchFragment(step, failures.Count == 0, failures.Count == 0 ? null : string.Join("; ", failures), values, notes);
            File.WriteAllText(Path.Combine(work, "bench.json"), fragment.ToJson());
            context.Out.Write(BenchSummary.Markdown([fragment], $"osteoml bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores", measuredOnly: true));
            foreach (var failure in failures) context.Error.WriteLine($"error: {failure}");
            return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command SummaryCommand(CliContext context)
    {
        var results = new Argument<DirectoryInfo>("RESULTS") { Description = "A bench/run results folder (STEP.json fragments, machine.md)." };
        var command = new Command("summary", "Write RESULTS/summary.md: every goal of issue 10, measured, met or missed and by how much.") { results };
        command.SetAction(parseResult =>
        {
            var directory = parseResult.GetValue(results)!.FullName;
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no such results folder.");
            var fragments = BenchFragment.ReadFolder(directory);
            if (fragments.Count == 0) throw new InvalidDataException($"{directory}: no STEP.json fragments.");
            var machine = Path.Combine(directory, "machine.md");
            var header = "# Benchmark summary\n\n" + (File.Exists(machine) ? File.ReadAllText(machine).TrimEnd() : "(machine.md missing)");
            var markdown = BenchSummary.Markdown(fragments, header);
            File.WriteAllText(Path.Combine(directory, "summary.md"), markdown);
            context.Out.Write(markdown);
            return fragments.All(f => f.Ok) ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static void Record(Dictionary<string, double[]> values, string name, ProcessMeasurement m)
    {
        values[$"{name}Seconds"] = [m.WallSeconds];
        values[$"{name}PeakRssBytes"] = [m.PeakRssBytes];
        values[$"{name}Exit"] = [m.ExitCode];
    }

    /// <summary>Runs this same osteoml (apphost, or <c>dotnet osteoml.dll</c>) as a new process.</summary>
    private static ProcessMeasurement Self(string[] arguments, string logPath)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running.");
        var prefix = Path.GetFileNameWithoutExtension(host) == "dotnet" ? new[] { Assembly.GetEntryAssembly()!.Location } : [];
        return ProcessMeasurement.Run(host, prefix.Concat(arguments), logPath);
    }
}
