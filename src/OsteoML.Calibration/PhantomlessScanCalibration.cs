namespace OsteoML.Calibration;

/// <summary>
/// Phantomless (internal) calibration per scan: a weighted least-squares line measured = offset + (1 + gain)·reference
/// through the scan's reference tissues against their literature values (<see cref="ReferenceTissueValues"/>). Air,
/// 1000 HU below the soft tissues, fixes the gain; fat, muscle and blood fix the offset, and because their literature
/// values err in different directions for a given patient, averaging them cancels much of that error.
/// <list type="bullet">
/// <item>a tissue outside its plausible range (<see cref="ReferenceTissues.PlausibleHu"/>) or missing is left out;</item>
/// <item>contrast: blood is left out when it reads over <see cref="EnhancedBloodHu"/> or the study is flagged enhanced
/// (the bolus adds 100–300 HU), and muscle then counts a quarter (it enhances 5–15 HU in the portal phase);</item>
/// <item>one outlier: a soft tissue more than <see cref="OutlierHu"/> from the line through the others is dropped;</item>
/// <item>the fit needs air and at least one soft tissue, and a plausible scale (<see cref="HuScale.IsPlausible"/>).</item>
/// </list>
/// </summary>
public sealed class PhantomlessScanCalibration : IScanCalibration
{
    public const double EnhancedBloodHu = 100, OutlierHu = 25;

    public CalibrationSource Source => CalibrationSource.Phantomless;

    public ScanCalibrationEstimate Estimate(ScanContext scan)
    {
        if (scan.Tissues is not { Count: 4 } tissues) return new(Source, null, "no reference tissues measured");
        var points = new List<(int Tissue, double Reference, double Measured, double Weight)>();
        for (var t = 0; t < 4; t++)
        {
            var (low, high) = ReferenceTissues.PlausibleHu[t];
            if (!(tissues[t] >= low && tissues[t] <= high)) continue;
            var weight = 1 / Math.Pow(ReferenceTissueValues.ScatterHu[t], 2);
            var enhanced = scan.ContrastSuspected || tissues[3] > EnhancedBloodHu;
            if (t == 3 && enhanced) continue;
            if (t == 2 && enhanced) weight /= 4;
            points.Add((t, ReferenceTissueValues.At(t, scan.Kvp), tissues[t], weight));
        }
        if (!points.Any(p => p.Tissue == 0)) return new(Source, null, "air not measured");
        if (points.Count < 2) return new(Source, null, "no soft tissue measured");

        var scale = Fit(points);
        // With three or more soft tissues, one that disagrees with the line through the others by more than any
        // patient's scatter missed its tissue (a fatty muscle ROI, a vessel in the fat): refit without it.
        if (points.Count(p => p.Tissue != 0) >= 3)
        {
            var worst = points.Where(p => p.Tissue != 0)
                .Select(p => (Point: p, Residual: Math.Abs(p.Measured - Fit(points.Where(q => q.Tissue != p.Tissue).ToList()).ToMeasured(p.Reference))))
                .MaxBy(x => x.Residual);
            if (worst.Residual > OutlierHu)
            {
                points.Remove(worst.Point);
                scale = Fit(points);
            }
        }
        if (!scale.IsPlausible) return new(Source, null, $"implausible scale ({scale})");
        var used = string.Join(", ", points.Select(p => ReferenceTissues.Names[p.Tissue]));
        return new(Source, scale, $"phantomless from {used}: {scale}");
    }

    private static HuScale Fit(IReadOnlyList<(int Tissue, double Reference, double Measured, double Weight)> points)
    {
        double sw = 0, sx = 0, sy = 0;
        foreach (var p in points) { sw += p.Weight; sx += p.Weight * p.Reference; sy += p.Weight * p.Measured; }
        double mx = sx / sw, my = sy / sw, sxx = 0, sxy = 0;
        foreach (var p in points)
        {
            sxx += p.Weight * (p.Reference - mx) * (p.Reference - mx);
            sxy += p.Weight * (p.Reference - mx) * (p.Measured - my);
        }
        var slope = sxy / sxx;
        return new HuScale(my - slope * mx, slope - 1);
    }
}
