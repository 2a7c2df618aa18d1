namespace OsteoML.Evaluation.Reports;

/// <summary>The numbers a published evaluation reports for one of its test sets.</summary>
public sealed record PublishedMetrics(
    string Set, int N, double Auc, double F1, double Accuracy, double Precision, double Recall, double Specificity,
    double Mae, double Rmse, double R2, double PearsonR);

/// <summary>
/// The published results of the study OsteoML grows out of: 1219 opportunistic CTs with a QCT reference,
/// 703 train / 176 test / 340 independent cases from 3 hospitals and 4 scanners. Source: the project's
/// design brief (DESIGN.md, "Real data and reference tools"), which quotes the study's test and independent
/// results. The AUC there is the mean of the one-vs-rest class AUCs; precision, recall, specificity and F1
/// are macro averages; BMD errors are in mg/cm³.
/// </summary>
public static class StudyReference
{
    public static PublishedMetrics Test { get; } = new(
        "test", 176, Auc: 0.970, F1: 0.903, Accuracy: 0.909, Precision: 0.899, Recall: 0.908, Specificity: 0.956,
        Mae: 6.303, Rmse: 8.561, R2: 0.962, PearsonR: 0.981);

    public static PublishedMetrics Independent { get; } = new(
        "independent", 340, Auc: 0.933, F1: 0.798, Accuracy: 0.815, Precision: 0.792, Recall: 0.81, Specificity: 0.899,
        Mae: 10.257, Rmse: 13.507, R2: 0.878, PearsonR: 0.94);

    public static IReadOnlyList<PublishedMetrics> Sets { get; } = [Test, Independent];

    /// <summary>
    /// The study set a split value stands for: "test" → test; "independent", "external" or "validation" →
    /// independent (case-insensitive); anything else → none.
    /// </summary>
    public static PublishedMetrics? ForSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "test" => Test,
        "independent" or "external" or "validation" => Independent,
        _ => null,
    };
}
