using OsteoML.Calibration.Methods;

namespace OsteoML.Calibration;

/// <summary>Scores a BMD map by leave-one-out cross-validation inside one site.</summary>
internal static class BmdCorrectionFit
{
    /// <summary>Fits <paramref name="method"/>; shrinkage picks its prior strength by leave-one-out unless given one.</summary>
    public static FittedCorrection Fit(CalibrationMethod method, IReadOnlyList<CalibrationCase> cases, double? priorStrength = null) =>
        CalibrationMethods.Get(method).Fit(cases, priorStrength);

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
}
