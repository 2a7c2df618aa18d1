using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Evaluation.Reports;

namespace OsteoML.Validation.Screening;

/// <summary>One row of the paper-style table: a named set of predictions and its metrics.</summary>
public sealed record PaperRow(string Label, int N, double? Auc, double? F1, double? Accuracy, double? Precision, double? Recall, double? Specificity,
    double? Mae, double? Rmse, double? R2, double? PearsonR)
{
    public static PaperRow Of(string label, PredictionTable table)
    {
        if (table.Count == 0) return new(label, 0, null, null, null, null, null, null, null, null, null, null);
        var c = Metrics.Classification(table.Rows.Select(r => r.ClassTrue).ToArray(), table.Rows.Select(r => r.Probabilities).ToArray(),
            table.Rows.Select(r => r.ClassPred).ToArray(), AcrClasses.Names);
        var r = Metrics.Regression(table.Rows.Select(r => r.BmdTrue).ToArray(), table.Rows.Select(r => r.BmdPred).ToArray());
        return new(label, table.Count, c.MeanAuc, c.F1, c.Accuracy, c.Precision, c.Recall, c.Specificity, r.Mae, r.Rmse, r.R2, r.PearsonR);
    }

    public static PaperRow Published(PublishedMetrics p) => new($"published study, {p.Set}", p.N, p.Auc, p.F1, p.Accuracy, p.Precision, p.Recall,
        p.Specificity, p.Mae, p.Rmse, p.R2, p.PearsonR);
}
