namespace OsteoML.Calibration.Methods;

/// <summary>
/// The maps that are a ridge fit of the residuals QCT − ŷ on the design x = [1, (ŷ − c)/s, (tissueⱼ − meanⱼ)/t …]
/// truncated to <see cref="Width"/> columns: θ = 0 is the global model itself, and the ridge prior (shrinkage) pulls
/// toward it. A fitted slope beyond the caps is pinned at the cap and the rest refitted, so the offset still matches.
/// </summary>
public abstract class DesignMatrixMethod : ICalibrationMethod
{
    /// <summary>Prior strengths tried for shrinkage, in pseudo-cases (a case's worth of belief in the global model).</summary>
    public static readonly double[] PriorStrengths = [0.5, 1, 2, 4, 8, 16, 32, 64];

    public abstract CalibrationMethod Method { get; }
    public abstract int MinimumCases { get; }
    public abstract bool UsesTissues { get; }

    /// <summary>Whether the coefficients are shrunk toward zero with a prior strength chosen by leave-one-out.</summary>
    protected abstract bool IsShrinkage { get; }

    /// <summary>Design columns used: 1 (offset), 2 (offset and slope) or 2 + the tissues.</summary>
    protected abstract int Width(int tissues);

    public double[] Design(double globalBmd, IReadOnlyList<double>? tissues, IReadOnlyList<double> tissueMeans)
    {
        var width = Width(tissueMeans.Count);
        var x = new double[width];
        if (width > 0) x[0] = 1;
        if (width > 1) x[1] = (globalBmd - BmdCorrection.Centre) / BmdCorrection.SlopeScale;
        for (var j = 2; j < width; j++) x[j] = (tissues![j - 2] - tissueMeans[j - 2]) / BmdCorrection.TissueScale;
        return x;
    }

    public double Correction(BmdCorrection fitted, double globalBmd, IReadOnlyList<double>? tissues)
    {
        if (fitted.Coefficients.Count == 0) return 0;
        var x = Design(globalBmd, tissues, fitted.TissueMeans);
        var correction = 0.0;
        for (var j = 0; j < x.Length; j++) correction += x[j] * fitted.Coefficients[j];
        return correction;
    }

    public FittedCorrection Fit(IReadOnlyList<CalibrationCase> cases, double? priorStrength = null)
    {
        if (Width(0) == 0) return new(BmdCorrection.Identity, false);
        var tissueMeans = UsesTissues
            ? Enumerable.Range(0, ReferenceTissues.Names.Count).Select(j => cases.Average(c => c.Tissues![j])).ToArray()
            : [];
        var lambda = IsShrinkage ? priorStrength ?? ChoosePriorStrength(cases, tissueMeans) : 0;

        var x = cases.Select(c => Design(c.GlobalBmd, c.Tissues, tissueMeans)).ToArray();
        var r = cases.Select(c => c.QctBmd - c.GlobalBmd).ToArray();
        var theta = RidgeFit.Solve(x, r, lambda);
        var capped = false;
        if (theta.Length > 1)
        {
            var slope = 1 + theta[1] / BmdCorrection.SlopeScale;
            var clamped = Math.Clamp(slope, BmdCorrection.MinimumSlope, BmdCorrection.MaximumSlope);
            if (clamped != slope)
            {
                theta = RidgeFit.Solve(x, r, lambda, fixedIndex: 1, fixedValue: (clamped - 1) * BmdCorrection.SlopeScale);
                capped = true;
            }
        }
        return new(new BmdCorrection
        {
            Method = Method,
            Coefficients = theta,
            TissueMeans = tissueMeans,
            PriorStrength = IsShrinkage ? lambda : null,
        }, capped);
    }

    /// <summary>
    /// The prior strength with the lowest leave-one-out mean absolute residual, by the closed-form PRESS residuals
    /// (the caps are left out of this inner choice; they rarely bind and would make it k times slower).
    /// </summary>
    private double ChoosePriorStrength(IReadOnlyList<CalibrationCase> cases, double[] tissueMeans)
    {
        var x = cases.Select(c => Design(c.GlobalBmd, c.Tissues, tissueMeans)).ToArray();
        var r = cases.Select(c => c.QctBmd - c.GlobalBmd).ToArray();
        var best = (Lambda: PriorStrengths[^1], Mae: double.PositiveInfinity);
        foreach (var lambda in PriorStrengths)
        {
            var mae = RidgeFit.LeaveOneOutResiduals(x, r, lambda).Average(Math.Abs);
            if (mae < best.Mae - 1e-12) best = (lambda, mae);
        }
        return best.Lambda;
    }
}
