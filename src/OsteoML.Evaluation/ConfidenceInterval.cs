namespace OsteoML.Evaluation;

/// <summary>
/// A bootstrap percentile interval. <see cref="Replicates"/> counts the replicates in which the metric was
/// defined (a resample can lack a class, leaving its AUC undefined); the interval is taken over those.
/// </summary>
public sealed record ConfidenceInterval(double Low, double High, double Level, int Replicates)
{
    /// <summary>
    /// The percentile interval of the defined replicate values, with the quantile definition numpy uses by
    /// default (linear interpolation between order statistics, Hyndman–Fan type 7). Null when none is defined.
    /// </summary>
    public static ConfidenceInterval? FromReplicates(IEnumerable<double?> values, double level)
    {
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "the confidence level must lie in (0, 1).");
        var defined = values.Where(v => v.HasValue).Select(v => v!.Value).ToArray();
        if (defined.Length == 0)
            return null;
        Array.Sort(defined);
        var tail = (1 - level) / 2;
        return new ConfidenceInterval(Quantile(defined, tail), Quantile(defined, 1 - tail), level, defined.Length);
    }

    /// <summary>Type-7 quantile of sorted values: h = (m − 1)·q, interpolated between x[⌊h⌋] and x[⌊h⌋ + 1].</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lower = (int)Math.Floor(h);
        if (lower >= sorted.Length - 1)
            return sorted[^1];
        return sorted[lower] + (h - lower) * (sorted[lower + 1] - sorted[lower]);
    }

    public override string ToString() => $"[{MetricText.Value(Low)}, {MetricText.Value(High)}]";
}
