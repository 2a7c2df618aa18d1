using System.CommandLine;
using System.Globalization;
using System.Text;
using OsteoML.Domain;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Sinks;
using OsteoML.Results;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml results export --results URL --format csv|jsonl [--out FILE] [--model DIR]</c>: the database's results in
/// results.csv's columns or results.jsonl's lines (byte for byte the lines a batch folder holds), every bundle or one.
/// <c>osteoml results status --results URL [--shards N] [--root ROOT] [--model DIR]</c>: done / failed / pending per shard
/// (pending only with ROOT, the study list the workers were given).
/// </summary>
internal static class ResultsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("results", "Read the results database that batch --results writes: export, progress per shard.");
        command.Subcommands.Add(Export(context));
        command.Subcommands.Add(Status(context));
        return command;
    }

    private static Option<DirectoryInfo?> BundleOption() => new("--model", "-m")
    {
        Description = "Only the results of this model bundle (default: export every bundle; status needs it when the database holds several).",
    };

    private static Command Export(CliContext context)
    {
        var results = ResultsOption.Create(required: true);
        var format = new Option<string>("--format") { Description = "csv (results.csv's columns) or jsonl (results.jsonl's lines).", Required = true };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Write to this file (atomically) instead of stdout." };
        var bundle = BundleOption();
        var command = new Command("export", "Write every stored result as CSV or JSON lines.") { results, format, output, bundle };
        command.SetAction(parseResult =>
        {
            using var database = ResultsDatabase.Open(parseResult.GetValue(results)!);
            var rows = database.Read(BundleSha(parseResult.GetValue(bundle)));
            var text = parseResult.GetValue(format) == "csv"
                ? ResultsFolderSink.CsvText(rows.Select(r => r.Result))
                : string.Concat(rows.Select(r => ResultsFolderSink.JsonLine(r.SeriesKey, r.Result) + "\n"));
            if (parseResult.GetValue(output) is { } file)
            {
                AtomicFile.WriteAllText(file.FullName, text);
                context.Error.WriteLine($"wrote {rows.Count} result(s) to {file.FullName}");
            }
            else context.Out.Write(text);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var results = ResultsOption.Create(required: true);
        var shards = new Option<int>("--shards") { Description = "Group by this many shards (the workers' N).", DefaultValueFactory = _ => 1 };
        shards.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--shards must be at least 1"); });
        var root = new Option<FileSystemInfo?>("--root") { Description = "The ROOT the workers screen (folder or manifest): with it, pending studies are counted too." };
        var bundle = BundleOption();
        var command = new Command("status", "Done / failed / pending studies per shard.") { results, shards, root, bundle };
        command.SetAction(parseResult =>
        {
            using var database = ResultsDatabase.Open(parseResult.GetValue(results)!);
            var sha = BundleSha(parseResult.GetValue(bundle)) ?? OnlyBundle(database);
            var expected = parseResult.GetValue(root) is { } r ? Expected(r.FullName) : null;
            var count = parseResult.GetValue(shards);
            var status = sha is null ? Enumerable.Range(0, count).Select(i => new ShardStatus(i, 0, 0, expected?.Count(s => Shard.Of(s.PartitionKey, count) == i))).ToList()
                : database.Status(sha, count, expected);
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"bundle {(sha is null ? "(none yet)" : sha[..12] + "…")} in {database.Location}");
            text.AppendLine("shard\tdone\tfailed\tpending");
            foreach (var s in status) text.AppendLine(CultureInfo.InvariantCulture, $"{s.Shard}\t{s.Done}\t{s.Failed}\t{Pending(s.Pending)}");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"all\t{status.Sum(s => s.Done)}\t{status.Sum(s => s.Failed)}\t{Pending(expected is null ? null : status.Sum(s => s.Pending))}");
            context.Out.Write(text.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Pending(int? pending) => pending?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string? BundleSha(DirectoryInfo? bundle) =>
        bundle is null ? null : ModelBundle.Sha256(Path.Combine(ModelBundle.Load(bundle.FullName).Directory, ModelBundle.ManifestFile));

    /// <summary>The database's one bundle; several are ambiguous (their progress differs), none means nothing was written yet.</summary>
    private static string? OnlyBundle(ResultsDatabase database)
    {
        var bundles = database.Bundles();
        return bundles.Count <= 1 ? bundles.FirstOrDefault()
            : throw new ArgumentException($"the results database holds {bundles.Count} bundles ({string.Join(", ", bundles.Select(b => b[..12] + "…"))}): name one with --model");
    }

    /// <summary>What the workers were given: the studies under the root with the keys batch stores them under.</summary>
    private static List<ShardedStudy> Expected(string root)
    {
        var studies = StudySource.FromPath(root);
        return studies.Studies.Select(s => new ShardedStudy(s.SeriesInstanceUid, ShardOption.KeyOf(s)))
            .Concat(studies.Failures.Select(f => new ShardedStudy(ResultsFolderSink.FailureKey(f), ShardOption.KeyOf(f))))
            .ToList();
    }
}
