using OsteoML.Calibration;

namespace OsteoML.Pipelines.Bundles;

/// <summary>
/// One least-squares line BMD = intercept + slope·HU, fitted on the training studies' mean L1/L2 trabecular HU
/// against their QCT BMD, with the residual SD (n − 2 degrees of freedom). The HU baseline — the classic
/// opportunistic approach: one global line, fixed ACR thresholds — and, in every bundle, the per-level BMD estimate.
/// Class probabilities come from the calibrated-BMD model N(BMD, residual SD²) against the ACR thresholds.
/// </summary>
public sealed record HuLine(double Intercept, double Slope, double ResidualSd, int Cases)
{
    public double Bmd(double hu) => Intercept + Slope * hu;

    public double[] Probabilities(double hu) => ClassProbabilities.FromBmd(Bmd(hu), Math.Max(ResidualSd, ClassProbabilities.MinimumSpread), ClassThresholds.Acr);

    public static HuLine Fit(IReadOnlyList<double> hu, IReadOnlyList<double> bmd)
    {
        var n = hu.Count;
        if (n < 3) throw new InvalidOperationException($"the HU line needs at least 3 measured training studies, got {n}.");
        double mx = hu.Average(), my = bmd.Average(), sxx = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            sxx += (hu[i] - mx) * (hu[i] - mx);
            sxy += (hu[i] - mx) * (bmd[i] - my);
        }
        if (sxx <= 0) throw new InvalidOperationException("the HU line needs training studies with different HU.");
        var slope = sxy / sxx;
        var intercept = my - slope * mx;
        var ss = 0.0;
        for (var i = 0; i < n; i++)
        {
            var r = bmd[i] - intercept - slope * hu[i];
            ss += r * r;
        }
        return new HuLine(intercept, slope, Math.Sqrt(ss / (n - 2)), n);
    }
}
