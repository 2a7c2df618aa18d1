namespace OsteoML.Evaluation;

/// <summary>
/// The study's metrics on arrays, for notebooks, the tuner and the <c>osteoml evaluate</c> command.
/// Pass a <see cref="PatientBootstrap"/> to get patient-level percentile intervals in <c>Ci</c>.
/// </summary>
public static partial class Metrics
{
    /// <summary>
    /// Per-class one-vs-rest AUC and their mean, accuracy, macro precision/recall/specificity/F1, confusion.
    /// </summary>
    /// <param name="truth">True class of each row, 0 … K−1.</param>
    /// <param name="probabilities">Per row, the K class probabilities (any scores: only their order matters for AUC).</param>
    /// <param name="predicted">Predicted class of each row; null takes the argmax of the probabilities (first on ties).</param>
    /// <param name="classNames">The K class names; null names them "0" … "K−1".</param>
    /// <param name="bootstrap">Patient-level bootstrap over these rows, for intervals; null for none.</param>
    public static ClassificationMetrics Classification(
        IReadOnlyList<int> truth,
        IReadOnlyList<IReadOnlyList<double>> probabilities,
        IReadOnlyList<int>? predicted = null,
        IReadOnlyList<string>? classNames = null,
        PatientBootstrap? bootstrap = null)
    {
        var sample = new ClassificationSample(truth, probabilities, predicted, classNames);
        return WithIntervals(sample.Compute, sample.Count, bootstrap, (estimate, replicates, boot) => estimate with
        {
            Ci = new ClassificationIntervals(
                Auc: Enumerable.Range(0, estimate.PerClass.Count).Select(c => boot.Interval(replicates, m => m.PerClass[c].Auc)).ToArray(),
                MeanAuc: boot.Interval(replicates, m => m.MeanAuc),
                Accuracy: boot.Interval(replicates, m => m.Accuracy),
                Precision: boot.Interval(replicates, m => m.Precision),
                Recall: boot.Interval(replicates, m => m.Recall),
                Specificity: boot.Interval(replicates, m => m.Specificity),
                F1: boot.Interval(replicates, m => m.F1)),
        });
    }

    /// <summary>MAE, RMSE, R², Pearson r and its p-value, Bland–Altman bias and 95 % limits of agreement.</summary>
    /// <param name="reference">Reference BMD (QCT), one per row.</param>
    /// <param name="predicted">Predicted BMD, one per row.</param>
    /// <param name="bootstrap">Patient-level bootstrap over these rows, for intervals; null for none.</param>
    public static RegressionMetrics Regression(
        IReadOnlyList<double> reference,
        IReadOnlyList<double> predicted,
        PatientBootstrap? bootstrap = null)
    {
        var sample = new RegressionSample(reference, predicted);
        return WithIntervals(sample.Compute, sample.Count, bootstrap, (estimate, replicates, boot) => estimate with
        {
            Ci = new RegressionIntervals(
                Mae: boot.Interval(replicates, m => m.Mae),
                Rmse: boot.Interval(replicates, m => m.Rmse),
                R2: boot.Interval(replicates, m => m.R2),
                PearsonR: boot.Interval(replicates, m => m.PearsonR),
                Bias: boot.Interval(replicates, m => m.Bias),
                LowerLimitOfAgreement: boot.Interval(replicates, m => m.LowerLimitOfAgreement),
                UpperLimitOfAgreement: boot.Interval(replicates, m => m.UpperLimitOfAgreement)),
        });
    }

    /// <summary>The estimate (all rows weigh 1) and, with a bootstrap, the estimate with intervals from the replicates.</summary>
    private static T WithIntervals<T>(Func<int[]?, T> compute, int rows, PatientBootstrap? bootstrap, Func<T, IReadOnlyList<T>, PatientBootstrap, T> addIntervals)
    {
        var estimate = compute(null);
        if (bootstrap is null)
            return estimate;
        bootstrap.EnsureRows(rows);
        return addIntervals(estimate, bootstrap.Replicate(compute), bootstrap);
    }

    /// <summary>Binary ROC AUC (Mann–Whitney, ties count one half); null when either class is absent.</summary>
    public static double? RocAuc(IReadOnlyList<bool> positive, IReadOnlyList<double> scores)
    {
        var (labels, ranked) = Binary(positive, scores);
        return ranked.Auc(labels, 1, null);
    }

    /// <summary>Binary ROC curve, one point per distinct score; empty with a null AUC when either class is absent.</summary>
    public static RocCurve RocCurve(IReadOnlyList<bool> positive, IReadOnlyList<double> scores)
    {
        var (labels, ranked) = Binary(positive, scores);
        return ranked.Curve(labels, 1);
    }

    private static (int[] Labels, RankedScores Ranked) Binary(IReadOnlyList<bool> positive, IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(scores);
        if (positive.Count != scores.Count)
            throw new ArgumentException($"{positive.Count} labels but {scores.Count} scores.", nameof(scores));
        var values = scores.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"score of row {i} is {values[i]}.", nameof(scores));
        }
        return (positive.Select(p => p ? 1 : 0).ToArray(), new RankedScores(values));
    }
}
