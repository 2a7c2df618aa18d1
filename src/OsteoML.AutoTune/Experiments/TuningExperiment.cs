using System.Diagnostics;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.AutoTune.Search;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.AutoTune.Experiments;

/// <summary>Settings of a tuning run (what <c>osteoml train … --tuner cfo --budget 120s</c> fills in).</summary>
public sealed record TuningOptions
{
    /// <summary>The metric to optimise; it also decides the head (MAE/RMSE: BMD, AUC/log-loss: class).</summary>
    public TuningMetric Metric { get; init; } = TuningMetric.MeanAbsoluteError;

    public TunerKind Tuner { get; init; } = TunerKind.Cfo;

    /// <summary>The trainer families to search; null searches all of <see cref="TrainerCatalog"/> for the task.</summary>
    public IReadOnlyList<TrainerFamily>? Families { get; init; }

    /// <summary>Cross-validation folds, grouped by patient.</summary>
    public int Folds { get; init; } = 5;

    public int Seed { get; init; }

    /// <summary>Wall-clock budget; the trial running when it ends is cancelled and recorded as such.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Maximum number of trials. At least one of this and <see cref="TimeBudget"/> must be set.</summary>
    public int? MaxTrials { get; init; }

    public CostMeasure CostMeasure { get; init; } = CostMeasure.Trials;

    /// <summary>Told about every finished, failed or cancelled trial, in order.</summary>
    public IProgress<TrialRecord>? Progress { get; init; }
}

