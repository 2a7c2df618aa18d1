using System.Globalization;
using System.Text.Json;
using OsteoML.Cli;
using OsteoML.Export;
using OsteoML.Export.ModelBuilder;
using OsteoML.Pipelines.Bundles;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

[TestClass]
public sealed class ExportCommandTests
{
    /// <summary>
    /// <c>osteoml export model-builder … --cohort</c>: the training data are the bundle's training studies, value for
    /// value; each .mbconfig has Model Builder's version-4 shape with the definition's fixed trainer as its one, scored, trial.
    /// </summary>
    [TestMethod]
    public void ModelBuilderFilesAndTrainingDataFromTheCommandLine()
    {
        var data = ExportTestData.Instance;
        var output = TestPaths.NewTempDirectory("osteoml-export-cli");
        var run = CliRun.Of("export", "model-builder", "--model", data.BundleDirectory, "--out", output, "--cohort", data.Cohort, "--name", "Spine");
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "SpineBmd (Regression)");

        var layout = BundleHeads.FromBundle(data.Bundle).Layout;
        var lines = File.ReadAllLines(Path.Combine(output, "Spine.training-data.csv"));
        CollectionAssert.AreEqual(FeatureTableCsv.Header(layout).ToArray(), lines[0].Split(','));
        var expected = data.TrainingRows;
        Assert.AreEqual(expected.Count, lines.Length - 1);
        for (var r = 0; r < expected.Count; r++)
        {
            var cells = lines[r + 1].Split(',');
            CollectionAssert.AreEqual(expected[r].Features, cells[..layout.Length].Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray(), $"row {r + 1}");
            Assert.AreEqual(expected[r].Bmd, float.Parse(cells[layout.Length], CultureInfo.InvariantCulture));
            Assert.AreEqual(expected[r].Class, cells[layout.Length + 1]);
        }

