using OsteoML.Calibration;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Trends;

/// <summary>
/// Puts each study's BMD on the ideal HU scale through the study's own reference tissues before a trend compares studies. A
/// scanner's CT-number calibration drifts over the years between a patient's studies (water offset and gain), while rescans days
/// apart do not see it, so a short-term precision calls the drift a change. Air, fat, muscle and unenhanced blood drift with the
/// scanner; the per-scan scale fitted through them (<see cref="PhantomlessScanCalibration"/>, literature values, nothing fitted to
/// our data) gives what the study's trabecular HU would read on the ideal scale, and the BMD moves by that difference through the
/// bundle's HU-line slope (<see cref="ScanCalibrations.CorrectBmd"/>) — the first-order correction phantomless screening uses.
/// A study already moved onto the ideal scale when screened (<see cref="StudyResult.ScanCalibration"/>) is left as it is. A study
/// without a usable scale (tissues not found, implausible fit) or without L1/L2 HU gets no BMD in the trend: mixing corrected and
/// uncorrected studies would bring the drift back.
/// </summary>
public sealed class TissueHuCorrection(double bmdPerHu)
{
    private readonly PhantomlessScanCalibration _calibration = new();

    /// <summary>mg/cm³ per trabecular HU.</summary>
    public double BmdPerHu { get; } = bmdPerHu;

    /// <summary>
    /// The bundle's HU-line slope read back from the results: each level's <see cref="LevelResult.BmdEstimate"/> is that line at the
    /// level's mean HU, so a least-squares line through all levels of all results recovers it (rounding to 0.1 mg/cm³ aside).
    /// Null when the results hold fewer than two distinct HUs. Results of several bundles: their common line, which is why
    /// <see cref="TrendOptions.BmdPerHu"/> can give it.
    /// </summary>
    public static double? SlopeOf(IEnumerable<StudyResult> results)
    {
        var points = results.SelectMany(r => r.Levels).Where(l => l.MeanHu is not null && l.BmdEstimate is not null).ToList();
        if (points.Count < 2) return null;
        // Ordinary least squares of BMD on HU (the slope only).
        double mx = points.Average(l => l.MeanHu!.Value), my = points.Average(l => l.BmdEstimate!.Value);
        double sxy = points.Sum(l => (l.MeanHu!.Value - mx) * (l.BmdEstimate!.Value - my)), sxx = points.Sum(l => (l.MeanHu!.Value - mx) * (l.MeanHu!.Value - mx));
        var slope = sxx > 0 ? sxy / sxx : double.NaN;
        return double.IsFinite(slope) && slope > 0 ? slope : null;
    }

    /// <summary>The study's BMD on the ideal scale and the scale used (null when screening already corrected it), or a null BMD with why not.</summary>
    public (double? Bmd, HuScale? Scale, string? Refusal) Correct(StudyResult result)
    {
        if (result.Status != StudyStatus.Ok || result.Bmd is not { } bmd) return (null, null, "no BMD");
        if (result.ScanCalibration is not null and not CalibrationSource.Global) return (bmd, null, null);
        var levels = result.Levels.Where(l => l.MeanHu is not null).ToList();
        if (levels.Count == 0) return (null, null, "no trabecular HU in the result");
        var hu = levels.Average(l => l.MeanHu!.Value);
        var estimate = _calibration.Estimate(ScanContextOf(result));
        if (estimate.Scale is not { } scale) return (null, null, estimate.Note);
        return (ScanCalibrations.CorrectBmd(bmd, hu, scale, BmdPerHu), scale, null);
    }

    /// <summary>What the per-scan calibration reads from a result: kVp, the four tissues in their order, the contrast flag.</summary>
    public static ScanContext ScanContextOf(StudyResult result)
    {
        var tissues = MeasureColumns.Tissues.Select(name => result.Tissues.TryGetValue(name, out var v) && v is { } x ? x : double.NaN).ToArray();
        return new ScanContext(result.SiteKey, result.Kvp ?? double.NaN, tissues.All(double.IsNaN) ? null : tissues,
            result.QaFlags.Contains(QaFlags.ContrastSuspected));
    }
}