/// <summary>One row of the trial table.</summary>
public sealed record TrialRecord(
    int Trial,
    string Family,
    ParameterSet Parameters,
    double Metric,
    double MetricSd,
    double Loss,
    double Seconds,
    TrialStatus Status,
    string? Error = null)
{
    /// <summary>
    /// ML.NET's evaluator metrics of the held-out folds, fold means, by ML.NET's (and Model Builder's) names: RSquared,
    /// MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError for the BMD head; MicroAccuracy, MacroAccuracy, LogLoss,
    /// LogLossReduction for the class head. Empty when the trial did not complete.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluation { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// Tunes one head (BMD or class) on a feature table: an ECI chooser picks the trainer family, that family's tuner
/// proposes hyper-parameters, and the trial is scored by k-fold cross-validation grouped by patient (the mean of
/// the folds' metric). Runs until the trial limit, the time budget or cancellation.
/// <para>Determinism: with the same seed, table and options, the sequence of trials — families, parameters and
/// losses — is the same (ECI then counts cost in trials, see <see cref="CostMeasure"/>). A time budget only
/// decides how long that sequence runs: the result equals the same-seed run with <c>MaxTrials</c> set to the
/// number of trials that completed.</para>
/// </summary>
public sealed class TuningExperiment(TuningOptions options)
{
    public TuningOptions Options { get; } = options;

    public TuningResult Run(FeatureTable table, CancellationToken cancellationToken = default)
    {
        var task = Options.Metric.TaskOf();
        var families = Options.Families ?? TrainerCatalog.For(task);
        if (families.Count == 0) throw new ArgumentException("no trainer family to search.");
        if (families.FirstOrDefault(f => f.Task != task) is { } wrong)
            throw new ArgumentException($"trainer {wrong.Name} is a {wrong.Task} trainer but the metric {Options.Metric} needs {task}.");
        if (Options.TimeBudget is null && Options.MaxTrials is null)
            throw new ArgumentException("set a time budget, a trial limit, or both.");
        if (task == HeadTask.ClassMulticlass && table.ClassIndex is null)
            throw new ArgumentException("the feature table has no class column: the class head cannot be tuned.");

        var label = task == HeadTask.BmdRegression ? "Bmd" : "Class";
        var folds = Folds(table);

        var tuners = families.Select((f, i) => Tuner.Create(Options.Tuner, f.Space, Options.Seed * 7919 + i)).ToArray();
        var chooser = new FamilyChooser(families.Count, Options.Seed);
        var records = new List<TrialRecord>();

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Options.TimeBudget is { } limit) budget.CancelAfter(limit);
        var clock = Stopwatch.StartNew();

        for (var trial = 0; Options.MaxTrials is not { } max || trial < max; trial++)
        {
            if (budget.IsCancellationRequested) break;
            var family = chooser.Choose();
            var proposal = tuners[family].Propose();
            var started = clock.Elapsed;
            TrialRecord record;
            try
            {
                record = CrossValidate(trial, families[family], proposal.Parameters, label, folds, table, TrialStatus.Completed, budget.Token);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                record = new TrialRecord(trial, families[family].Name, proposal.Parameters, double.NaN, double.NaN, double.NaN,
                    (clock.Elapsed - started).TotalSeconds, TrialStatus.Cancelled);
                records.Add(record);
                Options.Progress?.Report(record);
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                record = new TrialRecord(trial, families[family].Name, proposal.Parameters, double.NaN, double.NaN, double.NaN,
                    (clock.Elapsed - started).TotalSeconds, TrialStatus.Failed, ex.Message);
            }
            tuners[family].Update(new Observation(proposal, record.Loss, record.Seconds));
            chooser.Record(family, record.Loss, Options.CostMeasure == CostMeasure.Trials ? 1 : record.Seconds);
            records.Add(record);
            Options.Progress?.Report(record);
        }

        var completed = records.Where(r => r.Status == TrialStatus.Completed).ToArray();
        if (completed.Length == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var failure = records.FirstOrDefault(r => r.Status == TrialStatus.Failed)?.Error;
            throw new InvalidOperationException(failure is not null
                ? $"every trial failed; the first: {failure}"
                : $"no trial finished within the time budget of {Options.TimeBudget?.TotalSeconds:0.#} s; raise the budget.");
        }
        // A NaN loss (a diverged trainer, an AUC undefined on a fold) compares below every number: only finite ones compete.
        var best = completed.Where(r => double.IsFinite(r.Loss)).MinBy(r => r.Loss)
            ?? throw new InvalidOperationException(
                $"no trial gave a finite {Options.Metric.DisplayName()}: all {completed.Length} completed trial(s) scored NaN or infinity.");
        return new TuningResult(Options, families.First(f => f.Name == best.Family), best, records, cancellationToken.IsCancellationRequested);
    }

    /// <summary>
    /// One trainer at one point, scored as a trial is (the same folds, seeds and metrics): how a trainer that was not
    /// tuned — a pipeline definition's fixed choice — gets a cross-validated score of its own (status <see cref="TrialStatus.Fixed"/>).
    /// </summary>
    public TrialRecord CrossValidate(FeatureTable table, TrainerFamily family, ParameterSet parameters)
    {
        var task = Options.Metric.TaskOf();
        if (family.Task != task)
            throw new ArgumentException($"trainer {family.Name} is a {family.Task} trainer but the metric {Options.Metric} needs {task}.");
        return CrossValidate(0, family, parameters, task == HeadTask.BmdRegression ? "Bmd" : "Class", Folds(table), table, TrialStatus.Fixed, CancellationToken.None);
    }

    private (IDataView Train, IDataView Test, IReadOnlyList<int> Rows)[] Folds(FeatureTable table)
    {
        var data = new MLContext(Options.Seed);
        return GroupKFold.Split(table.Group, Options.Folds, Options.Seed)
            .Select(f => (data.Data.Cache(table.ToDataView(data, f.Train)), data.Data.Cache(table.ToDataView(data, f.Test)), (IReadOnlyList<int>)f.Test))
            .ToArray();
    }

    private TrialRecord CrossValidate(int trial, TrainerFamily family, ParameterSet parameters, string label,
        (IDataView Train, IDataView Test, IReadOnlyList<int> Rows)[] folds, FeatureTable table, TrialStatus status, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var scored = folds.Select((fold, f) => CrossValidateFold(family, parameters, label, fold.Train, fold.Test, fold.Rows, table, f, cancellation)).ToArray();
        // A fold on which the metric is undefined (macro-AUC on a fold holding one class) says nothing about
        // the trainer: the mean is over the folds where it is defined, NaN when it is defined on none.
        var perFold = scored.Where(s => s.Metric is not null).Select(s => s.Metric!.Value).ToArray();
        var mean = perFold.Length > 0 ? perFold.Average() : double.NaN;
        var sd = perFold.Length > 1 ? Math.Sqrt(perFold.Sum(v => (v - mean) * (v - mean)) / (perFold.Length - 1)) : 0;
        var evaluation = scored[0].Evaluation.Keys.ToDictionary(k => k, k => scored.Average(s => s.Evaluation[k]));
        return new TrialRecord(trial, family.Name, parameters, mean, sd, Options.Metric.ToLoss(mean), clock.Elapsed.TotalSeconds, status)
        {
            Evaluation = evaluation,
        };
    }

    private (double? Metric, IReadOnlyDictionary<string, double> Evaluation) CrossValidateFold(TrainerFamily family, ParameterSet parameters, string label,
        IDataView train, IDataView test, IReadOnlyList<int> rows, FeatureTable table, int fold, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var ml = new MLContext(Options.Seed + fold);
        using var stop = cancellation.Register(() => MlCancellation.Cancel(ml));
        try
        {
            var model = family.Build(ml, parameters, label).Fit(train);
            var scored = model.Transform(test);
            var value = Options.Metric.Compute(ml, scored, table, rows);
            var evaluation = Evaluate(ml, scored, family.Task, label);
            (model as IDisposable)?.Dispose();
            return (value, evaluation);
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            // ML.NET reports its own cancellation as an InvalidOperationException from the training host.
            throw new OperationCanceledException(cancellation);
        }
    }

    /// <summary>
    /// ML.NET's own evaluator on a scored fold: the metrics Model Builder reports and ranks by, under their names. A model
    /// whose scores are not all numbers gets NaN throughout (the evaluator would skip those rows and look better).
    /// </summary>
    private static IReadOnlyDictionary<string, double> Evaluate(MLContext ml, IDataView scored, HeadTask task, string label)
    {
        if (task == HeadTask.BmdRegression)
        {
            if (scored.GetColumn<float>("Score").Any(s => !float.IsFinite(s))) return NaNs(RegressionNames);
            var m = ml.Regression.Evaluate(scored, labelColumnName: label);
            return Named(RegressionNames, m.RSquared, m.MeanAbsoluteError, m.MeanSquaredError, m.RootMeanSquaredError);
        }
        if (scored.GetColumn<float[]>("Score").Any(s => !s.All(float.IsFinite))) return NaNs(MulticlassNames);
        var c = ml.MulticlassClassification.Evaluate(scored, labelColumnName: label);
        return Named(MulticlassNames, c.MicroAccuracy, c.MacroAccuracy, c.LogLoss, c.LogLossReduction);
    }

    private static readonly string[] RegressionNames =
        [nameof(RegressionMetrics.RSquared), nameof(RegressionMetrics.MeanAbsoluteError), nameof(RegressionMetrics.MeanSquaredError), nameof(RegressionMetrics.RootMeanSquaredError)];

    private static readonly string[] MulticlassNames =
        [nameof(MulticlassClassificationMetrics.MicroAccuracy), nameof(MulticlassClassificationMetrics.MacroAccuracy), nameof(MulticlassClassificationMetrics.LogLoss), nameof(MulticlassClassificationMetrics.LogLossReduction)];

    private static Dictionary<string, double> Named(string[] names, params double[] values) => names.Zip(values).ToDictionary(p => p.First, p => p.Second);

    private static Dictionary<string, double> NaNs(string[] names) => names.ToDictionary(n => n, _ => double.NaN);
}

