using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.Evaluation;

namespace OsteoML.AutoTune.Experiments;

/// <summary>The metric a tuning run optimises: MAE or RMSE for the BMD head, macro-AUC or log-loss for the class head.</summary>
public enum TuningMetric
{
    MeanAbsoluteError,
    RootMeanSquaredError,
    MacroAuc,
    LogLoss,
}

public static class TuningMetrics
{
    public static HeadTask TaskOf(this TuningMetric metric) =>
        metric is TuningMetric.MeanAbsoluteError or TuningMetric.RootMeanSquaredError ? HeadTask.BmdRegression : HeadTask.ClassMulticlass;

    /// <summary>True when larger is better (the loss is then 1 − value).</summary>
    public static bool IsMaximised(this TuningMetric metric) => metric == TuningMetric.MacroAuc;

    public static double ToLoss(this TuningMetric metric, double value) => metric.IsMaximised() ? 1 - value : value;

    /// <summary>The metric as reports name it: MAE, RMSE, macro-AUC, log-loss.</summary>
    public static string DisplayName(this TuningMetric metric) => metric switch
    {
        TuningMetric.MeanAbsoluteError => "MAE",
        TuningMetric.RootMeanSquaredError => "RMSE",
        TuningMetric.MacroAuc => "macro-AUC",
        _ => "log-loss",
    };

    /// <summary>Parses <c>mae</c>, <c>rmse</c>, <c>auc</c> (macro) or <c>logloss</c>.</summary>
    public static TuningMetric Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "mae" => TuningMetric.MeanAbsoluteError,
        "rmse" => TuningMetric.RootMeanSquaredError,
        "auc" or "macro-auc" => TuningMetric.MacroAuc,
        "logloss" or "log-loss" => TuningMetric.LogLoss,
        _ => throw new ArgumentException($"unknown metric '{name}': expected mae, rmse, auc or logloss."),
    };

    /// <summary>
    /// The metric of a scored held-out fold (ML.NET's <c>Score</c> column). MAE, RMSE and macro-AUC come from
    /// OsteoML.Evaluation (the numbers the reports print); log-loss from ML.NET's multiclass evaluator. Null when the
    /// fold cannot define it (macro-AUC of a fold holding one class); NaN when the model's scores are not numbers.
    /// </summary>
    internal static double? Compute(this TuningMetric metric, MLContext ml, IDataView scored, FeatureTable table, IReadOnlyList<int> rows)
    {
        switch (metric)
        {
            case TuningMetric.MeanAbsoluteError or TuningMetric.RootMeanSquaredError:
            {
                var predicted = scored.GetColumn<float>("Score").Select(v => (double)v).ToArray();
                var m = Metrics.Regression(rows.Select(r => (double)table.Bmd[r]).ToArray(), predicted);
                return (metric == TuningMetric.MeanAbsoluteError ? m.Mae : m.Rmse) ?? double.NaN;
            }
            case TuningMetric.MacroAuc:
            {
                var scores = scored.GetColumn<float[]>("Score").Select(s => (IReadOnlyList<double>)s.Select(v => (double)v).ToArray()).ToArray();
                var truth = rows.Select(r => table.ClassIndex![r]).ToArray();
                return Metrics.Classification(truth, scores, classNames: FeatureTable.ClassNames).MeanAuc;
            }
            default:
                // ML.NET's evaluator skips rows whose scores are NaN: a diverged model would score a perfect 0.
                if (scored.GetColumn<float[]>("Score").Any(s => !s.All(float.IsFinite))) return double.NaN;
                return ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Class").LogLoss;
        }
    }
}
