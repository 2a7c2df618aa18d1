namespace OsteoML.AutoTune.Calibration;

/// <summary>
/// Asynchronous phantom calibration per study: the study's site and kVp select the scale its scanner showed on the
/// phantom scan. Exact for the scanner's water offset and gain on the day of the phantom scan; drift since then and
/// scan-to-scan jitter remain.
/// </summary>
public sealed class PhantomScanCalibration(IReadOnlyDictionary<string, SitePhantomProfile> profiles) : IScanCalibration
{
    public CalibrationSource Source => CalibrationSource.Phantom;

    public ScanCalibrationEstimate Estimate(ScanContext scan)
    {
        if (!profiles.TryGetValue(scan.SiteKey, out var profile)) return new(Source, null, $"site '{scan.SiteKey}' has no phantom profile");
        if (profile.At(scan.Kvp) is not { } calibration)
            return new(Source, null, FormattableString.Invariant($"no phantom scan within {SitePhantomProfile.KvpTolerance} kV of {scan.Kvp} kVp"));
        return new(Source, calibration.Scale, FormattableString.Invariant($"phantom at {calibration.Kvp} kVp: {calibration.Scale}"));
    }
}
