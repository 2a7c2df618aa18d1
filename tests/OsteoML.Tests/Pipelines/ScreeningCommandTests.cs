using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OsteoML.Calibration;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The commands end to end, in-process (and batch also as a child process that is killed): train → screen with a QA
/// image → calibrate a site → screen applies the profile; batch resumes without losing or duplicating a study and
/// skips a corrupt one.
/// </summary>
[TestClass]
public sealed partial class ScreeningCommandTests
{
    private static PipelineTestData _data = null!;
    private static string _model = null!;

    [ClassInitialize]
    public static void Build(TestContext _)
    {
        _data = PipelineTestData.Create();
        _model = Path.Combine(_data.Root, "model");
        var train = CliRun.Of("train", "--pipeline", _data.QctDefinition, "--cohort", _data.Cohort, "--out", _model, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, train.ExitCode, train.Error);
    }

    private static IEnumerable<string[]> Rows => _data.ManifestLines.Skip(1);

    [TestMethod]
    public void Train_reports_the_test_split_and_writes_its_predictions()
    {
        var predictions = Path.Combine(_model, "evaluation", "test-predictions.csv");
        Assert.IsTrue(File.Exists(predictions));
        var header = File.ReadLines(predictions).First().Split(',');
        foreach (var column in new[] { "id", "split", "site", "bmd_true", "bmd_pred", "class_true", "p_normal", "p_osteopenia", "p_osteoporosis" })
            CollectionAssert.Contains(header, column);
        Assert.IsTrue(File.ReadLines(predictions).Skip(1).All(l => l.Contains(",test,")));
    }

    [TestMethod]
    public void Train_with_a_tuner_records_every_trial_and_the_chosen_heads()
    {
        var model = Path.Combine(TestPaths.NewTempDirectory(), "tuned");
        var run = CliRun.Of("train", "--pipeline", _data.QctDefinition, "--cohort", _data.Cohort, "--out", model, "--cache-dir", _data.Cache,
            "--tuner", "cfo", "--trials", "3");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        var bundle = ModelBundle.Load(model);
        StringAssert.Contains(bundle.Manifest.Heads["bmd"], "tuned (Cfo)");
        StringAssert.Contains(bundle.Manifest.Heads["class"], "tuned (Cfo)");
        foreach (var head in new[] { "bmd", "class" })
        {
            var trials = File.ReadAllLines(Path.Combine(model, $"trials-{head}.csv"));
            Assert.HasCount(4, trials, $"{head}: a header and three trials");
            StringAssert.StartsWith(trials[0], "trial,family,parameters");
        }
        Assert.AreEqual(2, CliRun.Of("train", "--pipeline", _data.QctDefinition, "--cohort", _data.Cohort, "--out", model, "--tuner", "annealing", "--trials", "3").ExitCode);
    }

