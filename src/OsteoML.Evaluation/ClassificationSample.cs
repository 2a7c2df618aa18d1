namespace OsteoML.Evaluation;

/// <summary>
/// Validated classification rows, prepared once (scores ranked per class) so that the metrics of any row
/// weighting — all ones for the estimate, patient counts for a bootstrap replicate — take O(n·K).
/// </summary>
internal sealed class ClassificationSample
{
    private readonly int[] truth;
    private readonly int[] predicted;
    private readonly RankedScores[] ranked;
    private readonly IReadOnlyList<string> classes;

    public ClassificationSample(IReadOnlyList<int> truth, IReadOnlyList<IReadOnlyList<double>> probabilities,
        IReadOnlyList<int>? predicted, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count != truth.Count)
            throw new ArgumentException($"{truth.Count} truths but {probabilities.Count} probability rows.", nameof(probabilities));
        if (predicted is not null && predicted.Count != truth.Count)
            throw new ArgumentException($"{truth.Count} truths but {predicted.Count} predictions.", nameof(predicted));

        var k = classNames?.Count ?? (probabilities.Count > 0 ? probabilities[0].Count : 0);
        if (k < 2)
            throw new ArgumentException("classification needs at least two classes (give classNames when there are no rows).", nameof(classNames));
        classes = classNames?.ToArray() ?? Enumerable.Range(0, k).Select(i => i.ToString()).ToArray();

        var n = truth.Count;
        this.truth = new int[n];
        this.predicted = new int[n];
        var scores = new double[k][];
        for (var c = 0; c < k; c++) scores[c] = new double[n];
        for (var row = 0; row < n; row++)
        {
            this.truth[row] = CheckClass(truth[row], k, row, nameof(truth));
            var p = probabilities[row] ?? throw new ArgumentException($"probabilities of row {row} are null.", nameof(probabilities));
            if (p.Count != k)
                throw new ArgumentException($"row {row} has {p.Count} probabilities, expected {k}.", nameof(probabilities));
            var best = 0;
            for (var c = 0; c < k; c++)
            {
                if (!double.IsFinite(p[c]))
                    throw new ArgumentException($"probability {c} of row {row} is {p[c]}.", nameof(probabilities));
                scores[c][row] = p[c];
                if (p[c] > p[best]) best = c; // first of equal maxima, like numpy.argmax
            }
            this.predicted[row] = predicted is null ? best : CheckClass(predicted[row], k, row, nameof(predicted));
        }
        ranked = scores.Select(s => new RankedScores(s)).ToArray();
    }

    public int Count => truth.Length;

    public ClassificationMetrics Compute(int[]? weights)
    {
        var k = classes.Count;
        var counts = new int[k][];
        for (var t = 0; t < k; t++) counts[t] = new int[k];
        var n = 0;
        for (var row = 0; row < truth.Length; row++)
        {
            var w = weights is null ? 1 : weights[row];
            counts[truth[row]][predicted[row]] += w;
            n += w;
        }
        var aucs = new double?[k];
        for (var c = 0; c < k; c++)
            aucs[c] = ranked[c].Auc(truth, c, weights);
        return FromConfusion(classes, counts, aucs);
    }

    /// <summary>All the count-based metrics follow from the confusion matrix; AUCs come from the scores.</summary>
    internal static ClassificationMetrics FromConfusion(IReadOnlyList<string> classes, int[][] counts, double?[] aucs)
    {
        var k = classes.Count;
        var n = counts.Sum(r => r.Sum());
        var perClass = new ClassMetrics[k];
        var correct = 0;
        for (var c = 0; c < k; c++)
        {
            var tp = counts[c][c];
            var actual = counts[c].Sum();              // TP + FN
            var called = counts.Sum(r => r[c]);        // TP + FP
            var fp = called - tp;
            var tn = n - actual - fp;
            correct += tp;
            perClass[c] = new ClassMetrics(
                classes[c], actual, aucs[c],
                Precision: Ratio(tp, called),
                Recall: Ratio(tp, actual),
                Specificity: Ratio(tn, n - actual),
                F1: Ratio(2 * tp, actual + called));   // 2TP / (2TP + FP + FN)
        }
        return new ClassificationMetrics(
            n, perClass,
            MeanAuc: MeanOfDefined(aucs),
            Accuracy: Ratio(correct, n),
            Precision: MeanOfDefined(perClass.Select(c => c.Precision)),
            Recall: MeanOfDefined(perClass.Select(c => c.Recall)),
            Specificity: MeanOfDefined(perClass.Select(c => c.Specificity)),
            F1: MeanOfDefined(perClass.Select(c => c.F1)),
            new ConfusionMatrix(classes, counts));
    }

    private static double? Ratio(int numerator, int denominator) => denominator > 0 ? (double)numerator / denominator : null;

    private static double? MeanOfDefined(IEnumerable<double?> values)
    {
        double sum = 0;
        var count = 0;
        foreach (var v in values)
        {
            if (v is not { } x) continue;
            sum += x;
            count++;
        }
        return count > 0 ? sum / count : null;
    }

    private static int CheckClass(int label, int k, int row, string what) =>
        label >= 0 && label < k ? label : throw new ArgumentException($"{what} of row {row} is class {label}; classes are 0..{k - 1}.", what);
}
