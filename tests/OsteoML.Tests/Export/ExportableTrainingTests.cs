using System.Globalization;
using System.Text.Json.Nodes;
using OsteoML.AutoTune.Experiments;
using OsteoML.Cli;
using OsteoML.Export.Onnx;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

/// <summary>
/// <c>osteoml train --exportable</c> against <c>osteoml export onnx</c>, on the export fixture's cohort (features cached):
/// the repository's qct-screening definition lists onnx under exports, so its tuner keeps to trainers that convert;
/// a trainer that does not convert is refused up front, or trained with one warning when asked to.
/// </summary>
[TestClass]
public sealed class ExportableTrainingTests
{
    private static string Definition => Path.Combine(TestPaths.RepoRoot, "pipelines", "qct-screening.json");

    /// <summary>
    /// The tuner searches only the families the ONNX exporter converts (the log names them; no trial of GAM or Poisson),
    /// the bundle exports to ONNX, and <c>--json</c> is one object whose heads and test metrics match the bundle's trial
    /// logs and its test predictions (MAE and accuracy recomputed here from the predictions file).
    /// </summary>
    [TestMethod]
    public void ATunedTrainingForOnnxPicksOnlyConvertibleTrainersAndExports()
    {
        var data = ExportTestData.Instance;
        var model = Path.Combine(TestPaths.NewTempDirectory("osteoml-exportable"), "model");
        var run = CliRun.Of("train", "--pipeline", Definition, "--cohort", data.Cohort, "--out", model, "--tuner", "cfo", "--trials", "10", "--json");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);

        foreach (var (head, task) in new[] { ("bmd", HeadTask.BmdRegression), ("class", HeadTask.ClassMulticlass) })
        {
            var convertible = TrainerCatalog.For(task).Select(f => f.Name).Where(n => n is not "Gam" and not "LbfgsPoisson").ToArray();
            StringAssert.Contains(run.Error, $"tuning the {head} head (Cfo, 10 trials; {string.Join(", ", convertible)})");
            var families = File.ReadLines(Path.Combine(model, $"trials-{head}.csv")).Skip(1).Select(l => l.Split(',')[1]).ToList();
            Assert.HasCount(10, families);
            CollectionAssert.IsSubsetOf(families.Distinct().ToList(), convertible, $"{head}: trials of {string.Join(", ", families.Distinct())}");
        }

        // stdout is exactly one JSON object.
        var summary = JsonNode.Parse(run.Out)!.AsObject();
        Assert.AreEqual(model, summary["bundle"]!.GetValue<string>());
        Assert.AreEqual("qct-screening", summary["pipeline"]!.GetValue<string>());
        var heads = summary["heads"]!.AsArray();
        CollectionAssert.AreEqual(new[] { "bmdRegression", "classMulticlass" }, heads.Select(h => h!["head"]!.GetValue<string>()).ToArray());
        foreach (var (h, head) in heads.Zip(new[] { "bmd", "class" }))
        {
            Assert.AreEqual("cfo", h!["tuner"]!.GetValue<string>());
            Assert.IsTrue(h["exportsToOnnx"]!.GetValue<bool>());
            // The tuner's rule, applied to the log: the completed trial of least loss, the first on ties.
            var log = OsteoML.Export.BundleHeads.ReadTrials(Path.Combine(model, $"trials-{head}.csv"), head == "bmd" ? HeadTask.BmdRegression : HeadTask.ClassMulticlass);
            var winner = log.Where(t => t.Status == TrialStatus.Completed && double.IsFinite(t.Loss)).MinBy(t => t.Loss)!;
            Assert.AreEqual(winner.Family, h["trainer"]!.GetValue<string>(), head);
            Assert.AreEqual(winner.Metric!.Value, h["crossValidation"]!["value"]!.GetValue<double>(), 1e-9, head);
            // Parameters at full precision (the log keeps 4 significant digits).
            var parameters = h["parameters"]!.AsObject();
            CollectionAssert.AreEquivalent(winner.Parameters.Keys.ToArray(), parameters.Select(p => p.Key).ToArray(), head);
            foreach (var (name, value) in winner.Parameters.Where(p => p.Value is double or int))
                Assert.AreEqual(Convert.ToDouble(value, CultureInfo.InvariantCulture), parameters[name]!.GetValue<double>(), 5e-4 * Math.Abs(Convert.ToDouble(value, CultureInfo.InvariantCulture)), $"{head} {name}");
        }

