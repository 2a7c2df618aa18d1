namespace OsteoML.Cli.Summaries;

/// <summary>
/// One phantom series fitted by <c>calibrate --phantom</c>: site, kVp, HU scale, density line (HU per mg/cm³, intercept
/// HU), RMS residual (mg/cm³; null when the fit has too few inserts to leave one).
/// </summary>
internal sealed record PhantomFitSummary(string Site, int Kvp, string Scale, double SlopeHuPerMg, double InterceptHu, double? RmsResidualMgCm3);
