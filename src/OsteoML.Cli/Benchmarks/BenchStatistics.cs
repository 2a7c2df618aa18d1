namespace OsteoML.Cli.Benchmarks;

/// <summary>
/// The statistics of a side-by-side comparison: each round times both sides back to back, so the ratio of one round
/// shares that moment's machine load; the median over rounds then resists the rounds a neighbour's job spoiled.
/// </summary>
public static class BenchStatistics
{
    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to take the median of.");
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Median over rounds of reference[i] / ours[i]: how many times faster ours is (above 1: faster).</summary>
    public static double MedianRatio(IReadOnlyList<double> referenceSeconds, IReadOnlyList<double> oursSeconds)
    {
        if (referenceSeconds.Count != oursSeconds.Count)
            throw new ArgumentException($"rounds differ: {referenceSeconds.Count} reference timings, {oursSeconds.Count} of ours.");
        return Median(referenceSeconds.Zip(oursSeconds, (r, o) => r / o).ToArray());
    }
}
