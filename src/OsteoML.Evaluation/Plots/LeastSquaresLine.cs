namespace OsteoML.Evaluation.Plots;

/// <summary>Ordinary least-squares line y = intercept + slope·x (the fit line of the predicted-vs-reference plot).</summary>
public sealed record LeastSquaresLine(double Intercept, double Slope)
{
    public double At(double x) => Intercept + Slope * x;

    /// <summary>Null when x is constant (no line is determined).</summary>
    public static LeastSquaresLine? Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"{x.Count} x values but {y.Count} y values.", nameof(y));
        if (x.Count < 2) return null;
        var meanX = x.Average();
        var meanY = y.Average();
        double sxx = 0, sxy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxx += (x[i] - meanX) * (x[i] - meanX);
            sxy += (x[i] - meanX) * (y[i] - meanY);
        }
        if (sxx == 0) return null;
        var slope = sxy / sxx;
        return new LeastSquaresLine(meanY - slope * meanX, slope);
    }
}
