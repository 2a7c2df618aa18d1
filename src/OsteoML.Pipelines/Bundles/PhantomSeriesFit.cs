using OsteoML.Calibration;

namespace OsteoML.Pipelines.Bundles;

/// <summary>One phantom series read: the scanner site it belongs to, its kVp, the fitted calibration and the reader's warnings.</summary>
public sealed record PhantomSeriesFit(string SiteKey, int Kvp, PhantomKvpCalibration Fit, IReadOnlyList<string> Warnings);
