using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// The global model's answer for one measured study, before any calibration: its BMD (mg/cm³) and the class
/// probabilities (normal, osteopenia, osteoporosis) — from the ML.NET heads, or for the HU baseline from the bundle's
/// HU line at the study's L1/L2 mean.
/// </summary>
public sealed record GlobalPrediction(double Bmd, IReadOnlyList<double> Probabilities)
{
    /// <summary>Null when the study has no BMD (it failed, or L1/L2 could not be named).</summary>
    public static GlobalPrediction? Of(StudyFeatures f, HuLine huLine, bool huBaseline)
    {
        if (f.Error is not null || !f.Measurable) return null;
        return huBaseline
            ? new(huLine.Bmd(f.L1L2MeanHu), huLine.Probabilities(f.L1L2MeanHu))
            : new(f.PredictedBmd, f.ClassProbabilities.Select(p => (double)p).ToArray());
    }
}
