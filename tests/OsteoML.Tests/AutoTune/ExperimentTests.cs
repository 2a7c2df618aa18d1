using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.Tests.AutoTune;

[TestClass]
public sealed class ExperimentTests
{
    private static readonly FeatureTable Table = SiteDriftFixture.ToTable(
        SiteDriftFixture.Generate(patients: 160, noiseFeatures: 10, seed: 5).Where(c => c.Split != "independent"));

    private static TuningOptions Quick(TuningMetric metric, TunerKind tuner = TunerKind.Cfo, int trials = 8) => new()
    {
        Metric = metric,
        Tuner = tuner,
        Folds = 3,
        Seed = 11,
        MaxTrials = trials,
    };

    private static string Fingerprint(TuningResult r) =>
        string.Join("\n", r.Trials.Select(t => $"{t.Trial} {t.Family} {t.Parameters} {t.Metric:R} {t.Status}"));

    [TestMethod]
    public void SameSeedGivesTheSameTrialsFamiliesParametersAndLosses()
    {
        var a = new TuningExperiment(Quick(TuningMetric.MeanAbsoluteError)).Run(Table);
        var b = new TuningExperiment(Quick(TuningMetric.MeanAbsoluteError)).Run(Table);
        Assert.AreEqual(Fingerprint(a), Fingerprint(b));
        var c = new TuningExperiment(Quick(TuningMetric.MeanAbsoluteError) with { Seed = 12 }).Run(Table);
        Assert.AreNotEqual(Fingerprint(a), Fingerprint(c));
    }

    [TestMethod]
    public void RegressionTuningBeatsPredictingTheMeanAndReportsEveryTrialInADataFrame()
    {
        var trials = new List<TrialRecord>();
        var options = Quick(TuningMetric.MeanAbsoluteError, trials: 12) with { Progress = new Collect(trials) };
        var result = new TuningExperiment(options).Run(Table);

        // The BMD is linear in the trabecular HU (noise 6 HU/level): a tuned head must come far below the MAE of
        // predicting the mean (≈ 0.8·35 = 28 mg/cm³ for a normal spread of 35).
        var mean = Table.Bmd.Average();
        var meanMae = Table.Bmd.Average(b => Math.Abs(b - mean));
        Console.WriteLine($"best {result.Best.Family} {result.Best.Parameters}: CV MAE {result.Best.Metric:F2} (predicting the mean: {meanMae:F2})");
        Assert.IsLessThan(meanMae / 3, result.Best.Metric);

        Assert.HasCount(12, trials, "progress must see every trial");
        var frame = result.ToDataFrame();
        Assert.AreEqual(12L, frame.Rows.Count);
        CollectionAssert.AreEqual(new[] { "trial", "family", "parameters", "metric", "metric_sd", "loss", "seconds", "status", "error",
                "RSquared", "MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError" },
            frame.Columns.Select(c => c.Name).ToArray());
        // ML.NET's evaluator (the Model Builder names) and OsteoML.Evaluation (the tuning metric) agree on each trial's MAE.
        foreach (var t in trials.Where(t => t.Status == TrialStatus.Completed))
            Assert.AreEqual(t.Metric, t.Evaluation["MeanAbsoluteError"], 1e-9 * Math.Max(1, t.Metric), $"trial {t.Trial}");
        var losses = ((DoubleDataFrameColumn)frame["loss"]).Select(v => v!.Value).ToArray();
        Assert.AreEqual(losses.Min(), result.Best.Loss);
        Assert.IsTrue(trials.Select(t => t.Family).Distinct().Count() >= 4, "ECI must try every family early");
    }

    [TestMethod]
    public void ClassTuningOnMacroAucUsesOneMinusAucAsLossAndRefitsTheBest()
    {
        var result = new TuningExperiment(Quick(TuningMetric.MacroAuc, trials: 6)) .Run(Table);
        Assert.AreEqual(1 - result.Best.Metric, result.Best.Loss, 1e-12);
        Assert.IsGreaterThan(0.85, result.Best.Metric, "macro-AUC of a head on a near-linear BMD signal");

        var ml = new MLContext(1);
        var model = result.FitBest(ml, Table);
        var scored = model.Transform(Table.ToDataView(ml));
        var scores = scored.GetColumn<float[]>("Score").First();
        Assert.HasCount(3, scores);
        Assert.AreEqual(1, scores.Sum(), 1e-4);
    }

    [TestMethod]
    public void LogLossIsMinimisedDirectly()
    {
        var result = new TuningExperiment(Quick(TuningMetric.LogLoss, TunerKind.Random, trials: 4)).Run(Table);
        Assert.AreEqual(result.Best.Metric, result.Best.Loss);
        Assert.IsTrue(result.Trials.Where(t => t.Status == TrialStatus.Completed).All(t => t.Loss > 0));
    }

