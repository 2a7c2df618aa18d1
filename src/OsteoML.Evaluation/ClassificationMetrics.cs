using System.Text;

namespace OsteoML.Evaluation;

/// <summary>
/// The study's classification metrics for one set of rows. Precision, recall, specificity and F1 are macro
/// averages: the unweighted mean of the per-class one-vs-rest values over the classes where that value is
/// defined (recall needs the class among the truths, precision among the predictions, specificity some
/// other class among the truths). <see cref="MeanAuc"/> averages the defined per-class AUCs the same way.
/// An undefined value is null, never 0 or NaN.
/// </summary>
public sealed record ClassificationMetrics(
    int N,
    IReadOnlyList<ClassMetrics> PerClass,
    double? MeanAuc,
    double? Accuracy,
    double? Precision,
    double? Recall,
    double? Specificity,
    double? F1,
    ConfusionMatrix Confusion)
{
    /// <summary>Bootstrap intervals, when the metrics were computed with a <see cref="PatientBootstrap"/>.</summary>
    public ClassificationIntervals? Ci { get; init; }

    public IReadOnlyList<string> Classes => Confusion.Classes;

    /// <summary>One-vs-rest AUC per class, in class order (null where the class or its complement is absent).</summary>
    public IReadOnlyList<double?> Auc => PerClass.Select(c => c.Auc).ToArray();

    /// <summary>The metrics of one class by name.</summary>
    public ClassMetrics this[string className] =>
        PerClass.FirstOrDefault(c => c.Name == className)
        ?? throw new KeyNotFoundException($"no class '{className}' (classes: {string.Join(", ", Classes)}).");

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"n = {N}; macro averages over the classes where each value is defined");
        text.AppendLine($"  AUC (mean)   {MetricText.WithCi(MeanAuc, Ci?.MeanAuc)}");
        for (var k = 0; k < PerClass.Count; k++)
            text.AppendLine($"  AUC {PerClass[k].Name,-9} {MetricText.WithCi(PerClass[k].Auc, Ci?.Auc[k])}");
        text.AppendLine($"  accuracy     {MetricText.WithCi(Accuracy, Ci?.Accuracy)}");
        text.AppendLine($"  precision    {MetricText.WithCi(Precision, Ci?.Precision)}");
        text.AppendLine($"  recall       {MetricText.WithCi(Recall, Ci?.Recall)}");
        text.AppendLine($"  specificity  {MetricText.WithCi(Specificity, Ci?.Specificity)}");
        text.AppendLine($"  F1           {MetricText.WithCi(F1, Ci?.F1)}");
        text.Append(Confusion);
        return text.ToString();
    }
}

/// <summary>One class against the rest. <see cref="Support"/> is the number of rows whose truth is this class.</summary>
public sealed record ClassMetrics(
    string Name,
    int Support,
    double? Auc,
    double? Precision,
    double? Recall,
    double? Specificity,
    double? F1);

/// <summary>Counts of rows by true class (rows) and predicted class (columns).</summary>
public sealed record ConfusionMatrix(IReadOnlyList<string> Classes, IReadOnlyList<IReadOnlyList<int>> Counts)
{
    public int this[int truth, int predicted] => Counts[truth][predicted];

    public override string ToString()
    {
        var width = Math.Max(Classes.Max(c => c.Length), Counts.SelectMany(r => r).DefaultIfEmpty(0).Max().ToString().Length);
        var text = new StringBuilder();
        text.AppendLine("  confusion (rows: truth, columns: predicted)");
        text.Append("  ").Append(new string(' ', width)).AppendLine(string.Concat(Classes.Select(c => " " + c.PadLeft(width))));
        for (var t = 0; t < Classes.Count; t++)
            text.Append("  ").Append(Classes[t].PadLeft(width)).AppendLine(string.Concat(Counts[t].Select(c => " " + c.ToString().PadLeft(width))));
        return text.ToString();
    }
}

/// <summary>Bootstrap intervals of the classification metrics (per-class AUC in class order).</summary>
public sealed record ClassificationIntervals(
    IReadOnlyList<ConfidenceInterval?> Auc,
    ConfidenceInterval? MeanAuc,
    ConfidenceInterval? Accuracy,
    ConfidenceInterval? Precision,
    ConfidenceInterval? Recall,
    ConfidenceInterval? Specificity,
    ConfidenceInterval? F1);
