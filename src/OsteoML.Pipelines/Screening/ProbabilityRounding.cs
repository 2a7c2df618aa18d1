namespace OsteoML.Pipelines.Screening;

/// <summary>
/// Rounds class probabilities for reporting so that the rounded values still sum to 1: rounding each of three
/// values to 5 decimals on its own can give 1.00001 or 0.99999 (each error up to 5e-6), which breaks the contract
/// that a result's probabilities form a distribution and made a test fail on one CPU and pass on another.
/// Largest-remainder rounding (the values normalised first, each floored to the last decimal, the missing units
/// given to the largest remainders) moves no value by more than one unit of the last decimal and sums to exactly
/// 10^decimals units.
/// </summary>
public static class ProbabilityRounding
{
    public static double[] Round(IReadOnlyList<double> probabilities, int decimals)
    {
        var scale = Math.Pow(10, decimals);
        var total = probabilities.Sum();
        if (!(total > 0) || !double.IsFinite(total))
            return probabilities.Select(p => Math.Round(p, decimals)).ToArray();
        var scaled = probabilities.Select(p => Math.Max(0, p) / total * scale).ToArray();
        var units = scaled.Select(Math.Floor).ToArray();
        var missing = (long)Math.Round(scale - units.Sum());
        foreach (var i in Enumerable.Range(0, scaled.Length).OrderByDescending(i => scaled[i] - units[i]).ThenBy(i => i).Take((int)Math.Max(0, missing)))
            units[i] += 1;
        // units are integers summing to 10^decimals; dividing each by the scale is the nearest double to the decimal.
        return units.Select(u => Math.Round(u / scale, decimals)).ToArray();
    }
}