    [TestMethod]
    public void CancellationStopsTheRunAndKeepsTheFinishedTrials()
    {
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        var options = Quick(TuningMetric.MeanAbsoluteError, trials: 50) with
        {
            Progress = new Callback(_ => { if (++seen == 3) cancel.Cancel(); }),
        };
        var result = new TuningExperiment(options).Run(Table, cancel.Token);
        Assert.IsTrue(result.Cancelled);
        Assert.HasCount(3, result.Trials.Where(t => t.Status == TrialStatus.Completed).ToArray());
    }

    [TestMethod]
    public void TimeBudgetEndsTheRunWithoutATrialLimit()
    {
        // SDCA on this small table takes milliseconds a trial, so even a heavily loaded machine finishes some.
        var sdca = TrainerCatalog.Select(HeadTask.BmdRegression, ["Sdca"]);
        var options = Quick(TuningMetric.MeanAbsoluteError) with { MaxTrials = null, TimeBudget = TimeSpan.FromSeconds(4), Families = sdca };
        var result = new TuningExperiment(options).Run(Table);
        Assert.IsFalse(result.Cancelled);
        Assert.IsTrue(result.Trials.Count(t => t.Status == TrialStatus.Completed) >= 1);
        // The trials that ran are the same-seed sequence: the prefix of an unbudgeted run.
        var completed = result.Trials.Count(t => t.Status == TrialStatus.Completed);
        var limited = new TuningExperiment(Quick(TuningMetric.MeanAbsoluteError, trials: completed) with { Families = sdca }).Run(Table);
        Assert.AreEqual(Fingerprint(limited), string.Join("\n", result.Trials.Where(t => t.Status == TrialStatus.Completed)
            .Select(t => $"{t.Trial} {t.Family} {t.Parameters} {t.Metric:R} {t.Status}")));
    }

    [TestMethod]
    public void MlNetTrainingInProgressCanBeCancelled()
    {
        Assert.IsTrue(MlCancellation.Supported, "this ML.NET build no longer exposes cancellation");
        var ml = new MLContext(1);
        MlCancellation.Cancel(ml);
        var data = Table.ToDataView(ml);
        Assert.Throws<Exception>(() => ml.Regression.Trainers.FastTree(labelColumnName: "Bmd", numberOfTrees: 50).Fit(data));
    }

