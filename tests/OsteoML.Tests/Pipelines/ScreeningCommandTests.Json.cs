using System.Text.Json.Nodes;
using OsteoML.Pipelines.Bundles;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

public sealed partial class ScreeningCommandTests
{
    /// <summary>
    /// <c>calibrate --json</c>: stdout is one JSON object naming the bundle written and, per site, what the profile in it
    /// holds (site key, method, cases, thresholds, leave-one-out MAE); a refused site is listed with its reason.
    /// </summary>
    [TestMethod]
    public void Calibrate_json_is_one_object_describing_the_profiles_written()
    {
        var manifest = File.ReadLines(Path.Combine(_data.Cohort, "manifest.csv")).ToList();
        var cases = Path.Combine(TestPaths.NewTempDirectory(), "cases.csv");
        File.WriteAllLines(cases, [manifest[0], .. manifest.Skip(1).Where(l => l.Contains("," + PipelineTestData.CalibrationScanner + ","))]);
        var calibrated = Path.Combine(TestPaths.NewTempDirectory(), "model-json");
        var run = CliRun.Of("calibrate", "--model", _model, "--cohort", _data.Cohort, "--cases", cases, "--out", calibrated, "--cache-dir", _data.Cache, "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error);

        var summary = JsonNode.Parse(run.Out)!.AsObject();
        Assert.AreEqual("profiles", summary["run"]!.GetValue<string>());
        Assert.AreEqual(calibrated, summary["directory"]!.GetValue<string>());
        Assert.IsEmpty(summary["refused"]!.AsArray());
        var profile = ModelBundle.Load(calibrated).Profiles.Profiles.Single();
        var site = summary["sites"]!.AsArray().Single()!;
        Assert.AreEqual(profile.SiteKey, site["siteKey"]!.GetValue<string>());
        Assert.AreEqual(profile.Cases, site["cases"]!.GetValue<int>());
        Assert.AreEqual(char.ToLowerInvariant(profile.Correction.Method.ToString()[0]) + profile.Correction.Method.ToString()[1..], site["method"]!.GetValue<string>());
        Assert.AreEqual(profile.Thresholds.OsteoporosisBelow, site["osteoporosisBelow"]!.GetValue<double>());
        Assert.AreEqual(profile.Thresholds.NormalAbove, site["normalAbove"]!.GetValue<double>());
        Assert.AreEqual(profile.CrossValidation.ChosenMae, site["leaveOneOutMae"]!.GetValue<double>(), 1e-12);

        var few = Path.Combine(TestPaths.NewTempDirectory(), "few.csv");
        File.WriteAllLines(few, [manifest[0], .. manifest.Skip(1).Where(l => l.Contains("," + PipelineTestData.CalibrationScanner + ",")).Take(3)]);
        var refused = CliRun.Of("calibrate", "--model", _model, "--cohort", _data.Cohort, "--cases", few, "--out", Path.Combine(TestPaths.NewTempDirectory(), "m"), "--cache-dir", _data.Cache, "--json");
        Assert.AreEqual(3, refused.ExitCode, refused.Error);
        var reasons = JsonNode.Parse(refused.Out)!["refused"]!.AsArray();
        Assert.HasCount(1, reasons);
        StringAssert.Contains(reasons[0]!.GetValue<string>(), "calibration needs at least 5");
    }
}
