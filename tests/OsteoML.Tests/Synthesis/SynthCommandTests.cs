using OsteoML.Cli;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Synthesis;

[TestClass]
public sealed class SynthCommandTests
{
    [TestMethod]
    public void Cohort_from_a_custom_preset_file_is_written_in_the_requested_transfer_syntax()
    {
        var dir = TestPaths.NewTempDirectory();
        var presetPath = Path.Combine(dir, "two-sites.json");
        var ci = CohortPreset.Ci;
        var small = ci with
        {
            Name = "two-sites",
            Hospitals =
            [
                ci.Hospitals[0] with { Scanners = [ci.Hospitals[0].Scanners[0] with { Cases = new SplitCounts(Train: 1) }] },
                ci.Hospitals[3] with { Scanners = [ci.Hospitals[3].Scanners[0] with { Cases = new SplitCounts(Independent: 1) }] },
            ],
        };
        File.WriteAllText(presetPath, small.ToJson());
        var output = Path.Combine(dir, "cohort");

        var run = CliRun.Of("synth", "cohort", "--preset", presetPath, "--seed", "3", "--out", output, "--transfer-syntax", "deflate");

        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "Wrote 2 of 2 cases (1 train / 0 test / 1 independent)");
        var lines = File.ReadAllLines(Path.Combine(output, "manifest.csv"));
        Assert.HasCount(3, lines);
        var series = Path.Combine(output, "cases", "case-00002", "dicom");
        Assert.AreEqual(DicomTransferSyntax.DeflatedExplicitVRLittleEndian.UID, DicomFile.Open(Directory.GetFiles(series)[0]).TransferSyntax.UID);
        var volume = CtVolume.Load(series);
        Assert.AreEqual("Westmoor Clinic", volume.Acquisition.InstitutionName);
    }

    [TestMethod]
    public void Preset_prints_JSON_that_defines_the_same_cohort()
    {
        var run = CliRun.Of("synth", "preset", "paper");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode);
        var path = Path.Combine(TestPaths.NewTempDirectory(), "paper.json");
        File.WriteAllText(path, run.Out);
        var preset = CohortPreset.Resolve(path);
        Assert.AreEqual(1219, preset.Total);
        Assert.AreEqual(340, preset.Count(OsteoML.Synthesis.CohortSplit.Independent));
    }

    [TestMethod]
    public void Summary_prints_each_scanners_line_noise_and_the_class_shares()
    {
        var run = CliRun.Of("synth", "summary", "--preset", "ci", "--per-scanner", "1");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        foreach (var scanner in CohortPreset.Ci.Hospitals.SelectMany(h => h.Scanners))
            StringAssert.Contains(run.Out, scanner.Id);
        StringAssert.Contains(run.Out, "osteoporosis");
        StringAssert.Contains(run.Out, "6 cases rendered");
    }

    [TestMethod]
    public void Unknown_preset_fails_with_one_line_and_a_bad_size_is_a_usage_error()
    {
        var dir = TestPaths.NewTempDirectory();
        var run = CliRun.Of("synth", "cohort", "--preset", "no-such", "--out", dir);
        Assert.AreEqual(ExitCodes.Failure, run.ExitCode);
        Assert.AreEqual("error: Unknown preset 'no-such': use paper, demo, ci, trend or the path of a preset JSON file.", run.Error.Trim());

        run = CliRun.Of("synth", "cohort", "--preset", "ci", "--out", dir, "--size", "huge");
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode);
        StringAssert.Contains(run.Error, "huge");
        Assert.IsEmpty(Directory.GetFiles(dir));
    }
}
