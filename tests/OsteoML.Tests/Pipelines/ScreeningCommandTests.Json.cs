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

    /// <summary>
    /// <c>calibrate --learning-curve --json</c> and <c>calibrate --phantom --json</c>: one JSON object each, whose points
    /// are the learning curve's CSV rows and whose fits are the phantom profile the bundle now holds.
    /// </summary>
    [TestMethod]
    public void Calibrate_json_covers_the_learning_curve_and_phantom_runs()
    {
        var directory = Path.Combine(TestPaths.NewTempDirectory(), "curve");
        var curve = CliRun.Of("calibrate", "--model", _model, "--cohort", _data.Cohort, "--learning-curve", "--ks", "5", "--draws", "3", "--out", directory,
            "--cache-dir", _data.Cache, "--json");
        Assert.AreEqual(0, curve.ExitCode, curve.Error);
        var summary = JsonNode.Parse(curve.Out)!.AsObject();
        Assert.AreEqual("learningCurve", summary["run"]!.GetValue<string>());
        var points = summary["learningCurve"]!.AsArray();
        var csv = File.ReadAllLines(Path.Combine(directory, "learning-curve.csv"));
        Assert.HasCount(csv.Length - 1, points, "one point per CSV row");
        var header = csv[0].Split(',');
        foreach (var (point, row) in points.Zip(csv.Skip(1).Select(l => l.Split(','))))
        {
            Assert.AreEqual(row[Array.IndexOf(header, "k")], point!["k"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.AreEqual(row[Array.IndexOf(header, "draws")], point["draws"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (point["draws"]!.GetValue<int>() > 0)
                Assert.AreEqual(double.Parse(row[Array.IndexOf(header, "mae_mean")], System.Globalization.CultureInfo.InvariantCulture), point["maeMean"]!.GetValue<double>(), 1e-9);
            else Assert.IsNull(point["maeMean"]);
        }

        var phantoms = TestPaths.NewTempDirectory("osteoml-phantoms-json");
        OsteoML.Synthesis.Output.PhantomScanWriter.Write(OsteoML.Synthesis.Cohort.CohortPreset.Ci, phantoms, new DateOnly(2022, 6, 1), 5,
            s => s.Id == PipelineTestData.CalibrationScanner);
        var calibrated = Path.Combine(TestPaths.NewTempDirectory(), "model-phantom-json");
        var run = CliRun.Of("calibrate", "--model", _model, "--phantom", phantoms, "--inserts", Path.Combine(phantoms, "inserts.json"), "--out", calibrated, "--json");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        var fits = JsonNode.Parse(run.Out)!["phantoms"]!.AsArray();
        var profile = ModelBundle.Load(calibrated).PhantomProfiles.Values.Single();
        CollectionAssert.AreEquivalent(profile.Calibrations.Select(c => c.Kvp).ToArray(), fits.Select(f => f!["kvp"]!.GetValue<int>()).ToArray());
        foreach (var fit in fits)
        {
            Assert.AreEqual(profile.SiteKey, fit!["site"]!.GetValue<string>());
            Assert.AreEqual(profile.At(fit["kvp"]!.GetValue<int>())!.SlopeHuPerMg, fit["slopeHuPerMg"]!.GetValue<double>(), 1e-12);
        }
    }
}
