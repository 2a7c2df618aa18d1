namespace OsteoML.Calibration;

/// <summary>
/// Asynchronous phantom calibration per study: the study's site and kVp select its scanner's phantom calibration.
/// With phantom scans of the training scanners (profiles marked <see cref="SitePhantomProfile.Reference"/>) at that
/// kVp, the study's HU is mapped through the mineral inserts onto their mean line — HU_ref = a_ref + b_ref·(HU − a)/b,
/// which corrects water offset, gain and a different mineral CT number per HU (another spectrum) at once, and
/// cancels what both phantoms share (cupping at the rods). Without a reference at that kVp, the scanner's own scale
/// from water and air is used (offset and gain only). Drift since the phantom scan and scan-to-scan jitter remain.
/// </summary>
public sealed class PhantomScanCalibration(IReadOnlyDictionary<string, SitePhantomProfile> profiles) : IScanCalibration
{
    public CalibrationSource Source => CalibrationSource.Phantom;

    public ScanCalibrationEstimate Estimate(ScanContext scan)
    {
        if (!profiles.TryGetValue(scan.SiteKey, out var profile)) return new(Source, null, $"site '{scan.SiteKey}' has no phantom profile");
        if (profile.At(scan.Kvp) is not { } calibration)
            return new(Source, null, FormattableString.Invariant($"no phantom scan within {SitePhantomProfile.KvpTolerance} kV of {scan.Kvp} kVp"));
        var references = profiles.Values.Where(p => p.Reference).Select(p => p.At(calibration.Kvp)).OfType<PhantomKvpCalibration>().ToArray();
        if (profile.Reference || references.Length == 0)
            return new(Source, calibration.Scale, FormattableString.Invariant($"phantom at {calibration.Kvp} kVp: {calibration.Scale}"));
        var (a, b) = (calibration.InterceptHu, calibration.SlopeHuPerMg);
        var (aRef, bRef) = (references.Average(r => r.InterceptHu), references.Average(r => r.SlopeHuPerMg));
        // measured = a + b·(ideal − a_ref)/b_ref, as a scale: offset = a − (b/b_ref)·a_ref, gain = b/b_ref − 1.
        var scale = new HuScale(a - b / bRef * aRef, b / bRef - 1);
        return new(Source, scale, FormattableString.Invariant($"phantom at {calibration.Kvp} kVp against {references.Length} reference scanner(s): {scale}"));
    }
}
