using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.AutoTune.Experiments;
using OsteoML.Export.ModelBuilder;
using OsteoML.Pipelines.Heads;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

[TestClass]
public sealed class MbConfigScoreTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// The .mbconfig of the fixture bundle (the definition's fixed SDCA and L-BFGS maximum entropy) scores its one trial in
    /// Model Builder's metric names — MeanAbsoluteError for the BMD model, MacroAccuracy for the class model — with the
    /// bundle's own patient-grouped 5-fold cross-validation, recomputed here: the same folds and trainers, refitted, and
    /// the metric written out by hand (mean |error|; mean over the fold's classes of the share predicted right), not
    /// ML.NET's evaluator, which the bundle used. The time is the measured one.
    /// </summary>
    [TestMethod]
    public void TheRunHistoryScoresAreTheBundlesCrossValidationInModelBuildersNames()
    {
        var data = ExportTestData.Instance;
        var output = TestPaths.NewTempDirectory("osteoml-mbconfig-score");
        var files = ModelBuilderExporter.Export(OsteoML.Export.BundleHeads.FromBundle(data.Bundle), output);

        // The training table exactly as ScreeningTrainer builds it (seed 1, the default).
        var train = data.Split("train").Where(f => f.Study.HasLabels).ToList();
        var ml = new MLContext(1);
        var preparation = ScreeningHeads.FitPreparation(ml, ScreeningHeads.FeatureView(ml, train, data.Bundle.Manifest.FeatureLength));
        var table = FeatureTable.FromDataView(preparation.Transform(ScreeningHeads.FeatureView(ml, train, data.Bundle.Manifest.FeatureLength)));
        var folds = GroupKFold.Split(table.Group, 5, 1);

        foreach (var (mbconfig, task, metricName) in new[] { (files.Bmd.MbConfig, HeadTask.BmdRegression, "MeanAbsoluteError"), (files.Class.MbConfig, HeadTask.ClassMulticlass, "MacroAccuracy") })
        {
            using var json = JsonDocument.Parse(File.ReadAllText(mbconfig));
            var history = json.RootElement.GetProperty("RunHistory");
            Assert.AreEqual(metricName, history.GetProperty("MetricName").GetString());
            var trial = history.GetProperty("Trials").EnumerateArray().Single();
            var score = trial.GetProperty("Score").GetDouble();
            var seconds = trial.GetProperty("RuntimeInSeconds").GetDouble();

            var chosen = (task == HeadTask.BmdRegression ? data.Bundle.Definition.Heads.Bmd! : data.Bundle.Definition.Heads.Class!).Build(task);
            var label = task == HeadTask.BmdRegression ? "Bmd" : "Class";
            // As the trials ran: cached fold views from one context (SDCA shuffles only data that can be), a context per fold for fitting.
            var views = new MLContext(1);
            var perFold = folds.Select((fold, f) =>
            {
                var context = new MLContext(1 + f);
                var model = chosen.Family.Build(context, chosen.Parameters, label).Fit(views.Data.Cache(table.ToDataView(views, fold.Train)));
                var scored = model.Transform(views.Data.Cache(table.ToDataView(views, fold.Test)));
                if (task == HeadTask.BmdRegression)
                    return scored.GetColumn<float>("Score").Zip(fold.Test, (p, r) => Math.Abs((double)table.Bmd[r] - p)).Average();
                var predicted = scored.GetColumn<float[]>("Score").Select(s => Array.IndexOf(s, s.Max())).ToArray();
                var truth = fold.Test.Select(r => table.ClassIndex![r]).ToArray();
                return truth.Distinct().Average(c => truth.Zip(predicted).Count(p => p.First == c && p.Second == c) / (double)truth.Count(t => t == c));
            }).ToArray();
            var expected = perFold.Average();
            TestContext.WriteLine($"{Path.GetFileName(mbconfig)}: {metricName} {score:G6} (recomputed {expected:G6}), {seconds} s; TrainingTime {json.RootElement.GetProperty("TrainingOption").GetProperty("TrainingTime").GetInt32()} s");
            Assert.AreEqual(expected, score, 1e-6 * Math.Max(1, Math.Abs(expected)), $"{metricName} of {chosen.Family.Name}");
            Assert.IsGreaterThan(0.0, seconds, "the cross-validation's measured seconds");
            Assert.AreEqual(Math.Ceiling(seconds), json.RootElement.GetProperty("TrainingOption").GetProperty("TrainingTime").GetInt32(), 1, "whole seconds of the trials");
        }
    }
}