    [TestMethod]
    public void Screen_recovers_the_reference_BMD_within_three_residual_SDs_of_the_HU_line()
    {
        // The HU baseline on the cohort's true masks. Stated tolerance: for every covered study it was not trained on
        // (internal test and other hospitals) that is unenhanced and at 120 kV — where one HU line holds physically —
        // `screen` returns the QCT reference within 3 residual SDs of the line the training studies gave, and that line
        // carries the signal (SD under 25 mg/cm³ against a cohort SD of about 40). Contrast and 100 kV shift bone HU by
        // tens of mg/cm³ (this cohort's case-00020: +48); the full pipeline's tissue and kVp features are for those.
        var model = Path.Combine(TestPaths.NewTempDirectory(), "baseline");
        var train = CliRun.Of("train", "--pipeline", _data.BaselineDefinition, "--cohort", _data.Cohort, "--out", model, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, train.ExitCode, train.Error);
        var line = ModelBundle.Load(model).Manifest.HuLine!;
        Assert.IsLessThan(25, line.ResidualSd);

        var screened = 0;
        foreach (var row in Rows.Where(r => _data.Column(r, "split") != "train" && _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1"
                                            && _data.Column(r, "contrast_phase") == "none" && _data.Column(r, "kvp") == "120"))
        {
            var run = CliRun.Of("screen", "--model", model, Path.Combine(_data.Cohort, _data.Column(row, "series_dir")), "--json", "--cache-dir", _data.Cache);
            Assert.AreEqual(0, run.ExitCode, run.Error);
            using var json = JsonDocument.Parse(run.Out.Trim());
            var bmd = json.RootElement.GetProperty("bmd").GetDouble();
            var reference = double.Parse(_data.Column(row, "bmd_qct"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.IsLessThanOrEqualTo(3 * line.ResidualSd, Math.Abs(bmd - reference),
                $"{_data.Column(row, "case_id")} ({_data.Column(row, "scanner")}): screened {bmd:F1}, reference {reference:F1}, line SD {line.ResidualSd:F1}");
            screened++;
        }
        Assert.IsGreaterThanOrEqualTo(3, screened);
    }

    [TestMethod]
    public void Screen_prints_json_and_writes_a_QA_image()
    {
        var row = Rows.First(r => _data.Column(r, "split") == "test" && _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1");
        var png = Path.Combine(TestPaths.NewTempDirectory(), "qa.png");
        var run = CliRun.Of("screen", "--model", _model, Path.Combine(_data.Cohort, _data.Column(row, "series_dir")), "--json", "--qa-png", png, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        using var json = JsonDocument.Parse(run.Out.Trim());
        Assert.AreEqual("ok", json.RootElement.GetProperty("status").GetString());
        Assert.AreEqual(_data.Column(row, "series_uid"), json.RootElement.GetProperty("seriesInstanceUid").GetString());
        Assert.IsTrue(json.RootElement.GetProperty("bmd").GetDouble() is > 0 and < 400);
        Assert.AreEqual(2, json.RootElement.GetProperty("levels").GetArrayLength());
        var bytes = File.ReadAllBytes(png);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.IsGreaterThan(20_000, bytes.Length);
    }

    [TestMethod]
    public void Screen_with_own_masks_on_a_NIfTI_CT_measures_their_levels_where_numpy_does()
    {
        // A real CT (NIfTI) with TotalSegmentator's refined bodies as the segmentation: levels come from their labels, the
        // ROI is our in-plane rim of one voxel (1 mm on 3 mm pixels). numpy + scipy compute the same ROI and the centroids.
        var example = TestPaths.Data("real-ct", "totalseg-example");
        var ct = Path.Combine(example, "example_ct.nii.gz");
        var masks = Path.Combine(example, "reference-vertebrae-pp-refined.nii.gz");
        var run = CliRun.Of("screen", "--model", _model, ct, "--masks", masks, "--masks-scheme", "verse", "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        using var json = JsonDocument.Parse(run.Out.Trim());
        Assert.AreEqual("ok", json.RootElement.GetProperty("status").GetString(), run.Out);

        var script = """
            import sys, json, nibabel as nib, numpy as np
            from scipy.ndimage import binary_erosion
            ct = nib.load(sys.argv[1]); lab = nib.load(sys.argv[2])
            hu = np.asanyarray(ct.dataobj).astype(np.float64); labels = np.asanyarray(lab.dataobj)
            cross = np.zeros((3, 3, 1), bool); cross[1, :, 0] = True; cross[:, 1, 0] = True
            out = {}
            for name, code in [("T12", 19), ("L1", 20), ("L2", 21), ("L3", 22), ("L4", 23), ("L5", 24)]:
                m = labels == code
                roi = binary_erosion(m, structure=cross)
                ras = lab.affine @ np.append(np.argwhere(m).mean(axis=0), 1.0)
                out[name] = {"mean": float(hu[roi].mean()), "centroid": [-ras[0], -ras[1], ras[2]]}
            print(json.dumps(out))
            """;
        using var reference = JsonDocument.Parse(ExternalTool.Python(script, ct, masks).EnsureSuccess("numpy ROI").StdOut);
        foreach (var level in json.RootElement.GetProperty("levels").EnumerateArray())
        {
            var name = level.GetProperty("level").GetString()!;
            Assert.AreEqual(reference.RootElement.GetProperty(name).GetProperty("mean").GetDouble(), level.GetProperty("meanHu").GetDouble(), 1e-3, name);
        }
        var vertebrae = json.RootElement.GetProperty("vertebrae").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "T12", "L1", "L2", "L3", "L4", "L5" }, vertebrae.Select(v => v.GetProperty("level").GetString()).ToArray());
        foreach (var v in vertebrae)
        {
            var expected = reference.RootElement.GetProperty(v.GetProperty("level").GetString()!).GetProperty("centroid").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var ours = v.GetProperty("centroidMm").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (var a = 0; a < 3; a++) Assert.AreEqual(expected[a], ours[a], 0.051, $"{v.GetProperty("level")} centroid axis {a}");
            Assert.IsGreaterThan(v.GetProperty("inferiorMm").GetDouble(), v.GetProperty("superiorMm").GetDouble());
        }

        Assert.AreEqual(2, CliRun.Of("screen", "--model", _model, ct, "--masks", masks, "--cache-dir", _data.Cache).ExitCode, "--masks with --cache-dir is a usage error");
    }

    [TestMethod]
    public void Calibrate_writes_a_profile_that_screen_then_applies()
    {
        var site = Rows.Where(r => _data.Column(r, "scanner") == PipelineTestData.CalibrationScanner).ToList();
        Assert.HasCount(PipelineTestData.CalibrationCases, site);
        var cases = Path.Combine(TestPaths.NewTempDirectory(), "cases.csv");
        File.WriteAllLines(cases, [File.ReadLines(Path.Combine(_data.Cohort, "manifest.csv")).First(), .. File.ReadLines(Path.Combine(_data.Cohort, "manifest.csv")).Skip(1)
            .Where(l => l.Contains("," + PipelineTestData.CalibrationScanner + ","))]);
        var calibrated = Path.Combine(TestPaths.NewTempDirectory(), "model2");
        var run = CliRun.Of("calibrate", "--model", _model, "--cohort", _data.Cohort, "--cases", cases, "--out", calibrated, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        var bundle = ModelBundle.Load(calibrated);
        var profile = bundle.Profiles.Profiles.Single();
        Assert.AreEqual(PipelineTestData.CalibrationCases, profile.Cases);
        Assert.IsEmpty(ModelBundle.Load(_model).Profiles.Profiles, "the original bundle is left as it was");

        var series = Path.Combine(_data.Cohort, _data.Column(site.First(r => _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1"), "series_dir"));
        var before = JsonDocument.Parse(CliRun.Of("screen", "--model", _model, series, "--json", "--cache-dir", _data.Cache).Out).RootElement;
        var after = JsonDocument.Parse(CliRun.Of("screen", "--model", calibrated, series, "--json", "--cache-dir", _data.Cache).Out).RootElement;
        Assert.IsFalse(before.TryGetProperty("calibrationProfile", out _));
        StringAssert.Contains(before.GetProperty("calibrationNote").GetString(), "no calibration profile");
        Assert.AreEqual(profile.Describe(), after.GetProperty("calibrationProfile").GetString());
        var global = after.GetProperty("globalBmd").GetDouble();
        Assert.AreEqual(before.GetProperty("bmd").GetDouble(), global, 1e-9);
        Assert.AreEqual(profile.Apply(global, Tissues(after)).Bmd, after.GetProperty("bmd").GetDouble(), 0.05, "tissues are reported to 0.1 HU");
    }

    [TestMethod]
    public void Calibrate_with_phantom_scans_stores_each_kvp_and_screen_applies_it_by_site_and_kvp()
    {
        // The calibration scanner's phantom scans, rendered with its own physics and written with its DICOM identity.
        var phantoms = TestPaths.NewTempDirectory("osteoml-phantoms");
        var written = OsteoML.Synthesis.Output.PhantomScanWriter.Write(OsteoML.Synthesis.Cohort.CohortPreset.Ci, phantoms, new DateOnly(2022, 6, 1), 5,
            s => s.Id == PipelineTestData.CalibrationScanner);
        var calibrated = Path.Combine(TestPaths.NewTempDirectory(), "model3");
        var run = CliRun.Of("calibrate", "--model", _model, "--phantom", phantoms, "--inserts", Path.Combine(phantoms, "inserts.json"), "--out", calibrated);
        Assert.AreEqual(0, run.ExitCode, run.Error);

        var bundle = ModelBundle.Load(calibrated);
        var site = Rows.First(r => _data.Column(r, "scanner") == PipelineTestData.CalibrationScanner && _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1");
        var profile = bundle.PhantomProfiles.Values.Single();
        CollectionAssert.AreEquivalent(written.Select(w => w.Kvp).ToArray(), profile.Calibrations.Select(c => c.Kvp).ToArray());
        foreach (var w in written)
        {
            var c = profile.At(w.Kvp)!;
            // The water rod sits where the scanner's cupping lowers it by up to its cupping depth (4 HU on this scanner).
            Assert.AreEqual(w.OffsetHu, c.Scale.Offset, 4.5, $"{w.Kvp} kV offset");
            Assert.AreEqual(w.GainError, c.Scale.Gain, 0.006, $"{w.Kvp} kV gain");
        }
        Assert.IsEmpty(ModelBundle.Load(_model).PhantomProfiles, "the original bundle is left as it was");

        var series = Path.Combine(_data.Cohort, _data.Column(site, "series_dir"));
        var before = JsonDocument.Parse(CliRun.Of("screen", "--model", _model, series, "--json", "--cache-dir", _data.Cache).Out).RootElement;
        var after = JsonDocument.Parse(CliRun.Of("screen", "--model", calibrated, series, "--json", "--cache-dir", _data.Cache).Out).RootElement;
        Assert.AreEqual(profile.SiteKey, after.GetProperty("siteKey").GetString(), "the phantom's site key is its patients'");
        StringAssert.Contains(after.GetProperty("calibrationNote").GetString(), "phantom at");
        var hu = after.GetProperty("levels").EnumerateArray().Average(l => l.GetProperty("meanHu").GetDouble());
        var scale = profile.At(after.GetProperty("kvp").GetDouble())!.Scale;
        var expected = ScanCalibrations.CorrectBmd(before.GetProperty("bmd").GetDouble(), hu, scale, bundle.Manifest.HuLine!.Slope);
        Assert.AreEqual(expected, after.GetProperty("bmd").GetDouble(), 0.05);
    }

    [TestMethod]
    public void Cuda_on_a_host_without_it_falls_back_to_the_cpu_with_one_notice()
    {
        var row = Rows.First(r => _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1");
        var run = CliRun.Of("screen", "--model", _model, Path.Combine(_data.Cohort, _data.Column(row, "series_dir")), "--device", "cuda:0", "--json", "--cache-dir", _data.Cache);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        var notices = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, notices, run.Error);
        StringAssert.StartsWith(notices[0], "notice: CUDA device 0 is not usable");
        StringAssert.Contains(notices[0], "running on the CPU");
    }

    [TestMethod]
    public void Calibrate_refuses_a_site_with_too_few_cases_in_one_line()
    {
        var cases = Path.Combine(TestPaths.NewTempDirectory(), "cases.csv");
        var lines = File.ReadLines(Path.Combine(_data.Cohort, "manifest.csv")).ToList();
        File.WriteAllLines(cases, [lines[0], .. lines.Skip(1).Where(l => l.Contains("," + PipelineTestData.CalibrationScanner + ",")).Take(3)]);
        var run = CliRun.Of("calibrate", "--model", _model, "--cohort", _data.Cohort, "--cases", cases, "--out", Path.Combine(TestPaths.NewTempDirectory(), "m"), "--cache-dir", _data.Cache);
        Assert.AreEqual(3, run.ExitCode, run.Error);
        StringAssert.Contains(run.Error, "calibration needs at least 5");
    }

    [TestMethod]
    public void Batch_killed_mid_run_resumes_without_losing_or_duplicating_and_skips_a_corrupt_study()
    {
        var root = TestPaths.NewTempDirectory();
        var series = Rows.Select(r => (Uid: _data.Column(r, "series_uid"), Dir: Path.Combine(_data.Cohort, _data.Column(r, "series_dir")))).Take(8).ToList();
        foreach (var (uid, dir) in series)
            CopyDirectory(dir, Path.Combine(root, uid));
        // A study whose files are cut short in the pixel data: its headers scan, its pixels do not read.
        var corrupt = Path.Combine(root, "corrupt");
        CopyDirectory(Path.Combine(_data.Cohort, _data.Column(Rows.ElementAt(series.Count), "series_dir")), corrupt);
        foreach (var file in Directory.GetFiles(corrupt).Where((_, i) => i % 3 == 1))
        {
            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length * 2 / 3)]);
        }
        var output = Path.Combine(TestPaths.NewTempDirectory(), "out");

        // A child process, killed once the first results are on disk.
        var cli = Path.Combine(AppContext.BaseDirectory, "osteoml.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache }) start.ArgumentList.Add(a);
        using (var child = Process.Start(start)!)
        {
            var jsonl = Path.Combine(output, "results.jsonl");
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && (!File.Exists(jsonl) || File.ReadAllLines(jsonl).Length < 2) && clock.Elapsed < TimeSpan.FromMinutes(3))
                Thread.Sleep(20);
            Assert.IsFalse(child.HasExited, $"the batch finished before it could be killed: {child.StandardError.ReadToEnd()}");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        var partial = File.ReadAllLines(Path.Combine(output, "results.jsonl")).Length;
        Assert.IsLessThan(series.Count + 1, partial, "the kill came before the end");

        var rerun = CliRun.Of("batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache, "--truth", Path.Combine(_data.Cohort, "manifest.csv"));
        Assert.AreEqual(3, rerun.ExitCode, rerun.Error);
        StringAssert.Contains(rerun.Error, "resuming");
        StringAssert.Contains(rerun.Error, "failed series");

        var csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        var header = csv[0].Split(',');
        foreach (var column in new[] { "study_uid", "series_uid", "site_key", "bmd_pred", "class_pred", "p_normal", "p_osteopenia", "p_osteoporosis", "calibration_profile", "qa_flags", "status", "error" })
            CollectionAssert.Contains(header, column);
        var seriesColumn = Array.IndexOf(header, "series_uid");
        var statusColumn = Array.IndexOf(header, "status");
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToList();
        CollectionAssert.AreEquivalent(series.Select(s => s.Uid).Append(_data.Column(Rows.ElementAt(series.Count), "series_uid")).ToList(),
            rows.Select(r => r[seriesColumn]).ToList(), "every series exactly once");
        var failed = rows.Where(r => r[statusColumn] == "failed").ToList();
        Assert.HasCount(1, failed, "the corrupt study is one failed row");
        Assert.AreEqual(_data.Column(Rows.ElementAt(series.Count), "series_uid"), failed[0][seriesColumn]);
        Assert.HasCount(series.Count + 1, File.ReadAllLines(Path.Combine(output, "results.jsonl")));
        var predictions = File.ReadAllLines(Path.Combine(output, "predictions.csv"));
        Assert.AreEqual(rows.Count(r => r[statusColumn] == "ok"), predictions.Length - 1);
    }

    [TestMethod]
    public void Batch_stopped_by_sigterm_finishes_the_studies_in_hand_records_them_and_resumes()
    {
        var root = TestPaths.NewTempDirectory();
        var series = Rows.Select(r => (Uid: _data.Column(r, "series_uid"), Dir: Path.Combine(_data.Cohort, _data.Column(r, "series_dir")))).Take(8).ToList();
        foreach (var (uid, dir) in series)
            CopyDirectory(dir, Path.Combine(root, uid));
        var output = Path.Combine(TestPaths.NewTempDirectory(), "out");
        var jsonl = Path.Combine(output, "results.jsonl");

        // SIGTERM (what Kubernetes and Slurm send) once the first result is on disk.
        var cli = Path.Combine(AppContext.BaseDirectory, "osteoml.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache, "--jobs", "2" }) start.ArgumentList.Add(a);
        string error;
        int exitCode;
        using (var child = Process.Start(start)!)
        {
            var stderr = child.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && (!File.Exists(jsonl) || File.ReadAllLines(jsonl).Length < 1) && clock.Elapsed < TimeSpan.FromMinutes(3))
                Thread.Sleep(20);
            Assert.IsFalse(child.HasExited, $"the batch finished before it could be stopped: {stderr.Result}");
            using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.IsTrue(child.WaitForExit(TimeSpan.FromMinutes(3)), "the batch did not stop after SIGTERM");
            exitCode = child.ExitCode;
            error = stderr.Result;
        }
        Assert.AreEqual(130, exitCode, error);
        StringAssert.Contains(error, "stopped by a signal");
        var recorded = File.ReadAllLines(jsonl);
        Assert.IsLessThan(series.Count, recorded.Length, "the signal came before the end");
        // Nothing torn, and results.csv was written from what is recorded: one row per recorded line.
        foreach (var line in recorded) JsonDocument.Parse(line).Dispose();
        Assert.HasCount(recorded.Length + 1, File.ReadAllLines(Path.Combine(output, "results.csv")));

        var rerun = CliRun.Of("batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, rerun.ExitCode, rerun.Error);
        StringAssert.Contains(rerun.Error, $"resuming: {recorded.Length} result(s)");
        var keys = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()).ToList();
        CollectionAssert.AreEquivalent(series.Select(s => s.Uid).ToList(), keys, "every series exactly once");
    }

    private static double[] Tissues(JsonElement result) =>
        new[] { "air_hu", "fat_hu", "muscle_hu", "blood_hu" }.Select(t => result.GetProperty("tissues").TryGetProperty(t, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToArray();

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
    }
}
