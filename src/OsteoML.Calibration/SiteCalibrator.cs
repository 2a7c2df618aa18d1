using OsteoML.Calibration.Methods;
using OsteoML.Evaluation;

namespace OsteoML.Calibration;

/// <summary>A site calibration was refused (too few cases, bad values): the message says why, in one line.</summary>
public sealed class CalibrationRefusedException(string message) : Exception(message);

/// <summary>
/// Fits a site's profile from k local QCT-labelled cases: (1) every BMD map that k allows is scored by
/// leave-one-out MAE, and the simplest whose MAE is within one standard error of the best is kept (a small site
/// cannot tell close methods apart, and the simpler one then transfers better); (2) the thresholds are chosen on
/// the leave-one-out calibrated BMD, so they are not tuned on the very cases the map was fitted to; (3) a
/// patient-level bootstrap repeats the threshold choice to show how stable it is.
/// </summary>
public static class SiteCalibrator
{
    /// <summary>Fewest cases for any calibration: below this even a constant offset is mostly noise.</summary>
    public const int MinimumCases = 5;

    /// <summary>Fewest cases to move the thresholds (and at least <see cref="MinimumPerClass"/> of each class).</summary>
    public const int MinimumCasesForThresholds = 20;

    public const int MinimumPerClass = 2;

    public static SiteProfile Calibrate(string siteKey, IReadOnlyList<CalibrationCase> cases, GlobalModelIdentity globalModel,
        SiteCalibrationOptions? options = null, DateTimeOffset? now = null)
    {
        options ??= new SiteCalibrationOptions();
        Validate(siteKey, cases);
        var k = cases.Count;
        var warnings = new List<string>();
        var withTissues = options.UseReferenceTissues && cases.All(c => c.Tissues is { Count: 4 });
        if (options.UseReferenceTissues && !withTissues && cases.Any(c => c.Tissues is not null))
            warnings.Add("reference-tissue HUs missing on some cases: tissue covariates not used");
        // An implausible tissue HU (an ROI that missed its tissue) would steer every case's correction: the site is
        // calibrated without tissue terms instead, and the case is named.
        var implausible = withTissues
            ? cases.Select((c, i) => (Case: i + 1, Why: ReferenceTissues.Implausible(c.Tissues!))).FirstOrDefault(x => x.Why is not null)
            : default;
        if (implausible.Why is not null)
        {
            warnings.Add($"case {implausible.Case}: {implausible.Why}: tissue covariates not used");
            withTissues = false;
        }

        // 1. The BMD map.
        var candidates = CalibrationMethods.All
            .Where(m => withTissues || !m.UsesTissues)
            .Where(m => k >= m.MinimumCases)
            .Select(m => m.Method)
            .ToArray();
        var errors = candidates.ToDictionary(m => m, m =>
        {
            var loo = BmdCorrectionFit.LeaveOneOut(m, cases);
            return cases.Select((c, i) => c.QctBmd - loo[i]).ToArray();
        });
        // A fit that overflows (extreme but finite inputs) has a NaN error, which would sort below every number:
        // only finite errors compete. None's error is always finite (the inputs are).
        var mae = errors.ToDictionary(e => e.Key, e => e.Value.Average(Math.Abs));
        foreach (var (method, value) in mae.Where(e => !double.IsFinite(e.Value)).ToArray())
        {
            warnings.Add($"{Name(method)}: leave-one-out error is not finite (check the cases' values): not considered");
            mae.Remove(method);
        }
        var best = mae.MinBy(e => e.Value).Key;
        var absolute = errors[best].Select(Math.Abs).ToArray();
        var standardError = StandardDeviation(absolute) / Math.Sqrt(k);
        var chosen = candidates.First(m => mae.TryGetValue(m, out var e) && e <= mae[best] + standardError);
        var fitted = BmdCorrectionFit.Fit(chosen, cases);
        if (fitted.SlopeCapped)
            warnings.Add($"fitted slope outside [{BmdCorrection.MinimumSlope}, {BmdCorrection.MaximumSlope}]: capped at {fitted.Correction.Slope:0.###}");
        if (cases.Any(c => Math.Abs(UncappedCorrection(fitted.Correction, c)) > BmdCorrection.MaxCorrection))
            warnings.Add($"the correction reaches the cap of ±{BmdCorrection.MaxCorrection} mg/cm³ on some local cases: check this site's protocol (contrast, kernel, series)");

        var looBmd = cases.Select((c, i) => c.QctBmd - errors[chosen][i]).ToArray();
        var residualSd = Math.Max(Math.Sqrt(errors[chosen].Average(e => e * e)), ClassProbabilities.MinimumSpread);

        // 2. The thresholds, on the leave-one-out calibrated BMD.
        var truth = cases.Select(c => ClassThresholds.Acr.Classify(c.QctBmd)).ToArray();
        var perClass = Enumerable.Range(0, 3).Select(c => truth.Count(t => t == c)).ToArray();
        ThresholdReport report;
        ClassThresholds thresholds;
        var objectiveName = ObjectiveName(options);
        if (k < MinimumCasesForThresholds || perClass.Min() < MinimumPerClass)
        {
            thresholds = ClassThresholds.Acr;
            var (value, met) = ThresholdSelection.Score(looBmd, truth, thresholds, options.Objective, options.MinimumOsteoporosisSensitivity);
            report = new ThresholdReport(objectiveName,
                $"ACR 80/120 kept: selection needs k ≥ {MinimumCasesForThresholds} and ≥ {MinimumPerClass} cases per class (k = {k}; per class {string.Join("/", perClass)})",
                value, met, null, null);
        }
        else
        {
            var choice = ThresholdSelection.Select(looBmd, truth, options.Objective, options.MinimumOsteoporosisSensitivity);
            thresholds = choice.Thresholds;
            ConfidenceInterval? lowInterval = null, highInterval = null;
            if (options.BootstrapReplicates > 0)
            {
                var bootstrap = new PatientBootstrap(cases.Select(c => c.PatientId).ToArray(), options.BootstrapReplicates, (ulong)options.Seed);
                var replicates = bootstrap.Replicate(w => ThresholdSelection.Select(looBmd, truth, options.Objective, options.MinimumOsteoporosisSensitivity, w).Thresholds);
                lowInterval = ConfidenceInterval.FromReplicates(replicates.Select(t => (double?)t.OsteoporosisBelow), bootstrap.Level);
                highInterval = ConfidenceInterval.FromReplicates(replicates.Select(t => (double?)t.NormalAbove), bootstrap.Level);
            }
            report = new ThresholdReport(objectiveName, "selected on leave-one-out calibrated BMD", choice.Objective, choice.ConstraintMet, lowInterval, highInterval);
            if (!choice.ConstraintMet)
                warnings.Add($"no thresholds within ±{ThresholdSelection.MaxShift} of 80/120 reach osteoporosis sensitivity {options.MinimumOsteoporosisSensitivity:0.00}: the most sensitive pair was kept");
        }

        return new SiteProfile
        {
            SiteKey = siteKey,
            Correction = fitted.Correction,
            Thresholds = thresholds,
            ThresholdSelection = report,
            ResidualSd = residualSd,
            Cases = k,
            CrossValidation = new CalibrationCrossValidation(
                mae.ToDictionary(e => Name(e.Key), e => e.Value), Name(chosen), mae[chosen], mae[CalibrationMethod.None],
                "simplest method within one standard error of the lowest leave-one-out MAE"),
            CreatedAt = now ?? DateTimeOffset.UtcNow,
            GlobalModel = globalModel,
            Warnings = warnings,
        };
    }

