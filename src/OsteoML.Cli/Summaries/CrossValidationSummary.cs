using OsteoML.AutoTune.Experiments;

namespace OsteoML.Cli.Summaries;

/// <summary>
/// A head's patient-grouped 5-fold cross-validation: the tuning metric (MAE for the BMD head, macro-AUC for the class
/// head) as the mean and SD over folds, and ML.NET's evaluator metrics by their Model Builder names (fold means; null
/// where undefined).
/// </summary>
internal sealed record CrossValidationSummary(TuningMetric Metric, double? Value, double? Sd, IReadOnlyDictionary<string, double?> Evaluation)
{
    public static CrossValidationSummary Of(TuningMetric metric, TrialRecord trial) => new(metric, Finite(trial.Metric), Finite(trial.MetricSd),
        trial.Evaluation.ToDictionary(e => e.Key, e => Finite(e.Value)));

    internal static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