        foreach (var (model, scenario, label, trainer) in new[] { ("SpineBmd", "Regression", "bmd_qct", "SdcaRegression"), ("SpineClass", "Classification", "class", "LbfgsMaximumEntropyMulti") })
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, model + ".mbconfig")));
            var root = json.RootElement;
            Assert.AreEqual(4, root.GetProperty("Version").GetInt32());
            Assert.AreEqual("TrainingConfig", root.GetProperty("Type").GetString());
            Assert.AreEqual(scenario, root.GetProperty("Scenario").GetString());
            var source = root.GetProperty("DataSource");
            Assert.AreEqual("TabularFile", source.GetProperty("Type").GetString());
            Assert.AreEqual(Path.Combine(output, "Spine.training-data.csv"), source.GetProperty("FilePath").GetString());
            var columns = source.GetProperty("ColumnProperties").EnumerateArray().ToList();
            Assert.AreEqual(layout.Length + 2, columns.Count);
            Assert.AreEqual(label, columns.Single(c => c.GetProperty("ColumnPurpose").GetString() == "Label").GetProperty("ColumnName").GetString());
            Assert.AreEqual(layout.Length, columns.Count(c => c.GetProperty("ColumnPurpose").GetString() == "Feature"));
            var history = root.GetProperty("RunHistory");
            var trial = history.GetProperty("Trials").EnumerateArray().Single();
            Assert.AreEqual(trainer, trial.GetProperty("TrainerName").GetString());
            Assert.AreEqual(JsonValueKind.Number, trial.GetProperty("Score").ValueKind, "the fixed trainer's cross-validation (MbConfigScoreTests checks its value)");
            var schema = trial.GetProperty("Parameter").GetProperty("_SCHEMA_").GetString()!.Split(" * ");
            var estimators = history.GetProperty("Estimators");
            Assert.AreEqual(trainer, estimators.GetProperty(schema.First(id => estimators.GetProperty(id).GetString() == trainer)).GetString());
            Assert.AreEqual(0.1, trial.GetProperty("Parameter").GetProperty(schema.First(id => estimators.GetProperty(id).GetString() == trainer))
                .GetProperty("L2Regularization").GetDouble(), 1e-7, "the definition's l2");
            Assert.AreEqual(label, root.GetProperty("TrainingOption").GetProperty("LabelColumn").GetString());
            Assert.AreEqual(Path.Combine(output, model + ".mlnet"), history.GetProperty("ModelFilePath").GetString());
        }
        StringAssert.Contains(File.ReadAllText(Path.Combine(output, "SpineClass.consumption.cs")), "PredictAllLabels");
        Assert.IsFalse(File.ReadAllText(Path.Combine(output, "SpineBmd.consumption.cs")).Contains("PredictAllLabels"));
        StringAssert.Contains(File.ReadAllText(Path.Combine(output, "SpineBmd.training.cs")), "L2Regularization = 0.1F");
    }

    /// <summary>A tuned bundle: the run history holds every trial of the tuning log, and the training code the best trial's parameters.</summary>
    [TestMethod]
    public void TheRunHistoryHoldsTheTunersTrials()
    {
        var data = ExportTestData.Instance;
        var output = TestPaths.NewTempDirectory("osteoml-export-tuned");
        var run = CliRun.Of("export", "model-builder", "--model", data.TunedBundleDirectory, "--out", output);
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "no training data written");

        foreach (var (head, model, task) in new[] { ("bmd", "OsteoMLBmd", OsteoML.AutoTune.Experiments.HeadTask.BmdRegression), ("class", "OsteoMLClass", OsteoML.AutoTune.Experiments.HeadTask.ClassMulticlass) })
        {
            var log = File.ReadAllLines(Path.Combine(data.TunedBundleDirectory, $"trials-{head}.csv"));
            var trials = BundleHeads.ReadTrials(Path.Combine(data.TunedBundleDirectory, $"trials-{head}.csv"), task);
            Assert.AreEqual(log.Length - 1, trials.Count);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, model + ".mbconfig")));
            var history = json.RootElement.GetProperty("RunHistory").GetProperty("Trials").EnumerateArray().ToList();
            Assert.AreEqual(trials.Count, history.Count);
            for (var i = 0; i < trials.Count; i++)
            {
                Assert.AreEqual(TrainerCode.All.Single(c => c.Family == trials[i].Family && c.Task == task).ModelBuilderName, history[i].GetProperty("TrainerName").GetString());
                // Each trial's score is its cross-validation in Model Builder's metric, as the trial log recorded it.
                if (trials[i].Evaluation.TryGetValue(MbConfig.MetricName(task), out var score) && double.IsFinite(score))
                    Assert.AreEqual(score, history[i].GetProperty("Score").GetDouble(), 1e-12);
                else Assert.AreEqual(JsonValueKind.Null, history[i].GetProperty("Score").ValueKind);
                Assert.AreEqual(trials[i].Seconds, history[i].GetProperty("RuntimeInSeconds").GetDouble(), 1e-3);
            }
            var best = trials.Where(t => t.Status == OsteoML.AutoTune.Experiments.TrialStatus.Completed && double.IsFinite(t.Loss)).MinBy(t => t.Loss)!;
            StringAssert.Contains(run.Out, $"{best.Family} ({best.Parameters}), tuned: trial {best.Trial}");
            var training = File.ReadAllText(Path.Combine(output, model + ".training.cs"));
            var code = TrainerCode.All.Single(c => c.Family == best.Family && c.Task == task);
            StringAssert.Contains(training, code.OptionsType);
            foreach (var (property, value) in code.ParameterValues(best.Parameters, "label", "Features").Where(p => p.Key is not "LabelColumnName" and not "FeatureColumnName"))
                StringAssert.Contains(training, $"{property.Split('.').Last()} = {TrainerCode.Literal(value)}", $"{model}: the best trial's {property}");
        }
    }

    [TestMethod]
    public void OnnxFromTheCommandLine()
    {
        var output = TestPaths.NewTempDirectory("osteoml-export-onnx");
        var run = CliRun.Of("export", "onnx", "--model", ExportTestData.Instance.BundleDirectory, "--out", output);
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "heads: heads.onnx");
        foreach (var file in new[] { "chain.json", "heads.onnx", "segmentation.onnx", "features.onnx", "segmentation.card.json", "features.card.json" })
            Assert.IsTrue(File.Exists(Path.Combine(output, file)), file);
    }

    /// <summary>The HU baseline has no ML.NET heads: both exports refuse it with one line, exit 1.</summary>
    [TestMethod]
    public void TheHuBaselineIsRefusedWithOneLine()
    {
        foreach (var kind in new[] { "model-builder", "onnx" })
        {
            var run = CliRun.Of("export", kind, "--model", ExportTestData.Instance.BaselineBundleDirectory, "--out", TestPaths.NewTempDirectory("osteoml-export-hu"));
            Assert.AreEqual(ExitCodes.Failure, run.ExitCode, kind);
            Assert.AreEqual(1, run.Error.Trim().Split('\n').Length, run.Error);
            StringAssert.Contains(run.Error, "has no ML.NET heads");
        }
    }

    [TestMethod]
    public void AMissingModelIsAUsageError()
    {
        var run = CliRun.Of("export", "onnx", "--out", TestPaths.NewTempDirectory("osteoml-export-usage"));
        Assert.AreEqual(ExitCodes.Usage, run.ExitCode);
        StringAssert.Contains(run.Error, "--model");
    }
}
