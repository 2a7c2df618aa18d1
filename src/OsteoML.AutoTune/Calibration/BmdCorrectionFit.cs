namespace OsteoML.AutoTune.Calibration;

/// <summary>Fits the candidate BMD maps and scores them by leave-one-out cross-validation inside one site.</summary>
internal static class BmdCorrectionFit
{
    /// <summary>Prior strengths tried for shrinkage, in pseudo-cases (a case's worth of belief in the global model).</summary>
    public static readonly double[] PriorStrengths = [0.5, 1, 2, 4, 8, 16, 32, 64];

    /// <summary>
    /// Fewest cases a method may be fitted from: 5 for a constant (or a shrunk line), 10 for a free line, 20 for a
    /// free line plus four tissue terms — about four cases per free coefficient.
    /// </summary>
    public static int MinimumCases(CalibrationMethod method) => method switch
    {
        CalibrationMethod.None or CalibrationMethod.Offset or CalibrationMethod.Shrinkage => 5,
        CalibrationMethod.Linear or CalibrationMethod.ShrinkageWithTissues => 10,
        _ => 20,
    };

    public sealed record Fitted(BmdCorrection Correction, bool SlopeCapped);

    /// <summary>Fits <paramref name="method"/>; shrinkage picks its prior strength by leave-one-out unless given one.</summary>
    public static Fitted Fit(CalibrationMethod method, IReadOnlyList<CalibrationCase> cases, double? priorStrength = null)
    {
        if (method == CalibrationMethod.None) return new(BmdCorrection.Identity, false);
        var tissueMeans = UsesTissues(method)
            ? Enumerable.Range(0, ReferenceTissues.Names.Count).Select(j => cases.Average(c => c.Tissues![j])).ToArray()
            : [];
        var isShrinkage = method is CalibrationMethod.Shrinkage or CalibrationMethod.ShrinkageWithTissues;
        var lambda = isShrinkage ? priorStrength ?? ChoosePriorStrength(method, cases, tissueMeans) : 0;

        var x = cases.Select(c => BmdCorrection.Design(method, c.GlobalBmd, c.Tissues, tissueMeans)).ToArray();
        var r = cases.Select(c => c.QctBmd - c.GlobalBmd).ToArray();
        var theta = RidgeFit.Solve(x, r, lambda);
        var capped = false;
        if (theta.Length > 1)
        {
            var slope = 1 + theta[1] / BmdCorrection.SlopeScale;
            var clamped = Math.Clamp(slope, BmdCorrection.MinimumSlope, BmdCorrection.MaximumSlope);
            if (clamped != slope)
            {
                // Pin the slope at its cap and refit the rest, so the offset still matches the site.
                theta = RidgeFit.Solve(x, r, lambda, fixedIndex: 1, fixedValue: (clamped - 1) * BmdCorrection.SlopeScale);
                capped = true;
            }
        }
        return new(new BmdCorrection
        {
            Method = method,
            Coefficients = theta,
            TissueMeans = tissueMeans,
            PriorStrength = isShrinkage ? lambda : null,
        }, capped);
    }

    /// <summary>
    /// Leave-one-out calibrated BMD of every case: each is predicted by the method fitted to the other k − 1
    /// (shrinkage choosing its prior strength on those k − 1 alone, so the estimate is honestly nested).
    /// </summary>
    public static double[] LeaveOneOut(CalibrationMethod method, IReadOnlyList<CalibrationCase> cases, double? priorStrength = null)
    {
        var predictions = new double[cases.Count];
        var rest = new List<CalibrationCase>(cases.Count - 1);
        for (var i = 0; i < cases.Count; i++)
        {
            rest.Clear();
            for (var j = 0; j < cases.Count; j++) if (j != i) rest.Add(cases[j]);
            var fitted = Fit(method, rest, priorStrength).Correction;
            predictions[i] = fitted.Apply(cases[i].GlobalBmd, cases[i].Tissues);
        }
        return predictions;
    }

    /// <summary>
    /// The prior strength with the lowest leave-one-out mean absolute residual, by the closed-form PRESS residuals
    /// (the caps are left out of this inner choice; they rarely bind and would make it k times slower).
    /// </summary>
    private static double ChoosePriorStrength(CalibrationMethod method, IReadOnlyList<CalibrationCase> cases, double[] tissueMeans)
    {
        var x = cases.Select(c => BmdCorrection.Design(method, c.GlobalBmd, c.Tissues, tissueMeans)).ToArray();
        var r = cases.Select(c => c.QctBmd - c.GlobalBmd).ToArray();
        var best = (Lambda: PriorStrengths[^1], Mae: double.PositiveInfinity);
        foreach (var lambda in PriorStrengths)
        {
            var mae = RidgeFit.LeaveOneOutResiduals(x, r, lambda).Average(Math.Abs);
            if (mae < best.Mae - 1e-12) best = (lambda, mae);
        }
        return best.Lambda;
    }

    private static bool UsesTissues(CalibrationMethod method) =>
        method is CalibrationMethod.LinearWithTissues or CalibrationMethod.ShrinkageWithTissues;
}