    private static void Validate(string siteKey, IReadOnlyList<CalibrationCase> cases)
    {
        if (string.IsNullOrWhiteSpace(siteKey)) throw new CalibrationRefusedException("the site key is empty.");
        if (cases.Count < MinimumCases)
            throw new CalibrationRefusedException(
                $"site '{siteKey}': {cases.Count} QCT-labelled case(s); calibration needs at least {MinimumCases} " +
                $"(10 to fit a slope, {MinimumCasesForThresholds} to move the class thresholds).");
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            if (!double.IsFinite(c.GlobalBmd) || !double.IsFinite(c.QctBmd))
                throw new CalibrationRefusedException($"site '{siteKey}', case {i + 1}: BMD is not a number (global {c.GlobalBmd}, QCT {c.QctBmd}).");
            if (c.QctBmd is < 0 or > 400)
                throw new CalibrationRefusedException($"site '{siteKey}', case {i + 1}: QCT BMD {c.QctBmd} mg/cm³ is outside 0–400; check the units.");
            if (c.Tissues is { } t && (t.Count != 4 || t.Any(v => !double.IsFinite(v))))
                throw new CalibrationRefusedException($"site '{siteKey}', case {i + 1}: expected 4 finite reference-tissue HUs ({string.Join(", ", ReferenceTissues.Names)}).");
        }
    }

    /// <summary>Methods are named in the JSON as the profile's own enum values are: camelCase.</summary>
    private static string Name(CalibrationMethod method) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(method.ToString());

    private static double UncappedCorrection(BmdCorrection correction, CalibrationCase c) =>
        CalibrationMethods.Get(correction.Method).Correction(correction, c.GlobalBmd, c.Tissues);

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static string ObjectiveName(SiteCalibrationOptions options) => options.Objective switch
    {
        ThresholdObjective.MacroF1 => "macro-F1",
        ThresholdObjective.BalancedAccuracy => "balanced accuracy",
        _ => $"balanced accuracy with osteoporosis sensitivity ≥ {options.MinimumOsteoporosisSensitivity:0.00}",
    };
}
