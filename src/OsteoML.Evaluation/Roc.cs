namespace OsteoML.Evaluation;

/// <summary>One operating point of a ROC curve: predict positive when the score is ≥ <see cref="Threshold"/>.</summary>
public sealed record RocPoint(double FalsePositiveRate, double TruePositiveRate, double Threshold);

/// <summary>A ROC curve (points from the strictest threshold to the most lenient) and the area under it.</summary>
public sealed record RocCurve(IReadOnlyList<RocPoint> Points, double? Auc)
{
    public override string ToString() => $"ROC curve, {Points.Count} points, AUC {MetricText.Value(Auc)}";
}

/// <summary>
/// Scores sorted once, with their tie groups, so the AUC of any weighting of the rows (a bootstrap
/// replicate) is one O(n) pass: the Mann–Whitney U statistic with ties counted as one half.
/// </summary>
internal sealed class RankedScores
{
    private readonly double[] scores;
    private readonly int[] order;     // row indices, ascending score
    private readonly int[] groupEnds; // exclusive end (in order) of each run of equal scores

    public RankedScores(double[] scores)
    {
        this.scores = scores;
        order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort((double[])scores.Clone(), order);
        var ends = new List<int>();
        for (var i = 1; i <= order.Length; i++)
        {
            if (i == order.Length || scores[order[i]] != scores[order[i - 1]])
                ends.Add(i);
        }
        groupEnds = [.. ends];
    }

    /// <summary>
    /// AUC of "row is class <paramref name="positive"/>" against the scores: the probability that a random
    /// positive outscores a random negative, ties counting one half. Null when either side is empty.
    /// </summary>
    public double? Auc(int[] labels, int positive, int[]? weights)
    {
        double negativesBelow = 0, positives = 0, pairs = 0;
        var start = 0;
        foreach (var end in groupEnds)
        {
            double groupPositives = 0, groupNegatives = 0;
            for (var i = start; i < end; i++)
            {
                var row = order[i];
                var w = weights is null ? 1 : weights[row];
                if (labels[row] == positive) groupPositives += w;
                else groupNegatives += w;
            }
            pairs += groupPositives * (negativesBelow + 0.5 * groupNegatives);
            negativesBelow += groupNegatives;
            positives += groupPositives;
            start = end;
        }
        return positives > 0 && negativesBelow > 0 ? pairs / (positives * negativesBelow) : null;
    }

    /// <summary>The ROC curve with one point per distinct score, from (0, 0) at +∞ to (1, 1).</summary>
    public RocCurve Curve(int[] labels, int positive)
    {
        double totalPositives = 0, totalNegatives = 0;
        foreach (var label in labels)
        {
            if (label == positive) totalPositives++;
            else totalNegatives++;
        }
        if (totalPositives == 0 || totalNegatives == 0)
            return new RocCurve([], null);

        var points = new List<RocPoint>(groupEnds.Length + 1) { new(0, 0, double.PositiveInfinity) };
        double truePositives = 0, falsePositives = 0;
        for (var g = groupEnds.Length - 1; g >= 0; g--)
        {
            var start = g == 0 ? 0 : groupEnds[g - 1];
            for (var i = start; i < groupEnds[g]; i++)
            {
                if (labels[order[i]] == positive) truePositives++;
                else falsePositives++;
            }
            points.Add(new RocPoint(falsePositives / totalNegatives, truePositives / totalPositives, scores[order[start]]));
        }
        return new RocCurve(points, Auc(labels, positive, null));
    }
}
