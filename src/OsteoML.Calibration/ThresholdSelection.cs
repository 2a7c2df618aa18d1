using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Calibration;

/// <summary>The two class thresholds on calibrated BMD: osteoporosis below the first, normal above the second.</summary>
public sealed record ClassThresholds(double OsteoporosisBelow, double NormalAbove)
{
    /// <summary>The ACR definition: osteoporosis &lt; 80, normal &gt; 120 mg/cm³.</summary>
    public static ClassThresholds Acr { get; } = new(AcrClasses.OsteoporosisBelow, AcrClasses.NormalAbove);

    /// <summary>0 normal, 1 osteopenia, 2 osteoporosis (<see cref="AcrClasses"/> order).</summary>
    public int Classify(double bmd) => bmd > NormalAbove ? 0 : bmd >= OsteoporosisBelow ? 1 : 2;
}

/// <summary>
/// Chooses the thresholds that maximise an objective on (calibrated BMD, true class) pairs. The objective only
/// changes where a threshold crosses a case, so the candidates are the midpoints between neighbouring BMDs
/// plus the ACR values, within ±<see cref="MaxShift"/> of the ACR values; ties go to the pair closest to 80/120.
/// </summary>
internal static class ThresholdSelection
{
    /// <summary>
    /// How far a site's thresholds may move from 80/120, mg/cm³: half a band. The classes are defined on QCT BMD
    /// by those values; a site moves its operating point, not the definition.
    /// </summary>
    public const double MaxShift = 20;

    public sealed record Choice(ClassThresholds Thresholds, double Objective, bool ConstraintMet);

    public static Choice Select(IReadOnlyList<double> bmd, IReadOnlyList<int> truth, ThresholdObjective objective,
        double minimumSensitivity, IReadOnlyList<int>? weights = null)
    {
        var (values, classes) = Expand(bmd, truth, weights);
        var lows = Candidates(values, ClassThresholds.Acr.OsteoporosisBelow);
        var highs = Candidates(values, ClassThresholds.Acr.NormalAbove);

        Choice? best = null;
        double bestDistance = double.PositiveInfinity;
        foreach (var low in lows)
        {
            foreach (var high in highs)
            {
                if (!(low < high)) continue;
                var thresholds = new ClassThresholds(low, high);
                var (value, met) = Score(values, classes, thresholds, objective, minimumSensitivity);
                var distance = Math.Abs(low - ClassThresholds.Acr.OsteoporosisBelow) + Math.Abs(high - ClassThresholds.Acr.NormalAbove);
                var better = best is null
                    || (met && !best.ConstraintMet)
                    || (met == best.ConstraintMet && (value > best.Objective + 1e-12
                        || (Math.Abs(value - best.Objective) <= 1e-12 && distance < bestDistance)));
                if (better) (best, bestDistance) = (new Choice(thresholds, value, met), distance);
            }
        }
        return best!;
    }

    /// <summary>
    /// The objective of one threshold pair, through OsteoML.Evaluation's metrics. For the sensitivity constraint,
    /// the value is balanced accuracy when the floor is met and the sensitivity itself when not (so that an
    /// unreachable floor still yields the most sensitive pair).
    /// </summary>
    public static (double Value, bool ConstraintMet) Score(IReadOnlyList<double> bmd, IReadOnlyList<int> truth, ClassThresholds thresholds,
        ThresholdObjective objective, double minimumSensitivity)
    {
        var predicted = bmd.Select(thresholds.Classify).ToArray();
        var oneHot = predicted.Select(p => (IReadOnlyList<double>)OneHot[p]).ToArray();
        var m = Metrics.Classification(truth, oneHot, predicted, AcrClasses.Names);
        switch (objective)
        {
            case ThresholdObjective.MacroF1:
                return (m.F1 ?? 0, true);
            case ThresholdObjective.BalancedAccuracy:
                return (m.Recall ?? 0, true);
            default:
                var sensitivity = m.PerClass[2].Recall;
                var met = sensitivity is null || sensitivity >= minimumSensitivity - 1e-12;
                return (met ? m.Recall ?? 0 : sensitivity!.Value, met);
        }
    }

    private static readonly double[][] OneHot = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

    private static double[] Candidates(IReadOnlyList<double> bmd, double acr)
    {
        var sorted = bmd.Distinct().Order().ToArray();
        var list = new List<double> { acr };
        for (var i = 0; i + 1 < sorted.Length; i++)
        {
            var mid = (sorted[i] + sorted[i + 1]) / 2;
            if (Math.Abs(mid - acr) <= MaxShift) list.Add(mid);
        }
        list.Add(acr - MaxShift);
        list.Add(acr + MaxShift);
        return list.Distinct().ToArray();
    }

    /// <summary>Bootstrap weights become repeated rows (the metrics API counts rows).</summary>
    private static (double[] Bmd, int[] Truth) Expand(IReadOnlyList<double> bmd, IReadOnlyList<int> truth, IReadOnlyList<int>? weights)
    {
        if (weights is null) return (bmd.ToArray(), truth.ToArray());
        var values = new List<double>();
        var classes = new List<int>();
        for (var i = 0; i < bmd.Count; i++)
            for (var w = 0; w < weights[i]; w++) { values.Add(bmd[i]); classes.Add(truth[i]); }
        return (values.ToArray(), classes.ToArray());
    }
}

/// <summary>
/// Class probabilities from a calibrated BMD μ and the site's residual spread σ (the leave-one-out RMS error of
/// the calibration): the true BMD is taken as N(μ, σ²), so P(osteoporosis) = Φ((t₁ − μ)/σ),
/// P(normal) = 1 − Φ((t₂ − μ)/σ), P(osteopenia) the rest. Moving a threshold moves the probabilities with it, and
/// a site whose calibration is less precise gets less confident probabilities.
/// </summary>
public static class ClassProbabilities
{
    /// <summary>The spread is never taken below QCT's own precision, about 3 mg/cm³.</summary>
    public const double MinimumSpread = 3;

    /// <summary>[normal, osteopenia, osteoporosis].</summary>
    public static double[] FromBmd(double bmd, double spread, ClassThresholds thresholds)
    {
        var sigma = Math.Max(spread, MinimumSpread);
        var osteoporosis = Gaussian.Cdf((thresholds.OsteoporosisBelow - bmd) / sigma);
        var normal = 1 - Gaussian.Cdf((thresholds.NormalAbove - bmd) / sigma);
        return [normal, Math.Max(0, 1 - normal - osteoporosis), osteoporosis];
    }
}