/// <summary>The outcome of a tuning run: the best trial, every trial as a table, and the means to refit the best.</summary>
public sealed class TuningResult
{
    internal TuningResult(TuningOptions options, TrainerFamily bestFamily, TrialRecord best, IReadOnlyList<TrialRecord> trials, bool cancelled)
    {
        (Options, BestFamily, Best, Trials, Cancelled) = (options, bestFamily, best, trials, cancelled);
    }

    public TuningOptions Options { get; }
    public TrainerFamily BestFamily { get; }
    public TrialRecord Best { get; }
    public IReadOnlyList<TrialRecord> Trials { get; }

    /// <summary>True when the caller's cancellation ended the run early (the result covers the trials that finished).</summary>
    public bool Cancelled { get; }

    /// <summary>The best trainer with its hyper-parameters, ready to append to a pipeline.</summary>
    public IEstimator<ITransformer> BuildBest(MLContext ml, string labelColumn, string featureColumn = "Features") =>
        BestFamily.Build(ml, Best.Parameters, labelColumn, featureColumn);

    /// <summary>Refits the best trainer on the whole table (label <c>Bmd</c> or <c>Class</c>, as tuned).</summary>
    public ITransformer FitBest(MLContext ml, FeatureTable table) =>
        BuildBest(ml, Options.Metric.TaskOf() == HeadTask.BmdRegression ? "Bmd" : "Class").Fit(table.ToDataView(ml));

    /// <summary>
    /// Every trial, in order: trial, family, parameters, metric (fold mean), metric_sd (across folds), loss
    /// (what was minimised), seconds, status, error, then one column per <see cref="TrialRecord.Evaluation"/> metric.
    /// </summary>
    public DataFrame ToDataFrame() => ToDataFrame(Trials);

    /// <summary>These trials as <see cref="ToDataFrame()"/> lays them out (also a fixed trainer's one cross-validated trial).</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<TrialRecord> trials)
    {
        var frame = new DataFrame(
            new Int32DataFrameColumn("trial", trials.Select(t => t.Trial)),
            new StringDataFrameColumn("family", trials.Select(t => t.Family)),
            new StringDataFrameColumn("parameters", trials.Select(t => t.Parameters.ToString())),
            new DoubleDataFrameColumn("metric", trials.Select(t => t.Metric)),
            new DoubleDataFrameColumn("metric_sd", trials.Select(t => t.MetricSd)),
            new DoubleDataFrameColumn("loss", trials.Select(t => t.Loss)),
            new DoubleDataFrameColumn("seconds", trials.Select(t => t.Seconds)),
            new StringDataFrameColumn("status", trials.Select(t => t.Status.ToString().ToLowerInvariant())),
            new StringDataFrameColumn("error", trials.Select(t => t.Error ?? "")));
        // Then ML.NET's evaluator metrics (TrialRecord.Evaluation), one column each, NaN for a trial that did not complete.
        foreach (var name in trials.SelectMany(t => t.Evaluation.Keys).Distinct())
            frame.Columns.Add(new DoubleDataFrameColumn(name, trials.Select(t => t.Evaluation.GetValueOrDefault(name, double.NaN))));
        return frame;
    }
}
