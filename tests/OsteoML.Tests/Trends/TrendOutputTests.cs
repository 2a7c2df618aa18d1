using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;
using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Trends;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Rendering;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Trends;

/// <summary>A follow-up cohort written as DICOM, listed with a patient key, its results trended by <c>osteoml trend</c>: the studies of a
/// patient are linked through the headers' PatientID, and no PatientID appears in any file written.</summary>
[TestClass]
public sealed class TrendOutputTests
{
    [TestMethod]
    public void Studies_are_linked_by_the_keyed_patient_id_and_no_id_reaches_an_output()
    {
        var root = TestPaths.NewTempDirectory("osteoml-trend");
        var preset = TrendValidationTests.Preset(2) with { Hospitals = TrendValidationTests.Preset(2).Hospitals.Select(h => h with
        {
            Scanners = h.Scanners.Select(s => s with { Cases = s.Id == "H1-CT1" ? new SplitCounts(Test: 3) : new SplitCounts() }).ToList(),
        }).ToList(), FollowUps = new FollowUpOptions { Share = 1, RescanShare = 1, SecondShare = 0 } };
        var cohort = SyntheticCohort.Create(preset, 3);
        var written = CohortWriter.Write(cohort, Path.Combine(root, "cohort"), RenderOptions.Reduced);
        Assert.AreEqual(0, written.Failures.Count);
        var ids = cohort.Cases.Select(c => c.Identity.PatientId).Distinct().ToList();
        Assert.AreEqual(3, ids.Count);
        Assert.AreEqual(9, cohort.Cases.Count); // baseline, rescan and follow-up of each

        var keyer = new PatientKeyer("trend-output-test-secret-0123456789");
        var studies = StudySource.FromFolder(Path.Combine(root, "cohort", "cases"), keyer).Studies;
        Assert.AreEqual(9, studies.Count);
        Assert.AreEqual(3, studies.Select(s => s.PatientKey).Distinct().Count());
        Assert.IsTrue(studies.All(s => s.PatientKey.Length == 32 && s.StudyDate is not null));
        var fromManifest = StudySource.FromManifest(Path.Combine(root, "cohort", "manifest.csv"), keyer: keyer).Studies;
        CollectionAssert.AreEquivalent(studies.Select(s => s.PatientKey).ToList(), fromManifest.Select(s => s.PatientKey).ToList());

        // Results as screening writes them (a BMD that falls with the study date), then the command on the results folder.
        var results = Path.Combine(root, "results");
        using (var sink = new ResultsFolderSink(results))
        {
            foreach (var s in studies)
                sink.Append(s.SeriesInstanceUid, new StudyResult
                {
                    StudyInstanceUid = s.StudyInstanceUid, SeriesInstanceUid = s.SeriesInstanceUid, SiteKey = s.SiteKey, Status = StudyStatus.Ok,
                    Bmd = 120 - 4 * (s.StudyDate!.Value.DayNumber % 7) - 0.02 * (s.StudyDate.Value.DayNumber - 737000),
                    PatientKey = s.PatientKey, StudyDate = s.StudyDate,
                });
            sink.Complete();
        }
        var output = Path.Combine(root, "trends");
        var run = CliRun.Of("trend", results, "--out", output);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "3 patient(s)");
        StringAssert.Contains(run.Out, "from 3 rescan pair(s)");
        Assert.AreEqual(4, File.ReadAllLines(Path.Combine(output, "trends.csv")).Length);
        Assert.AreEqual(3, Directory.GetFiles(Path.Combine(output, "plots"), "*.png").Length);

        foreach (var file in Directory.GetFiles(results).Concat(Directory.GetFiles(output, "*", SearchOption.AllDirectories)))
        {
            var bytes = File.ReadAllBytes(file);
            var text = System.Text.Encoding.Latin1.GetString(bytes);
            foreach (var id in ids) Assert.IsFalse(text.Contains(id, StringComparison.Ordinal), $"{file} holds a PatientID");
        }
        foreach (var id in ids) Assert.IsFalse(run.Out.Contains(id) || run.Error.Contains(id));
    }

    private static string Results(string root, string name, params (string Key, string Date, double Bmd)[] studies)
    {
        var file = Path.Combine(root, name);
        File.WriteAllLines(file, studies.Select((s, i) => ResultsFolderSink.JsonLine($"s{i}", new StudyResult
        {
            StudyInstanceUid = $"1.2.{i}", SeriesInstanceUid = $"1.3.{name.Length}.{i}", SiteKey = "A", Status = StudyStatus.Ok, Bmd = s.Bmd,
            PatientKey = s.Key, StudyDate = DateOnly.Parse(s.Date, System.Globalization.CultureInfo.InvariantCulture),
        })));
        return file;
    }

    [TestMethod]
    public void The_lsc_is_given_or_measured_on_another_set_of_results()
    {
        var root = TestPaths.NewTempDirectory("osteoml-trend");
        var followUps = Results(root, "follow-ups.jsonl", ("p", "2020-01-01", 100), ("p", "2022-01-01", 94));
        var given = CliRun.Of("trend", followUps, "--lsc", "5");
        Assert.AreEqual(0, given.ExitCode, given.Error);
        StringAssert.Contains(given.Out, "LSC 5.0 mg/cm³ (given");
        StringAssert.Contains(given.Out, "1 significant loss");
        // Rescan differences 3 and −4: RMS-SD 2.5, LSC 6.9 — the 6 mg/cm³ loss is then within it.
        var precision = Results(root, "precision.jsonl", ("a", "2020-01-01", 100), ("a", "2020-01-05", 103), ("b", "2020-01-01", 80), ("b", "2020-01-02", 76));
        var measured = CliRun.Of("trend", followUps, "--precision-from", precision);
        Assert.AreEqual(0, measured.ExitCode, measured.Error);
        StringAssert.Contains(measured.Out, "precision SD 2.5 mg/cm³ from 2 rescan pair(s), LSC 6.9");
        StringAssert.Contains(measured.Out, "1 stable");
        Assert.AreEqual(2, CliRun.Of("trend", followUps, "--lsc", "5", "--precision-from", precision).ExitCode);
    }

    [TestMethod]
    public void Without_a_patient_key_the_command_says_how_to_enable_it()
    {
        var root = TestPaths.NewTempDirectory("osteoml-trend");
        var file = Path.Combine(root, "results.jsonl");
        File.WriteAllText(file, ResultsFolderSink.JsonLine("s", new StudyResult { StudyInstanceUid = "1.2", SeriesInstanceUid = "1.3", SiteKey = "A", Status = StudyStatus.Ok, Bmd = 100 }) + "\n");
        var run = CliRun.Of("trend", file);
        Assert.AreEqual(1, run.ExitCode);
        StringAssert.Contains(run.Error, PatientKeyer.EnvironmentVariable);
    }
}
