using System.Text;

namespace OsteoML.Evaluation;

/// <summary>
/// The study's BMD regression metrics (mg/cm³) for one set of rows, predicted against reference (QCT).
/// R² = 1 − SS_res/SS_tot about the reference mean. Pearson's p is two-sided, from t with n − 2 degrees of
/// freedom. Bland–Altman: differences are predicted − reference; the limits of agreement are bias ± 1.96 SD
/// (sample SD, n − 1). Undefined values (R² with constant reference, r with a constant side, p with n &lt; 3,
/// limits with n &lt; 2) are null.
/// </summary>
public sealed record RegressionMetrics(
    int N,
    double? Mae,
    double? Rmse,
    double? R2,
    double? PearsonR,
    double? PearsonP,
    double? Bias,
    double? LowerLimitOfAgreement,
    double? UpperLimitOfAgreement)
{
    /// <summary>Bootstrap intervals, when the metrics were computed with a <see cref="PatientBootstrap"/>.</summary>
    public RegressionIntervals? Ci { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"n = {N}; BMD predicted vs reference (mg/cm³)");
        text.AppendLine($"  MAE        {MetricText.WithCi(Mae, Ci?.Mae)}");
        text.AppendLine($"  RMSE       {MetricText.WithCi(Rmse, Ci?.Rmse)}");
        text.AppendLine($"  R²         {MetricText.WithCi(R2, Ci?.R2)}");
        text.AppendLine($"  Pearson r  {MetricText.WithCi(PearsonR, Ci?.PearsonR)}   p {MetricText.PValue(PearsonP)}");
        text.AppendLine($"  Bland–Altman bias {MetricText.WithCi(Bias, Ci?.Bias)}");
        text.Append($"  limits of agreement {MetricText.Value(LowerLimitOfAgreement)} to {MetricText.Value(UpperLimitOfAgreement)}");
        return text.ToString();
    }
}

/// <summary>Bootstrap intervals of the regression metrics. A p-value has no meaningful interval, so none is given.</summary>
public sealed record RegressionIntervals(
    ConfidenceInterval? Mae,
    ConfidenceInterval? Rmse,
    ConfidenceInterval? R2,
    ConfidenceInterval? PearsonR,
    ConfidenceInterval? Bias,
    ConfidenceInterval? LowerLimitOfAgreement,
    ConfidenceInterval? UpperLimitOfAgreement);
