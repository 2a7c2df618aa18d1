namespace OsteoML.Pipelines.Trends;

/// <summary>
/// A patient's BMD change per year over their studies. Two studies: the difference over the interval, its standard
/// error √2·σ/Δt from the measurement precision σ. More: the least-squares slope, its standard error the larger of the
/// residuals' (which also holds real non-linear change) and the precision's σ/√Sxx — with three points the residuals
/// have one degree of freedom and can be near zero by chance. The change tested against the LSC is the fitted change
/// from the first study to the last, the quantity a two-study LSC is defined for.
/// </summary>
public sealed record BmdTrendFit(double SlopePerYear, double SlopeStandardError, double Intercept, double SpanYears, double Change, double ChangeStandardError)
{
    /// <summary>Null when fewer than two studies, or all on one day.</summary>
    public static BmdTrendFit? Fit(IReadOnlyList<double> years, IReadOnlyList<double> bmd, double precisionSd)
    {
        if (years.Count != bmd.Count) throw new ArgumentException($"{years.Count} times but {bmd.Count} BMD values.", nameof(bmd));
        var n = years.Count;
        if (n < 2) return null;
        var meanX = years.Average();
        var meanY = bmd.Average();
        double sxx = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            sxx += (years[i] - meanX) * (years[i] - meanX);
            sxy += (years[i] - meanX) * (bmd[i] - meanY);
        }
        if (sxx <= 0) return null;
        var slope = sxy / sxx;
        var intercept = meanY - slope * meanX;
        var span = years.Max() - years.Min();
        var precisionSe = precisionSd / Math.Sqrt(sxx);
        var se = precisionSe;
        if (n > 2)
        {
            var rss = 0.0;
            for (var i = 0; i < n; i++) rss += Math.Pow(bmd[i] - (intercept + slope * years[i]), 2);
            se = Math.Max(precisionSe, Math.Sqrt(rss / (n - 2) / sxx));
        }
        // Two points: σ/√Sxx = σ/√(Δt²/2) = √2·σ/Δt, the difference's standard error over the interval.
        return new BmdTrendFit(slope, se, intercept, span, slope * span, se * span);
    }
}
