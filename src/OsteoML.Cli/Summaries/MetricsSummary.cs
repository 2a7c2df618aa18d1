using OsteoML.Evaluation;

namespace OsteoML.Cli.Summaries;

/// <summary>
/// The headline metrics of a set of predictions, as the tables print them (null where undefined): mean one-versus-rest
/// AUC, accuracy and macro F1 of the class; MAE, RMSE (mg/cm³) and R² of the BMD. Intervals are in metrics.json.
/// </summary>
internal sealed record MetricsSummary(double? MeanAuc, double? Accuracy, double? F1, double? Mae, double? Rmse, double? R2)
{
    public static MetricsSummary Of(SubsetEvaluation subset) => new(subset.Classification.MeanAuc, subset.Classification.Accuracy,
        subset.Classification.F1, subset.Regression.Mae, subset.Regression.Rmse, subset.Regression.R2);
}
