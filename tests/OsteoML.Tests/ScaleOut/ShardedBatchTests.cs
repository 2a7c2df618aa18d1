using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Results;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Rendering;
using OsteoML.Tests.Pipelines;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.ScaleOut;

/// <summary>
/// Sharded batch into a real PostgreSQL 15: the built <c>osteoml</c> as four shard processes over synthetic studies (two
/// small cohorts and one corrupt study), one of them killed with SIGKILL mid-run and rerun; then two processes given the
/// same shard; the schema migrated by two openers at once; the password never printed.
/// </summary>
[TestClass]
public sealed class ShardedBatchTests
{
    private const int Shards = 4;

    private static PostgresServer _server = null!;
    private static PipelineTestData _data = null!;
    private static string _model = null!;
    private static string _root = null!;
    private static List<string> _expectedKeys = null!;
    private static string _corruptUid = null!;
    private static readonly List<string> Printed = [];

    [ClassInitialize]
    public static void Build(TestContext _)
    {
        _server = PostgresServer.Start();
        _data = PipelineTestData.Create();
        _model = Path.Combine(_data.Root, "model");
        Cli("train", "--pipeline", _data.QctDefinition, "--cohort", _data.Cohort, "--out", _model, "--cache-dir", _data.Cache).Expect(0);

        // A second small cohort (another seed, so other UIDs), its true masks seeded into the same cache.
        var second = Path.Combine(_data.Root, "cohort-b");
        var written = CohortWriter.Write(SyntheticCohort.Create(CohortPreset.Ci, PipelineTestData.Seed + 1), second, RenderOptions.Reduced);
        Assert.IsEmpty(written.Failures);
        ReferenceSegmentation.SeedCohort(second, _data.Cache, _data.SegmentationModel);

        _root = TestPaths.NewTempDirectory("shard-root");
        var series = new[] { _data.Cohort, second }
            .SelectMany(cohort => File.ReadAllLines(Path.Combine(cohort, "manifest.csv")).Skip(1).Select(l => l.Split(','))
                .Select(row => (Uid: _data.Column(row, "series_uid"), Dir: Path.Combine(cohort, _data.Column(row, "series_dir")))))
            .ToList();
        Assert.AreEqual(series.Count, series.Select(s => s.Uid).Distinct().Count(), "the two cohorts' UIDs differ");
        // The last series becomes the corrupt study: its files cut short in the pixel data, so its headers scan and its pixels do not read.
        foreach (var (uid, dir) in series.SkipLast(1)) CopyDirectory(dir, Path.Combine(_root, uid));
        var corrupt = Path.Combine(_root, "corrupt");
        CopyDirectory(series[^1].Dir, corrupt);
        foreach (var file in Directory.GetFiles(corrupt).Where((_, i) => i % 3 == 1))
        {
            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length * 2 / 3)]);
        }
        _corruptUid = series[^1].Uid;
        // What batch stores: every good series by its UID, and the corrupt one once (by UID when screened, by location when the scan rejects it).
        _expectedKeys = series.SkipLast(1).Select(s => s.Uid).ToList();
    }

    [ClassCleanup]
    public static void Stop() => _server?.Dispose();

    [TestMethod]
    public void Four_shards_one_killed_and_rerun_store_every_series_exactly_once()
    {
        const string database = "four";
        _server.CreateDatabase(database);
        var url = _server.Url(database);
        var outputs = Enumerable.Range(0, Shards).Select(i => Path.Combine(TestPaths.NewTempDirectory("shard-out"), $"shard-{i}")).ToArray();

        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Shards).Select(i => Start(Batch(outputs[i], url, "--shard", $"{i}/{Shards}"))).ToList();
        // SIGKILL shard 0 once it has committed a result: it is then in its next study (the batch screens one at a time).
        while (!workers[0].HasExited && Count(database, "shard_index = 0") < 1 && clock.Elapsed < TimeSpan.FromMinutes(4)) Thread.Sleep(20);
        Assert.IsFalse(workers[0].HasExited, "shard 0 finished before it could be killed");
        workers[0].Kill(entireProcessTree: true); // SIGKILL on Linux: no handler runs, no cleanup
        Finish(workers[0]);
        var atKill = Count(database, "shard_index = 0");
        foreach (var worker in workers.Skip(1)) Finish(worker);
        var rerun = Finish(Start(Batch(outputs[0], url, "--shard", $"0/{Shards}")));
        StringAssert.Contains(rerun.Error, "already there");

        var rows = Rows(database);
        var failed = rows.Where(r => r.Status == "failed").ToList();
        Assert.HasCount(1, failed, "the corrupt study is one failed row");
        Assert.IsTrue(failed[0].SeriesUid == _corruptUid || failed[0].Key.StartsWith("unreadable:", StringComparison.Ordinal), failed[0].Key);
        CollectionAssert.AreEquivalent(_expectedKeys, rows.Where(r => r.Status != "failed").Select(r => r.Key).ToList(), "every good series exactly once");
        foreach (var row in rows)
        {
            Assert.AreEqual(Shards, row.ShardCount);
            Assert.AreEqual(Shard.Of(row.PartitionKey, Shards), row.ShardIndex, $"{row.Key} written by the shard that owns it");
        }
        Assert.IsLessThan(rows.Count(r => r.ShardIndex == 0), atKill, "the kill came before shard 0 was done");
        Assert.IsTrue(rows.All(r => r.Writes == 1), "nothing was written twice: the rerun skipped what the database had");

        // The database's export is the workers' results.jsonl lines: same keys, and the same JSON for the shards that were not
        // killed (as JSON: jsonb keeps an object's members in its own order, so the tissues dictionary may come back reordered).
        var export = Cli("results", "export", "--results", url, "--format", "jsonl").Expect(0).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var local = outputs.SelectMany(o => File.ReadAllLines(Path.Combine(o, "results.jsonl"))).ToList();
        CollectionAssert.AreEquivalent(local.Select(Key).ToList(), export.Select(Key).ToList());
        var exported = export.ToDictionary(Key, l => JsonNode.Parse(l));
        foreach (var line in outputs.Skip(1).SelectMany(o => File.ReadAllLines(Path.Combine(o, "results.jsonl"))))
            Assert.IsTrue(JsonNode.DeepEquals(JsonNode.Parse(line), exported[Key(line)]), $"{Key(line)}: the database holds what results.jsonl holds");
        var csv = Cli("results", "export", "--results", url, "--format", "csv").Expect(0).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(rows.Count + 1, csv);
        StringAssert.StartsWith(csv[0], "study_uid,series_uid,site_key,bmd_pred");

        var status = Cli("results", "status", "--results", url, "--shards", $"{Shards}", "--root", _root).Expect(0).Out;
        StringAssert.Contains(status, $"all\t{rows.Count - 1}\t1\t0");
        AssertPasswordNeverPrinted();
    }

    [TestMethod]
    public void Two_workers_given_the_same_shard_do_not_duplicate_rows()
    {
        const string database = "same";
        _server.CreateDatabase(database);
        var url = _server.Url(database);
        var shard = new Shard(1, Shards);
        var pair = Enumerable.Range(0, 2).Select(_ => Start(Batch(Path.Combine(TestPaths.NewTempDirectory("same-out"), "out"), url, "--shard", shard.ToString()))).ToList();
        foreach (var worker in pair) Finish(worker);

        var rows = Rows(database);
        CollectionAssert.AreEquivalent(_expectedKeys.Where(shard.Owns).ToList(), rows.Where(r => r.Status != "failed").Select(r => r.Key).ToList(),
            "shard 1's series, each once");
        Assert.IsTrue(rows.All(r => Shard.Of(r.PartitionKey, Shards) == shard.Index));
        var status = Cli("results", "status", "--results", url, "--shards", $"{Shards}", "--root", _root).Expect(0).Out;
        var pending = status.Split('\n').Where(l => l.Length > 0 && char.IsDigit(l[0])).Select(l => l.Split('\t')).ToDictionary(f => int.Parse(f[0]), f => int.Parse(f[3]));
        Assert.AreEqual(0, pending[shard.Index]);
        Assert.AreEqual(_expectedKeys.Count + 1 - rows.Count, pending.Values.Sum(), "pending: everything the other shards have not screened");
        AssertPasswordNeverPrinted();
    }

    [TestMethod]
    public void Two_openers_at_once_migrate_the_schema_once_and_a_newer_schema_is_refused()
    {
        const string database = "race";
        _server.CreateDatabase(database);
        var location = ResultsDatabaseLocation.Parse(_server.KeywordsWithPassFile(database));
        var before = new int[4];
        Parallel.For(0, before.Length, i =>
        {
            using var opened = ResultsDatabase.Open(location);
            before[i] = opened.SchemaVersionBefore;
        });
        Assert.AreEqual(1, before.Count(v => v == 0), "exactly one opener found the database empty");
        Assert.AreEqual(ResultsSchema.Current, Count(database, null, "schema_version"));

        using (var connection = _server.Connect(database))
        using (var command = new NpgsqlCommand($"INSERT INTO schema_version (version) VALUES ({ResultsSchema.Current + 1})", connection))
            command.ExecuteNonQuery();
        var ex = Assert.ThrowsExactly<ResultsDatabaseException>(() => ResultsDatabase.Open(location));
        StringAssert.Contains(ex.Message, "newer than this osteoml");
    }

    [TestMethod]
    public void A_wrong_password_is_one_line_naming_the_database_and_not_the_password()
    {
        var run = Cli(["results", "status", "--results", _server.Url("postgres")], password: "not-" + _server.Password);
        Assert.AreEqual(1, run.ExitCode, run.Error);
        StringAssert.Contains(run.Error, "password authentication failed");
        StringAssert.Contains(run.Error, _server.SocketDirectory);
        Assert.IsFalse(run.Error.Contains(_server.Password) || run.Out.Contains(_server.Password));
    }

    private static string[] Batch(string output, string url, params string[] more) =>
        ["batch", "--model", _model, _root, "--out", output, "--cache-dir", _data.Cache, "--results", url, .. more];

    private static void AssertPasswordNeverPrinted()
    {
        lock (Printed)
            Assert.IsFalse(Printed.Any(text => text.Contains(_server.Password)), "the database password appeared in osteoml's output");
    }

    private static string Key(string jsonLine)
    {
        using var json = JsonDocument.Parse(jsonLine);
        return json.RootElement.GetProperty("key").GetString()!;
    }

    private sealed record Row(string Key, string SeriesUid, string PartitionKey, string Status, int ShardIndex, int ShardCount, int Writes);

    private static List<Row> Rows(string database)
    {
        using var connection = _server.Connect(database);
        using var command = new NpgsqlCommand("SELECT series_key, series_uid, partition_key, status, shard_index, shard_count, writes FROM study_results", connection);
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)));
        return rows;
    }

    private static int Count(string database, string? where, string table = "study_results")
    {
        using var connection = _server.Connect(database);
        using var exists = new NpgsqlCommand($"SELECT to_regclass('{table}') IS NOT NULL", connection);
        if (!(bool)exists.ExecuteScalar()!) return 0;
        using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}{(where is null ? "" : " WHERE " + where)}", connection);
        return Convert.ToInt32(command.ExecuteScalar());
    }

    private sealed record Run(int ExitCode, string Out, string Error)
    {
        public Run Expect(int code)
        {
            Assert.AreEqual(code, ExitCode, Error);
            return this;
        }
    }

    /// <summary>The built osteoml as a child process, the password in its environment (never on its command line).</summary>
    private static Process Start(string[] args, string? password = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "osteoml.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PGPASSWORD"] = password ?? _server.Password;
        var process = Process.Start(start)!;
        // Read both streams as they come, so a chatty child never blocks on a full pipe.
        var streams = Streams.GetValue(process, _ => new(new(), new()));
        process.OutputDataReceived += (_, e) => { lock (streams.Out) streams.Out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (streams.Error) streams.Error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private sealed record Captured(System.Text.StringBuilder Out, System.Text.StringBuilder Error);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, Captured> Streams = new();

    private static Run Finish(Process process)
    {
        var streams = Streams.GetValue(process, _ => new(new(), new()));
        if (!process.WaitForExit(TimeSpan.FromMinutes(6))) process.Kill(entireProcessTree: true);
        process.WaitForExit(); // drains the asynchronous readers
        var run = new Run(process.ExitCode, streams.Out.ToString(), streams.Error.ToString());
        lock (Printed) Printed.AddRange([run.Out, run.Error]);
        process.Dispose();
        return run;
    }

    private static Run Cli(params string[] args) => Cli(args, null);

    private static Run Cli(string[] args, string? password) => Finish(Start(args, password));

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }
}
