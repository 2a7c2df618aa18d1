using System.Text.Json;
using OsteoML.Evaluation.Plots;
using OsteoML.Pipelines.Trends;

namespace OsteoML.Validation.Trends;

/// <summary>
/// One PNG per patient of a <see cref="TrendReport"/>, <c>plots/&lt;patient key&gt;.png</c> beside its tables: BMD over the
/// years, the fitted line, the precision band and new fractures. Drawn here rather than by the report because the plots
/// need OsteoML.Evaluation's ScottPlot drawing, which the screening runtime does not carry.
/// </summary>
public static class TrendPlots
{
    /// <summary>Writes <c>plots/&lt;patient key&gt;.png</c> under <paramref name="directory"/> for every patient with a measured study.</summary>
    public static void Write(TrendReport report, string directory)
    {
        var folder = Path.Combine(directory, "plots");
        Directory.CreateDirectory(folder);
        foreach (var p in report.Patients)
            if (Png(p, report.Precision) is { } png)
                File.WriteAllBytes(Path.Combine(folder, p.PatientKey + ".png"), png);
    }

    /// <summary>The patient's plot, or null when none of its studies has a BMD.</summary>
    public static byte[]? Png(PatientTrend p, MeasurementPrecision precision)
    {
        var measured = p.Studies.Where(s => s.Bmd is not null).ToList();
        if (measured.Count == 0) return null;
        var years = measured.Select(s => TrendAnalysis.YearsBetween(measured[0].StudyDate, s.StudyDate)).ToList();
        var title = $"{p.PatientKey[..Math.Min(12, p.PatientKey.Length)]}…: {JsonNamingPolicy.CamelCase.ConvertName(p.Status.ToString())}"
                    + (p.Fit is { } f ? $", {f.SlopePerYear:+0.0;-0.0} ± {f.SlopeStandardError:0.0} mg/cm³/yr" : "");
        return EvaluationPlots.BmdTrend(title, years, measured.Select(s => s.Bmd!.Value).ToList(),
            p.Fit is { } fit ? new LeastSquaresLine(fit.Intercept, fit.SlopePerYear) : null, precision.Sd,
            p.NewFractures.Select(n => TrendAnalysis.YearsBetween(measured[0].StudyDate, n.FirstSeen)).ToList());
    }
}
