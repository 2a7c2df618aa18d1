using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Trends;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;
using OsteoML.Validation.Trends;

namespace OsteoML.Tests.Trends;

/// <summary>
/// The trend's calls against the generator's truth on follow-up cohorts (one hospital, two scanners, reduced grid, true
/// masks): losses beyond 2 × LSC found with their sign, stable patients not called significant, new fractures named. Two regimes:
/// a surveillance protocol (rescans and follow-ups repeat the first study's protocol on its scanner) and routine CT (each study
/// drawn from the hospital's scanners and protocol mix, contrast included); each cohort is rendered and measured once and read
/// with and without the per-scan tissue correction. OSTEOML_TREND_PATIENTS sets the size (docs/trends.md).
/// </summary>
[TestClass]
public sealed class TrendValidationTests
{
    private static readonly PatientKeyer Keyer = new("trend-validation-secret-0123456789");

    private static int Patients => int.TryParse(Environment.GetEnvironmentVariable("OSTEOML_TREND_PATIENTS"), out var n) ? n : 200;

    private static readonly Lazy<IReadOnlyList<MeasuredCase>> Surveillance = new(() => Measure(keepProtocol: true));
    private static readonly Lazy<IReadOnlyList<MeasuredCase>> Routine = new(() => Measure(keepProtocol: false));

    internal static CohortPreset Preset(int patientsPerScanner, bool keepProtocol = false) => CohortPreset.Trend with
    {
        Name = "trend-test",
        Hospitals = CohortPreset.Trend.Hospitals.Select(h => h with
        {
            Scanners = h.Scanners.Select(s => s with { Cases = h.Id == "H1" ? new SplitCounts(Test: patientsPerScanner) : new SplitCounts() }).ToList(),
        }).ToList(),
        FollowUps = new FollowUpOptions
        {
            Share = 1, SecondShare = 0.2, StableShare = 0.4, RescanShare = 0.5, RescanKeepsProtocol = keepProtocol, FollowUpsKeepProtocol = keepProtocol,
        },
    };

    private static IReadOnlyList<MeasuredCase> Measure(bool keepProtocol) =>
        TrendValidation.Measure(SyntheticCohort.Create(Preset(Patients / 2, keepProtocol), 20));

    private static TrendValidationScore Run(bool keepProtocol, bool siteCalibration, TrendHuCorrection correction = TrendHuCorrection.None,
        NewFractureRule rule = NewFractureRule.IncidentModerateOrConfirmed)
    {
        var measured = keepProtocol ? Surveillance.Value : Routine.Value;
        var report = TrendAnalysis.Analyze(TrendValidation.Results(measured, Keyer, siteCalibration), new TrendOptions { HuCorrection = correction, NewFractureRule = rule });
        var score = TrendValidation.Score(report, measured, Keyer);
        Console.WriteLine($"{(keepProtocol ? "surveillance protocol" : "routine CT")}, site calibration {siteCalibration}, correction {correction}, fracture rule {rule}: "
                          + $"{report.Patients.Count} patients; precision SD {score.Precision.Sd:0.00} from {score.Precision.Pairs} rescans, LSC {score.Precision.Lsc:0.0}; "
                          + $"losses > 2 LSC found {score.LossesFound}/{score.Losses}; stable flagged {score.StableFlagged}/{score.Stable} "
                          + $"(scanner changed: {score.StableOtherScannerFlagged}/{score.StableOtherScanner}); "
                          + $"new fractures found {score.NewFracturesFound}/{score.NewFractures}, named without one {score.NewFracturesFalse}/{score.WithoutNewFracture}");
        return score;
    }

    [TestMethod]
    public void Surveillance_protocol_finds_losses_beyond_twice_the_lsc()
    {
        var score = Run(keepProtocol: true, siteCalibration: true);
        Assert.IsTrue(score.Losses >= 5 && score.Stable >= 20, $"too few patients to score: {score}");
        Assert.IsTrue(score.Sensitivity >= 0.9, $"sign of losses beyond 2 × LSC found in {score.LossesFound} of {score.Losses}");
        // Without the tissue correction the scanners' calibration drift over the years between studies, which days-apart rescans
        // do not see, calls stable patients significant (600 patients: 12.9 %; docs/trends.md). This bound guards that level.
        Assert.IsTrue(score.FalsePositiveRate <= 0.15, $"stable patients called significant: {score.StableFlagged} of {score.Stable}");
    }

