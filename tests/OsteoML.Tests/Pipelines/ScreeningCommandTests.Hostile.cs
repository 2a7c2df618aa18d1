using OsteoML.Pipelines.Sinks;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OsteoML.Cli.Commands;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// Issue 22 on the trained bundle of this class: one batch per output folder and a results reader that survives bad
/// lines (class 5), sealed bundles (class 6), content-keyed and verified caches (class 8), no temporary copies left
/// behind (class 9).
/// </summary>
public sealed partial class ScreeningCommandTests
{
    // ---- class 5: one writer per output folder; bad result lines named and re-screened ------------------------------

    [TestMethod]
    public void A_second_batch_on_a_held_output_folder_is_refused_in_one_line_naming_the_holder()
    {
        var output = TestPaths.NewTempDirectory();
        var lockPath = Path.Combine(output, OutputFolderLock.LockFile);
        File.WriteAllText(Path.Combine(output, OutputFolderLock.HolderFile), "PID 4242 on ward-7, started 2026-12-04 09:00:00 UTC\n");
        // Another process holds the folder's lock (flock(1): the same kernel lock .NET takes for FileShare.None).
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--no-fork", lockPath, "sleep", "120"]))!;
        try
        {
            WaitUntilLocked(lockPath);
            var run = CliRun.Of("batch", "--model", _model, OneSeriesRoot(), "--out", output);
            Assert.AreEqual(1, run.ExitCode, run.Error);
            Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
            StringAssert.Contains(run.Error, "in use by another batch run (PID 4242 on ward-7");
            Assert.IsFalse(File.Exists(Path.Combine(output, "results.jsonl")), "the refused run wrote nothing");
        }
        finally
        {
            holder.Kill(entireProcessTree: true); // --no-fork: the process holding the lock is the one started
            holder.WaitForExit();
        }

        // In one process too, and with the holder the lock itself wrote.
        using (var first = OutputFolderLock.Acquire(output))
        {
            var ex = Assert.Throws<IOException>(() => OutputFolderLock.Acquire(output));
            StringAssert.Contains(ex.Message, $"PID {Environment.ProcessId} on {Environment.MachineName}");
        }
        OutputFolderLock.Acquire(output).Dispose(); // released: free again
    }

