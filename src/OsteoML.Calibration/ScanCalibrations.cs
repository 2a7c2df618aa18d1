namespace OsteoML.Calibration;

/// <summary>
/// The per-study calibrations by source, and how a study's scale corrects the global model's BMD: the model was
/// trained on scanners close to the ideal scale, so a study is moved by what its trabecular HU would read there,
/// through the model's sensitivity to trabecular HU (mg/cm³ per HU; the bundle's training-set HU line slope).
/// </summary>
public static class ScanCalibrations
{
    /// <param name="phantoms">Phantom profiles by site key (needed for <see cref="CalibrationSource.Phantom"/>).</param>
    public static IScanCalibration Create(CalibrationSource source, IReadOnlyDictionary<string, SitePhantomProfile>? phantoms = null) => source switch
    {
        CalibrationSource.Global => new GlobalScanCalibration(),
        CalibrationSource.Phantomless => new PhantomlessScanCalibration(),
        CalibrationSource.Phantom => new PhantomScanCalibration(phantoms ?? new Dictionary<string, SitePhantomProfile>()),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    public static CalibrationSource Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "global" or "none" => CalibrationSource.Global,
        "phantomless" => CalibrationSource.Phantomless,
        "phantom" => CalibrationSource.Phantom,
        _ => throw new ArgumentException($"unknown calibration source '{name}': expected none, phantomless or phantom."),
    };

    /// <summary>The global BMD moved onto the ideal scale: ŷ + (bmd per HU)·(ideal HU − measured HU).</summary>
    public static double CorrectBmd(double globalBmd, double trabecularHu, HuScale scale, double bmdPerHu) =>
        globalBmd + bmdPerHu * (scale.ToIdeal(trabecularHu) - trabecularHu);
}