    [TestMethod]
    public void Surveillance_protocol_corrected_by_each_studys_tissues_keeps_stable_patients_within_the_lsc()
    {
        var score = Run(keepProtocol: true, siteCalibration: true, TrendHuCorrection.ReferenceTissues);
        Assert.IsTrue(score.Losses >= 5 && score.Stable >= 20, $"too few patients to score: {score}");
        Assert.IsTrue(score.Sensitivity >= 0.9, $"sign of losses beyond 2 × LSC found in {score.LossesFound} of {score.Losses}");
        Assert.IsTrue(score.FalsePositiveRate <= 0.05, $"stable patients called significant: {score.StableFlagged} of {score.Stable}");
    }

    [TestMethod]
    public void Routine_ct_keeps_stable_patients_within_the_lsc_of_routine_rescans()
    {
        Run(keepProtocol: false, siteCalibration: false);
        var score = Run(keepProtocol: false, siteCalibration: true);
        Assert.IsTrue(score.Stable >= 20, $"too few patients to score: {score}");
        Assert.IsTrue(score.FalsePositiveRate <= 0.05, $"stable patients called significant: {score.StableFlagged} of {score.Stable}");
        var corrected = Run(keepProtocol: false, siteCalibration: true, TrendHuCorrection.ReferenceTissues);
        // Routine CT's precision is dominated by protocol and contrast changes, not drift: the correction does not lower the rate
        // there (600 patients: 5.5 % against 4.5 %; docs/trends.md). This bound guards that level.
        Assert.IsTrue(corrected.FalsePositiveRate <= 0.08, $"tissue-corrected: stable patients called significant: {corrected.StableFlagged} of {corrected.Stable}");
    }

    [TestMethod]
    public void A_new_fracture_needs_more_than_a_one_grade_flicker()
    {
        foreach (var keepProtocol in new[] { true, false })
        {
            var any = Run(keepProtocol, siteCalibration: true, rule: NewFractureRule.AnyRise);
            PrintFalseCalls(keepProtocol);
            Run(keepProtocol, siteCalibration: true, rule: NewFractureRule.ModerateOrTwoGrades);
            Run(keepProtocol, siteCalibration: true, rule: NewFractureRule.ModerateOrConfirmed);
            var strict = Run(keepProtocol, siteCalibration: true, rule: NewFractureRule.IncidentModerateOrConfirmed);
            Assert.IsTrue(strict.WithoutNewFracture >= 50, $"too few patients to score: {strict}");
            Assert.IsTrue(strict.NewFracturesFalse <= 0.05 * strict.WithoutNewFracture,
                $"new fracture named for {strict.NewFracturesFalse} of {strict.WithoutNewFracture} patients without one");
            Assert.IsTrue(strict.NewFracturesFalse < any.NewFracturesFalse, "the stricter rule names no fewer false fractures than any rise");
        }
    }

    /// <summary>The grade transitions behind the new fractures any rise names for patients without a true one (diagnostic output).</summary>
    private static void PrintFalseCalls(bool keepProtocol)
    {
        var measured = keepProtocol ? Surveillance.Value : Routine.Value;
        var fractured = measured.Where(c => c.Spec.FollowUp is { NewFractures.Count: > 0 }).Select(c => Keyer.Key(c.Spec.Identity.PatientId)).ToHashSet();
        var report = TrendAnalysis.Analyze(TrendValidation.Results(measured, Keyer, siteCalibration: true), new TrendOptions { NewFractureRule = NewFractureRule.AnyRise });
        var transitions = report.Patients.Where(p => !fractured.Contains(p.PatientKey)).SelectMany(p => p.NewFractures)
            .GroupBy(f => $"{f.FromGrade}>{f.ToGrade}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}");
        Console.WriteLine($"false new fractures by grade (any rise): {string.Join(", ", transitions)}");
    }
}
