namespace OsteoML.Pipelines.Trends;

/// <summary>One patient's studies in date order and what they say: the BMD change per year with its standard error, whether the
/// change exceeds the LSC, scanner changes and new fractures. Keyed by the patient key only.</summary>
public sealed record PatientTrend(string PatientKey, IReadOnlyList<TrendStudy> Studies, TrendStatus Status, BmdTrendFit? Fit,
    ScannerChange ScannerChange, IReadOnlyList<NewFracture> NewFractures)
{
    /// <summary>Years from the first study to each study.</summary>
    public IReadOnlyList<double> Years => Studies.Select(s => TrendAnalysis.YearsBetween(Studies[0].StudyDate, s.StudyDate)).ToList();

    /// <summary>Percent change per year relative to the fitted BMD at the first study, or null.</summary>
    public double? PercentPerYear => Fit is { } f && f.Intercept > 0 ? 100 * f.SlopePerYear / f.Intercept : null;
}
