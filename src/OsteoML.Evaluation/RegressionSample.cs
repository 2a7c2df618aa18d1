namespace OsteoML.Evaluation;

/// <summary>Validated regression rows; metrics for any row weighting (all ones, or a bootstrap replicate).</summary>
internal sealed class RegressionSample
{
    /// <summary>Bland and Altman's multiplier for 95 % limits of agreement (Lancet 1986).</summary>
    public const double LimitsMultiplier = 1.96;

    private readonly double[] reference;
    private readonly double[] predicted;

    public RegressionSample(IReadOnlyList<double> reference, IReadOnlyList<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(predicted);
        if (reference.Count != predicted.Count)
            throw new ArgumentException($"{reference.Count} reference values but {predicted.Count} predictions.", nameof(predicted));
        this.reference = Finite(reference, nameof(reference));
        this.predicted = Finite(predicted, nameof(predicted));
    }

    public int Count => reference.Length;

    public RegressionMetrics Compute(int[]? weights)
    {
        // Two passes (means, then centred sums) keep the sums of squares accurate for values far from zero.
        double n = 0, sumReference = 0, sumPredicted = 0, sumAbsolute = 0, sumSquared = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double w = weights is null ? 1 : weights[i];
            if (w == 0) continue;
            var d = predicted[i] - reference[i];
            n += w;
            sumReference += w * reference[i];
            sumPredicted += w * predicted[i];
            sumAbsolute += w * Math.Abs(d);
            sumSquared += w * d * d;
        }
        if (n == 0)
            return new RegressionMetrics(0, null, null, null, null, null, null, null, null);

        var meanReference = sumReference / n;
        var meanPredicted = sumPredicted / n;
        var bias = meanPredicted - meanReference;
        double sxx = 0, syy = 0, sxy = 0, sdd = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double w = weights is null ? 1 : weights[i];
            if (w == 0) continue;
            var x = reference[i] - meanReference;
            var y = predicted[i] - meanPredicted;
            var d = predicted[i] - reference[i] - bias;
            sxx += w * x * x;
            syy += w * y * y;
            sxy += w * x * y;
            sdd += w * d * d;
        }

        double? r = sxx > 0 && syy > 0 ? Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1) : null;
        double? sd = n >= 2 ? Math.Sqrt(sdd / (n - 1)) : null;
        return new RegressionMetrics(
            (int)n,
            Mae: sumAbsolute / n,
            Rmse: Math.Sqrt(sumSquared / n),
            R2: sxx > 0 ? 1 - sumSquared / sxx : null,
            PearsonR: r,
            PearsonP: r is { } rr && n >= 3 ? PearsonP(rr, n) : null,
            Bias: bias,
            LowerLimitOfAgreement: bias - LimitsMultiplier * sd,
            UpperLimitOfAgreement: bias + LimitsMultiplier * sd);
    }

    /// <summary>Two-sided p of H0: ρ = 0, from t = r·√((n−2)/(1−r²)) with n − 2 degrees of freedom.</summary>
    internal static double PearsonP(double r, double n)
    {
        var oneMinusR2 = (1 - r) * (1 + r); // less cancellation than 1 − r² near |r| = 1
        if (oneMinusR2 <= 0) return 0;
        var t = r * Math.Sqrt((n - 2) / oneMinusR2);
        return SpecialFunctions.StudentTTwoSidedP(t, n - 2);
    }

    private static double[] Finite(IReadOnlyList<double> values, string what)
    {
        var copy = values.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (!double.IsFinite(copy[i]))
                throw new ArgumentException($"{what} of row {i} is {copy[i]}.", what);
        }
        return copy;
    }
}
