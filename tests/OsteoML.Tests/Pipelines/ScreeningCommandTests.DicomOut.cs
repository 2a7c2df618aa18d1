using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Pipelines.Bundles;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The commands' DICOM outputs and traceability: <c>screen --dicom-out</c> files an SR, SEG and QA capture into the
/// source study (valid for dciodvfy), the JSON and CSV carry the bundle hash, osteoml version and schema version and no
/// patient identity; <c>batch</c> refuses an output folder written by another bundle unless <c>--redo</c>.
/// </summary>
public sealed partial class ScreeningCommandTests
{
    [TestMethod]
    public void Screen_with_dicom_out_files_SR_SEG_and_QA_capture_into_the_source_study()
    {
        var row = Rows.First(r => _data.Column(r, "split") == "test" && _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1");
        var seriesDir = Path.Combine(_data.Cohort, _data.Column(row, "series_dir"));
        var output = Path.Combine(TestPaths.NewTempDirectory(), "dicom");
        var run = CliRun.Of("screen", "--model", _model, seriesDir, "--json", "--cache-dir", _data.Cache, "--dicom-out", output);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        using var json = JsonDocument.Parse(run.Out.Trim());
        var result = json.RootElement;
        var bundleSha = ModelBundle.Sha256(Path.Combine(_model, ModelBundle.ManifestFile));
        Assert.AreEqual(bundleSha, result.GetProperty("bundleSha256").GetString());
        Assert.AreEqual(OsteoML.Pipelines.Screening.ResultProvenance.ResultSchemaVersion, result.GetProperty("resultSchemaVersion").GetInt32());
        Assert.IsFalse(string.IsNullOrEmpty(result.GetProperty("osteomlVersion").GetString()));

        var source = DicomFile.Open(Directory.GetFiles(seriesDir).Order(StringComparer.Ordinal).First()).Dataset;
        foreach (var identity in new[] { source.GetString(DicomTag.PatientID), source.GetString(DicomTag.PatientName) })
        {
            Assert.DoesNotContain(identity, run.Out, "no patient identity in the JSON");
            Assert.DoesNotContain(identity, run.Error, "nor in the log");
        }

        var folder = Path.Combine(output, source.GetString(DicomTag.StudyInstanceUID));
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(new[] { "qa-", "seg-", "sr-" }, files.Select(f => Path.GetFileName(f)[..(Path.GetFileName(f).IndexOf('-') + 1)]).ToArray());
        foreach (var file in files)
        {
            var check = ExternalTool.Run("dciodvfy", [file]);
            Assert.IsFalse((check.StdErr + check.StdOut).Split('\n').Any(l => l.StartsWith("Error", StringComparison.Ordinal)), $"{file}:\n{check.StdErr}");
            var ds = DicomFile.Open(file).Dataset;
            Assert.AreEqual(source.GetString(DicomTag.PatientID), ds.GetString(DicomTag.PatientID));
            Assert.AreEqual(source.GetString(DicomTag.StudyInstanceUID), ds.GetString(DicomTag.StudyInstanceUID));
        }
        var dump = ExternalTool.Run("dsrdump", ["+Pl", files.Single(f => Path.GetFileName(f).StartsWith("sr-", StringComparison.Ordinal))]).EnsureSuccess("dsrdump").StdOut;
        StringAssert.Contains(dump, bundleSha);
        StringAssert.Contains(dump, result.GetProperty("bmd").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public void Batch_refuses_an_output_folder_of_another_bundle_and_redo_screens_its_series_again()
    {
        var root = TestPaths.NewTempDirectory();
        var series = Rows.Where(r => _data.Column(r, "split") == "test").Take(2).Select(r => (Uid: _data.Column(r, "series_uid"), Dir: Path.Combine(_data.Cohort, _data.Column(r, "series_dir")))).ToList();
        foreach (var (uid, dir) in series)
            CopyDirectory(dir, Path.Combine(root, uid));
        var output = Path.Combine(TestPaths.NewTempDirectory(), "out");
        var first = CliRun.Of("batch", "--model", _model, root, "--out", output, "--cache-dir", _data.Cache);
        Assert.AreEqual(0, first.ExitCode, first.Error);
        var csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        var header = csv[0].Split(',');
        var bundleSha = ModelBundle.Sha256(Path.Combine(_model, ModelBundle.ManifestFile));
        Assert.IsTrue(csv.Skip(1).All(l => l.Split(',')[Array.IndexOf(header, "bundle_sha256")] == bundleSha), "every CSV row names the bundle");
        Assert.IsTrue(csv.Skip(1).All(l => l.Split(',')[Array.IndexOf(header, "result_schema_version")] == OsteoML.Pipelines.Screening.ResultProvenance.ResultSchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var other = Path.Combine(TestPaths.NewTempDirectory(), "baseline");
        Assert.AreEqual(0, CliRun.Of("train", "--pipeline", _data.BaselineDefinition, "--cohort", _data.Cohort, "--out", other, "--cache-dir", _data.Cache).ExitCode);
        var refused = CliRun.Of("batch", "--model", other, root, "--out", output, "--cache-dir", _data.Cache);
        Assert.AreEqual(1, refused.ExitCode, refused.Error);
        Assert.HasCount(1, refused.Error.Trim().Split('\n'), refused.Error);
        StringAssert.Contains(refused.Error, "--redo");
        Assert.HasCount(series.Count, File.ReadAllLines(Path.Combine(output, "results.jsonl")), "the refused run changed nothing");

        var redo = CliRun.Of("batch", "--model", other, root, "--out", output, "--cache-dir", _data.Cache, "--redo");
        Assert.AreEqual(0, redo.ExitCode, redo.Error);
        var otherSha = ModelBundle.Sha256(Path.Combine(other, ModelBundle.ManifestFile));
        var lines = File.ReadAllLines(Path.Combine(output, "results.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("result")).ToList();
        Assert.HasCount(series.Count, lines, "each series once, screened again");
        Assert.IsTrue(lines.All(r => r.GetProperty("bundleSha256").GetString() == otherSha));
    }
}