        var test = summary["test"]!;
        var predictions = File.ReadAllLines(test["predictions"]!.GetValue<string>());
        var header = predictions[0].Split(',');
        var cells = predictions.Skip(1).Select(l => l.Split(',')).ToList();
        double Column(string[] row, string name) => D(row[Array.IndexOf(header, name)]);
        Assert.AreEqual(cells.Count, test["studies"]!.GetValue<int>());
        Assert.AreEqual(cells.Average(c => Math.Abs(Column(c, "bmd_pred") - Column(c, "bmd_true"))), test["metrics"]!["mae"]!.GetValue<double>(), 1e-9);
        string[] classes = ["normal", "osteopenia", "osteoporosis"];
        var right = cells.Count(c => classes[new[] { "p_normal", "p_osteopenia", "p_osteoporosis" }.Select(p => Column(c, p)).Select((p, i) => (p, i)).MaxBy(x => x.p).i]
            == c[Array.IndexOf(header, "class_true")]);
        Assert.AreEqual(right / (double)cells.Count, test["metrics"]!["accuracy"]!.GetValue<double>(), 1e-9);

        var export = CliRun.Of("export", "onnx", "--model", model, "--out", TestPaths.NewTempDirectory("osteoml-exportable-onnx"));
        Assert.AreEqual(ExitCodes.Success, export.ExitCode, export.Error);
    }

    /// <summary>
    /// A definition that fixes GAM for the BMD head: with onnx among its exports, train refuses it before computing
    /// anything (one line naming GAM); with <c>--exportable false</c> it trains, warns in one line naming the trainer,
    /// and export onnx then refuses the bundle as the warning said.
    /// </summary>
    [TestMethod]
    public void ANonConvertibleTrainerIsRefusedOrTrainedWithOneWarning()
    {
        var data = ExportTestData.Instance;
        var directory = TestPaths.NewTempDirectory("osteoml-gam");
        var definition = JsonNode.Parse(File.ReadAllText(Definition))!.AsObject();
        foreach (var role in new[] { "segmentation", "features" })
        {
            var path = definition["models"]![role]!["path"]!.GetValue<string>();
            definition["models"]![role]!["path"] = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "pipelines", path));
        }
        definition["heads"]!["bmd"] = JsonNode.Parse("""{ "trainer": "Gam" }""");
        var gam = Path.Combine(directory, "gam.json");
        File.WriteAllText(gam, definition.ToJsonString());

        var refused = CliRun.Of("train", "--pipeline", gam, "--cohort", data.Cohort, "--out", Path.Combine(directory, "refused"));
        Assert.AreEqual(ExitCodes.Failure, refused.ExitCode);
        Assert.AreEqual(1, refused.Error.Trim().Split('\n').Length, refused.Error);
        StringAssert.Contains(refused.Error, "fixed trainer Gam is not exported to ONNX");
        Assert.IsFalse(Directory.Exists(Path.Combine(directory, "refused")));

        var model = Path.Combine(directory, "model");
        var run = CliRun.Of("train", "--pipeline", gam, "--cohort", data.Cohort, "--out", model, "--exportable", "false");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        var warnings = run.Error.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        Assert.HasCount(1, warnings, run.Error);
        StringAssert.StartsWith(warnings[0], "warning: the BMD head's trainer Gam is not exported to ONNX (");
        StringAssert.Contains(warnings[0], OnnxExporter.NotExported["Gam"]);

        var export = CliRun.Of("export", "onnx", "--model", model, "--out", Path.Combine(directory, "onnx"));
        Assert.AreEqual(ExitCodes.Failure, export.ExitCode);
        StringAssert.Contains(export.Error, "trainer Gam is not exported to ONNX");
    }

    private static double D(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
}