    [TestMethod]
    public void FeatureTableReadsADataFrameAndNamesBadInput()
    {
        var frame = new DataFrame(
            new VBufferDataFrameColumn<float>("Features", Table.Features.Take(5).Select(f => new VBuffer<float>(f.Length, f))),
            new DoubleDataFrameColumn("Bmd", Table.Bmd.Take(5).Select(b => (double)b)),
            new StringDataFrameColumn("Class", Table.ClassIndex!.Take(5).Select(c => FeatureTable.ClassNames[c])),
            new StringDataFrameColumn("PatientId", Table.Group.Take(5)));
        var read = FeatureTable.FromDataView(frame);
        Assert.AreEqual(5, read.RowCount);
        CollectionAssert.AreEqual(Table.Features[3], read.Features[3]);
        CollectionAssert.AreEqual(Table.ClassIndex!.Take(5).ToArray(), read.ClassIndex);
        Assert.IsNull(read.Site);

        var bad = new DataFrame(
            new VBufferDataFrameColumn<float>("Features", Table.Features.Take(2).Select(f => new VBuffer<float>(f.Length, f))),
            new DoubleDataFrameColumn("Bmd", [100, 90]),
            new StringDataFrameColumn("Class", ["normal", "osteopaenia"]),
            new StringDataFrameColumn("PatientId", ["a", "b"]));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => FeatureTable.FromDataView(bad));
        Assert.AreEqual("row 1, column Class: unknown class 'osteopaenia' (expected normal, osteopenia, osteoporosis).", ex.Message);
        var missing = Assert.ThrowsExactly<ArgumentException>(() => FeatureTable.FromDataView(bad, new FeatureTableColumns { Group = "Patient" }));
        StringAssert.StartsWith(missing.Message, "the feature table has no column Patient");
    }

    [TestMethod]
    public void ChooserTriesUntriedFamiliesFirstAndAvoidsFailures()
    {
        var chooser = new FamilyChooser(3, seed: 1);
        chooser.Record(0, 5.0, 1);
        chooser.Record(1, double.NaN, 1);
        var eci = chooser.EstimatedCosts();
        Assert.AreEqual(1, eci[0]);                       // leader: max(K − K0, K0 − K2) = max(0, 1)
        Assert.AreEqual(double.PositiveInfinity, eci[1]); // all its trials failed
        Assert.AreEqual(1, eci[2]);                       // untried: the cheapest first trial

        // Family 0 improves 5 → 4 at cost 2, family 2 gets 6 at cost 1 then 5.5 at cost 3 (one trial of 2):
        chooser.Record(0, 4.0, 1);
        chooser.Record(2, 6.0, 1);
        chooser.Record(2, 5.5, 2);
        eci = chooser.EstimatedCosts();
        Assert.AreEqual(1, eci[0], 1e-12);                // max(2 − 2, 2 − 1)
        // ECI1 = max(3 − 3, 3 − 1) = 2; ECI2 = (5.5 − 4)·(3 − 1)/(6 − 5.5) = 6 → 6.
        Assert.AreEqual(6, eci[2], 1e-12);
        var picks = Enumerable.Range(0, 700).Select(_ => chooser.Choose()).ToArray();
        Assert.AreEqual(0, picks.Count(p => p == 1));
        // P(0) = 1/(1 + 1/6) = 6/7.
        Assert.AreEqual(600, picks.Count(p => p == 0), 40);
    }

    /// <summary>A trainer that "diverged": it trains, but every class score it gives is NaN.</summary>
    private static readonly TrainerFamily Diverged = new("Diverged", HeadTask.ClassMulticlass, TrainerCatalog.Multiclass[2].Space,
        (ml, p, label, features) => TrainerCatalog.Multiclass[2].Build(ml, p, label, features)
            .Append(ml.Transforms.CustomMapping<ScoreRow, ScoreRow>((_, output) => output.Score = [float.NaN, float.NaN, float.NaN], contractName: null)));

    private sealed class ScoreRow
    {
        [VectorType(3)]
        public float[] Score { get; set; } = [];
    }

    [TestMethod]
    public void ATrialWhoseLossIsNaNNeverWinsAndAllNaNFailsNamingTheMetric()
    {
        var lbfgs = TrainerCatalog.Multiclass[2];
        var options = Quick(TuningMetric.LogLoss, TunerKind.Random, trials: 6) with { Families = [Diverged, lbfgs] };
        var result = new TuningExperiment(options).Run(Table);
        Assert.IsTrue(result.Trials.Any(t => t.Family == "Diverged" && t.Status == TrialStatus.Completed && double.IsNaN(t.Loss)),
            "the diverged family must have completed with a NaN loss for this test to mean anything");
        Assert.AreEqual("LbfgsMaximumEntropy", result.Best.Family);
        var finite = result.Trials.Where(t => double.IsFinite(t.Loss)).Select(t => t.Loss).ToArray();
        Assert.AreEqual(finite.Min(), result.Best.Loss);

        var onlyNaN = Quick(TuningMetric.LogLoss, TunerKind.Random, trials: 2) with { Families = [Diverged] };
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => new TuningExperiment(onlyNaN).Run(Table));
        Assert.AreEqual("no trial gave a finite log-loss: all 2 completed trial(s) scored NaN or infinity.", ex.Message);
    }

    [TestMethod]
    public void AFoldOnWhichMacroAucIsUndefinedIsLeftOutOfTheMeanNotPoisoningIt()
    {
        // Relabel the held-out rows of fold 0 (the experiment's own patient-grouped split) as all "normal": no class
        // has both positives and negatives there, so its macro-AUC is undefined; folds 1 and 2 still define it.
        var options = Quick(TuningMetric.MacroAuc, TunerKind.Random, trials: 2) with { Families = [TrainerCatalog.Multiclass[2]] };
        var fold = GroupKFold.Assign(Table.Group, options.Folds, options.Seed);
        var classes = Table.ClassIndex!.Select((c, i) => fold[i] == 0 ? 0 : c).ToArray();
        Assert.IsTrue(Enumerable.Range(1, 2).All(f => classes.Where((_, i) => fold[i] == f).Distinct().Count() == 3));
        var table = new FeatureTable(Table.Features, Table.Bmd, classes, Table.Group, Table.Site);

        var result = new TuningExperiment(options).Run(table);
        Assert.IsTrue(result.Trials.All(t => t.Status == TrialStatus.Completed && double.IsFinite(t.Metric)),
            string.Join("; ", result.Trials.Select(t => $"{t.Metric} {t.Error}")));
        Assert.IsGreaterThan(0.7, result.Best.Metric, "macro-AUC over the two defined folds, well above chance (0.5)");
    }

    private sealed class Collect(List<TrialRecord> into) : IProgress<TrialRecord>
    {
        public void Report(TrialRecord value) => into.Add(value);
    }

    private sealed class Callback(Action<TrialRecord> action) : IProgress<TrialRecord>
    {
        public void Report(TrialRecord value) => action(value);
    }
}