    [TestMethod]
    public void Batch_names_a_corrupt_or_torn_result_line_and_screens_that_series_again()
    {
        var root = TestPaths.NewTempDirectory();
        var series = Rows.Skip(3).Take(3).Select(r => (Uid: _data.Column(r, "series_uid"), Dir: Path.Combine(_data.Cohort, _data.Column(r, "series_dir")))).ToList();
        foreach (var (uid, dir) in series) CopyDirectory(dir, Path.Combine(root, uid));
        var output = Path.Combine(TestPaths.NewTempDirectory(), "out");
        var first = CliRun.Of("batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache);
        Assert.AreNotEqual(1, first.ExitCode, first.Error);
        var jsonl = Path.Combine(output, "results.jsonl");
        var lines = File.ReadAllLines(jsonl);
        Assert.HasCount(3, lines);
        var damagedKey = System.Text.Json.JsonDocument.Parse(lines[1]).RootElement.GetProperty("key").GetString();
        lines[1] = lines[1][..(lines[1].Length / 2)] + "\u0000garbage";
        File.WriteAllText(jsonl, string.Join('\n', lines) + "\n{\"key\":\"torn");

        var rerun = CliRun.Of("batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache);

        Assert.AreEqual(first.ExitCode, rerun.ExitCode, rerun.Error);
        StringAssert.Contains(rerun.Error, $"{jsonl}:2: not a result line");
        StringAssert.Contains(rerun.Error, $"{jsonl}:4: torn last line");
        StringAssert.Contains(rerun.Error, "1 series to go");
        var keys = File.ReadAllLines(jsonl).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()).ToList();
        CollectionAssert.AreEquivalent(series.Select(s => s.Uid).ToList(), keys, "each series once, the damaged one screened again");
        Assert.AreEqual(damagedKey, keys[^1]);
        Assert.HasCount(4, File.ReadAllLines(Path.Combine(output, "results.csv")));
    }

    // ---- class 6: sealed bundles -------------------------------------------------------------------------------------

    [TestMethod]
    public void An_edited_bundle_json_is_refused_by_its_seal()
    {
        var copy = CopyOfModel();
        EditManifest(copy, m => m["huLine"]!["slope"] = m["huLine"]!["slope"]!.GetValue<double>() / 2, reseal: false);
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message, "seal does not match its content");
        // Whitespace is not content: a reformatted bundle.json still loads.
        var pretty = CopyOfModel();
        var path = Path.Combine(pretty, ModelBundle.ManifestFile);
        File.WriteAllText(path, JsonNode.Parse(File.ReadAllText(path))!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = false }));
        ModelBundle.Load(pretty);
    }

    [TestMethod]
    [DataRow("../outside.json")]
    [DataRow("/etc/hostname")]
    [DataRow("models/./features/card.json")]
    [DataRow("models//card.json")]
    public void A_listed_path_that_leaves_the_bundle_is_refused_even_with_a_matching_seal(string listed)
    {
        var copy = CopyOfModel();
        EditManifest(copy, m => m["files"]![listed] = new string('0', 64), reseal: true);
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message, $"lists '{listed}', which is not a plain relative path");
    }

    [TestMethod]
    public void A_listed_file_replaced_by_a_device_is_refused_without_reading_it()
    {
        var copy = CopyOfModel();
        var pipeline = Path.Combine(copy, ModelBundle.PipelineFile);
        File.Delete(pipeline);
        File.CreateSymbolicLink(pipeline, "/dev/zero");
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message, "pipeline.json: not a regular file");
    }

    [TestMethod]
    public void Unlisted_files_are_refused_except_in_the_evaluation_folder()
    {
        var copy = CopyOfModel();
        Directory.CreateDirectory(Path.Combine(copy, ModelBundle.EvaluationDirectory));
        File.WriteAllText(Path.Combine(copy, ModelBundle.EvaluationDirectory, "notes.txt"), "optional, never read by loading");
        ModelBundle.Load(copy);
        File.WriteAllText(Path.Combine(copy, ModelBundle.SegmentationDirectory, "extra.onnx"), "x");
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message, "extra.onnx: not listed in bundle.json");
    }

    [TestMethod]
    public void A_schema_1_bundle_is_refused_with_how_to_migrate_and_migrates()
    {
        var copy = CopyOfModel();
        EditManifest(copy, m => { m["schemaVersion"] = 1; m.Remove("seal"); }, reseal: false);
        var message = Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message;
        StringAssert.Contains(message, "bundle schema version 1 has no seal");
        StringAssert.Contains(message, $"osteoml bundle migrate {copy}");
        var run = CliRun.Of("bundle", "migrate", copy);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        Assert.AreEqual(BundleManifest.CurrentSchemaVersion, ModelBundle.Load(copy).Manifest.SchemaVersion);
    }

    // ---- class 8: cache keys follow the content; truncated entries are recomputed ------------------------------------

    [TestMethod]
    public void A_partial_transfer_and_the_complete_series_are_different_cache_entries_and_a_truncated_entry_is_recomputed()
    {
        var row = Rows.First(r => _data.Column(r, "split") == "test");
        var source = Path.Combine(_data.Cohort, _data.Column(row, "series_dir"));
        // A partial transfer: the first two thirds of the slices along the body (a contiguous, shorter series).
        var files = OsteoML.Dicom.Series.DicomSeriesScanner.Scan(source).Accepted.Single().Slices.Select(s => s.File).ToList();
        var study = Path.Combine(TestPaths.NewTempDirectory(), "study");
        Directory.CreateDirectory(study);
        foreach (var file in files.Take(files.Count * 2 / 3)) File.Copy(file, Path.Combine(study, Path.GetFileName(file)));
        var cache = TestPaths.NewTempDirectory();
        var partialFingerprint = OsteoML.Pipelines.Volumes.StudyVolumes.ContentFingerprint(study, "");

        var partial = CliRun.Of("screen", "--model", _model, study, "--json", "--cache-dir", cache);
        foreach (var file in files.Skip(files.Count * 2 / 3)) File.Copy(file, Path.Combine(study, Path.GetFileName(file)));
        var complete = CliRun.Of("screen", "--model", _model, study, "--json", "--cache-dir", cache);

        Assert.AreNotEqual(partialFingerprint, OsteoML.Pipelines.Volumes.StudyVolumes.ContentFingerprint(study, ""));
        Assert.AreNotEqual(1, partial.ExitCode, partial.Error);
        Assert.AreNotEqual(1, complete.ExitCode, complete.Error);
        var entries = Directory.GetFiles(cache, "*.seg", SearchOption.AllDirectories);
        Assert.HasCount(2, entries, "one segmentation per content of the one series UID");

        // Truncate every entry: the next screen verifies, ignores and recomputes them — same result, no failure.
        foreach (var entry in entries.Concat(Directory.GetFiles(cache, "*.json", SearchOption.AllDirectories)))
        {
            var bytes = File.ReadAllBytes(entry);
            File.WriteAllBytes(entry, bytes[..(bytes.Length / 2)]);
        }
        var again = CliRun.Of("screen", "--model", _model, study, "--json", "--cache-dir", cache);
        Assert.AreEqual(complete.ExitCode, again.ExitCode, again.Error);
        Assert.AreEqual(Status(complete.Out), Status(again.Out));
    }

    // ---- class 9: no temporary copies left behind --------------------------------------------------------------------

    [TestMethod]
    public void Screening_leaves_no_copy_of_the_DenseNet_in_the_temp_folder()
    {
        var denseNet = new FileInfo(Path.Combine(_model, ModelBundle.FeaturesDirectory, "model.onnx")).Length;
        var before = TopLevelTempFiles(denseNet);
        string temporary;
        var row = Rows.First(r => _data.Column(r, "split") == "test");
        using (var screener = new Screener(ModelBundle.Load(_model), _data.Cache))
        {
            temporary = screener.TemporaryDirectory;
            var study = StudySource.FromFolder(Path.Combine(_data.Cohort, _data.Column(row, "series_dir"))).Studies.Single();
            screener.Screen(study);
            Assert.IsTrue(Directory.EnumerateFiles(temporary).Any(f => new FileInfo(f).Length == denseNet), "ML.NET copies the DenseNet while the chain is loaded");
        }
        Assert.IsFalse(Directory.Exists(temporary), "disposing the screener removes its copy");
        CollectionAssert.IsSubsetOf(TopLevelTempFiles(denseNet), before, "nothing of the DenseNet's size left in the temp folder");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static string[] TopLevelTempFiles(long size) =>
        Directory.EnumerateFiles(Path.GetTempPath()).Where(f => { try { return new FileInfo(f).Length == size; } catch (IOException) { return false; } }).ToArray();

    private static string? Status(string json) => System.Text.Json.JsonDocument.Parse(json.Trim()).RootElement.GetProperty("status").GetString();

    private static string OneSeriesRoot()
    {
        var root = TestPaths.NewTempDirectory();
        var row = Rows.First();
        CopyDirectory(Path.Combine(_data.Cohort, _data.Column(row, "series_dir")), Path.Combine(root, "study"));
        return root;
    }

    private static void WaitUntilLocked(string lockPath)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var probe = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return;
            }
            Thread.Sleep(20);
        }
        Assert.Fail("flock never took the lock");
    }

    private static string CopyOfModel()
    {
        var copy = Path.Combine(TestPaths.NewTempDirectory(), "model");
        ModelBundle.CopyTo(_model, copy);
        return copy;
    }

    /// <summary>Edits bundle.json; with <paramref name="reseal"/> the seal is recomputed, as an attacker who read our source would.</summary>
    private static void EditManifest(string bundle, Action<JsonObject> edit, bool reseal)
    {
        var path = Path.Combine(bundle, ModelBundle.ManifestFile);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        if (reseal)
        {
            var manifest = System.Text.Json.JsonSerializer.Deserialize<BundleManifest>(node.ToJsonString(), OsteoML.Pipelines.Definitions.PipelineDefinition.Json)!;
            node["seal"] = ModelBundle.ComputeSeal(manifest);
        }
        File.WriteAllText(path, node.ToJsonString());
    }
}
