using OsteoML.Calibration;

namespace OsteoML.Cli.Summaries;

/// <summary>
/// A site profile written by <c>calibrate</c>: its site key, the BMD correction chosen, the cases, the class thresholds
/// (mg/cm³), MAE and mean AUC on the site's own cases before (global model) and after (in-sample), the leave-one-out MAE
/// without and with the chosen correction, and the profile's warnings.
/// </summary>
internal sealed record SiteCalibrationSummary(string SiteKey, CalibrationMethod Method, int Cases, double OsteoporosisBelow, double NormalAbove,
    double? MaeBefore, double? MaeAfter, double? MeanAucBefore, double? MeanAucAfter, double? LeaveOneOutMaeUncalibrated, double? LeaveOneOutMae,
    IReadOnlyList<string> Warnings);
