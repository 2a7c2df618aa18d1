namespace OsteoML.Models.Validation;

/// <summary>The few metrics the model cards report, as small pure functions.</summary>
public static class Metrics
{
    /// <summary>Dice = 2|A∩B| / (|A| + |B|) of two label arrays restricted to <paramref name="label"/>; 1 when both are empty.</summary>
    public static double Dice(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, byte label)
    {
        if (a.Length != b.Length)
            throw new ArgumentException("label maps differ in size");
        long both = 0, inA = 0, inB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i] == label;
            var y = b[i] == label;
            inA += x ? 1 : 0;
            inB += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        return inA + inB == 0 ? 1 : 2.0 * both / (inA + inB);
    }

    /// <summary>Area under the ROC curve by the Mann–Whitney U statistic (ties count one half).</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
                j++;
            for (var k = i; k <= j; k++)
                ranks[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        var positives = positive.Count(p => p);
        var negatives = positive.Count - positives;
        if (positives == 0 || negatives == 0)
            return double.NaN;
        var rankSum = Enumerable.Range(0, scores.Count).Where(i => positive[i]).Sum(i => ranks[i]);
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
