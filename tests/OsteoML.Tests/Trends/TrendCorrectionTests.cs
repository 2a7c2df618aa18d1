using OsteoML.Calibration;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Sinks;
using OsteoML.Pipelines.Trends;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Trends;

/// <summary>
/// The per-scan tissue correction on hand-built results whose scanner scale is known (every HU of a study through
/// measured = offset + (1 + gain)·ideal), and the new-fracture rules on hand-built grade series.
/// </summary>
[TestClass]
public sealed class TrendCorrectionTests
{
    private const double BmdPerHu = 0.8, Intercept = 20;

    /// <summary>A study of patient "k" whose ideal-scale trabecular HU and tissues are read through <paramref name="scale"/>; its BMD and
    /// level estimates come from the HU line BMD = 20 + 0.8·HU on the measured HU, as an uncorrected screening would give.</summary>
    private static StudyResult Result(string date, double idealHu, HuScale scale, double[]? idealTissues = null, CalibrationSource? screenedWith = null)
    {
        idealTissues ??= [-1000, -100, 50, 40];
        var hu = scale.ToMeasured(idealHu);
        return new StudyResult
        {
            StudyInstanceUid = "1.2." + date, SeriesInstanceUid = "1.3." + date, SiteKey = "H1|CT1", Status = StudyStatus.Ok,
            PatientKey = "k", StudyDate = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture),
            Bmd = screenedWith is null ? Intercept + BmdPerHu * hu : Intercept + BmdPerHu * idealHu, ScanCalibration = screenedWith,
            Kvp = 120,
            Levels = [new LevelResult("L1", hu - 5, null, null, null, null, null, Intercept + BmdPerHu * (hu - 5)),
                      new LevelResult("L2", hu + 5, null, null, null, null, null, Intercept + BmdPerHu * (hu + 5))],
            Tissues = MeasureColumns.Tissues.Select((name, i) => (name, value: double.IsNaN(idealTissues[i]) ? (double?)null : scale.ToMeasured(idealTissues[i])))
                .ToDictionary(t => t.name, t => t.value),
        };
    }

    [TestMethod]
    public void The_hu_line_slope_is_read_back_from_the_level_estimates()
    {
        Assert.AreEqual(BmdPerHu, TissueHuCorrection.SlopeOf([Result("2020-01-01", 150, HuScale.Ideal), Result("2023-01-01", 120, new HuScale(4, 0.01))])!.Value, 1e-9);
        Assert.IsNull(TissueHuCorrection.SlopeOf([]));
    }

    [TestMethod]
    public void A_drifted_scanner_reads_the_same_bone_the_same_after_the_tissue_correction()
    {
        // The same bone (150 HU on the ideal scale) on a scanner whose offset drifted by 6 HU and gain by 1.5 % in five years:
        // uncorrected it reads 6 + 1.5 % × 150 ≈ 8 HU (6.4 mg/cm³) denser; the tissues drifted with it.
        var before = Result("2018-01-01", 150, new HuScale(1, 0.002));
        var after = Result("2023-01-01", 150, new HuScale(7, 0.017));
        Assert.IsTrue(after.Bmd - before.Bmd > 5, "the drift moves the uncorrected BMD");
        var correction = new TissueHuCorrection(BmdPerHu);
        var (b0, s0, _) = correction.Correct(before);
        var (b1, s1, _) = correction.Correct(after);
        Assert.AreEqual(Intercept + BmdPerHu * 150, b0!.Value, 1e-6);
        Assert.AreEqual(Intercept + BmdPerHu * 150, b1!.Value, 1e-6);
        Assert.AreEqual(7, s1!.Offset, 1e-6);
        Assert.AreEqual(0.017, s1.Gain, 1e-9);
        Assert.AreEqual(1, s0!.Offset, 1e-6);

        var report = TrendAnalysis.Analyze([before, after], new TrendOptions { Precision = MeasurementPrecision.FromLsc(3), HuCorrection = TrendHuCorrection.ReferenceTissues });
        Assert.AreEqual(TrendStatus.Stable, report.Patients.Single().Status);
        Assert.AreEqual(0, report.Patients.Single().Fit!.Change, 1e-6);
        var uncorrected = TrendAnalysis.Analyze([before, after], new TrendOptions { Precision = MeasurementPrecision.FromLsc(3) });
        Assert.AreEqual(TrendStatus.SignificantGain, uncorrected.Patients.Single().Status);
    }

    [TestMethod]
    public void A_true_loss_on_a_drifted_scanner_is_the_loss_after_the_correction()
    {
        var before = Result("2018-01-01", 150, new HuScale(-2, -0.004));
        var after = Result("2022-01-01", 130, new HuScale(3, 0.006));   // 20 HU = 16 mg/cm³ lost
        var report = TrendAnalysis.Analyze([before, after], new TrendOptions { Precision = MeasurementPrecision.FromLsc(3), HuCorrection = TrendHuCorrection.ReferenceTissues });
        Assert.AreEqual(-16, report.Patients.Single().Fit!.Change, 1e-6);
        Assert.AreEqual(TrendStatus.SignificantLoss, report.Patients.Single().Status);
    }

    [TestMethod]
    public void A_study_screened_onto_the_ideal_scale_is_not_corrected_twice_and_one_without_tissues_has_no_bmd()
    {
        var correction = new TissueHuCorrection(BmdPerHu);
        // As a result file carries it: the source by name, read back.
        var json = Result("2020-01-01", 150, new HuScale(7, 0.017), screenedWith: CalibrationSource.Phantomless).ToJson();
        StringAssert.Contains(json, "\"scanCalibration\":\"phantomless\"");
        var screened = System.Text.Json.JsonSerializer.Deserialize<StudyResult>(json, StudyResult.Json)!;
        Assert.AreEqual(CalibrationSource.Phantomless, screened.ScanCalibration);
        Assert.AreEqual(Intercept + BmdPerHu * 150, correction.Correct(screened).Bmd!.Value, 1e-9);
        Assert.IsNull(correction.Correct(screened).Scale);
        var noAir = Result("2020-01-01", 150, new HuScale(7, 0.017), [double.NaN, -100, 50, 40]);
        var (bmd, scale, refusal) = correction.Correct(noAir);
        Assert.IsNull(bmd);
        Assert.IsNull(scale);
        StringAssert.Contains(refusal, "air");
    }

    [TestMethod]
    public void The_trend_command_corrects_by_the_tissues_when_asked()
    {
        var root = TestPaths.NewTempDirectory("osteoml-trend-tissues");
        var results = Path.Combine(root, "results");
        using (var sink = new ResultsFolderSink(results))
        {
            foreach (var r in new[] { Result("2018-01-01", 150, new HuScale(1, 0.002)), Result("2023-01-01", 150, new HuScale(7, 0.017)) })
                sink.Append(r.SeriesInstanceUid, r);
            sink.Complete();
        }
        var plain = CliRun.Of("trend", results, "--lsc", "3", "--no-plots");
        Assert.AreEqual(0, plain.ExitCode, plain.Error);
        StringAssert.Contains(plain.Out, "1 significant gain");
        var output = Path.Combine(root, "trends");
        var corrected = CliRun.Of("trend", results, "--lsc", "3", "--tissue-correction", "--out", output, "--no-plots");
        Assert.AreEqual(0, corrected.ExitCode, corrected.Error);
        StringAssert.Contains(corrected.Out, "1 stable");
        StringAssert.Contains(File.ReadAllText(Path.Combine(output, "trends.json")), "\"tissueScale\"");
    }

    private static TrendStudy Graded(string date, params (string Level, int Grade)[] grades) =>
        new("k", DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), "1.2." + date, "1.3." + date, "A", false, 100,
            grades.ToDictionary(g => g.Level, g => g.Grade));

    [TestMethod]
    public void A_mild_grade_that_comes_and_goes_is_not_a_new_fracture_under_the_stricter_rules()
    {
        TrendStudy[] flicker = [Graded("2020-01-01", ("L1", 0)), Graded("2021-01-01", ("L1", 1)), Graded("2022-01-01", ("L1", 0))];
        Assert.HasCount(1, TrendAnalysis.NewFractures(flicker, NewFractureRule.AnyRise));
        Assert.HasCount(0, TrendAnalysis.NewFractures(flicker, NewFractureRule.ModerateOrTwoGrades));
        Assert.HasCount(0, TrendAnalysis.NewFractures(flicker, NewFractureRule.ModerateOrConfirmed));
        // A mild call at the last study has no next study to confirm it.
        Assert.HasCount(0, TrendAnalysis.NewFractures([Graded("2020-01-01", ("L1", 0)), Graded("2022-01-01", ("L1", 1))], NewFractureRule.ModerateOrConfirmed));
    }

    [TestMethod]
    public void Moderate_two_grade_and_confirmed_rises_are_new_fractures()
    {
        var moderate = TrendAnalysis.NewFractures([Graded("2020-01-01", ("L1", 1)), Graded("2022-01-01", ("L1", 2))], NewFractureRule.ModerateOrTwoGrades);
        Assert.AreEqual(new NewFracture("L1", 1, 2, new DateOnly(2022, 1, 1)), moderate.Single());
        TrendStudy[] confirmed = [Graded("2020-01-01", ("L2", 0)), Graded("2021-01-01", ("L2", 1)), Graded("2023-01-01", ("L2", 1))];
        Assert.AreEqual(new NewFracture("L2", 0, 1, new DateOnly(2021, 1, 1)), TrendAnalysis.NewFractures(confirmed, NewFractureRule.ModerateOrConfirmed).Single());
        Assert.HasCount(0, TrendAnalysis.NewFractures(confirmed, NewFractureRule.ModerateOrTwoGrades));
        // A rise that keeps going is one fracture at its highest grade, first seen where the rule first held.
        TrendStudy[] worsening = [Graded("2020-01-01", ("L3", 0)), Graded("2021-01-01", ("L3", 1)), Graded("2022-01-01", ("L3", 3))];
        Assert.AreEqual(new NewFracture("L3", 0, 3, new DateOnly(2021, 1, 1)), TrendAnalysis.NewFractures(worsening, NewFractureRule.ModerateOrConfirmed).Single());
        Assert.AreEqual(new NewFracture("L3", 0, 3, new DateOnly(2022, 1, 1)), TrendAnalysis.NewFractures(worsening, NewFractureRule.ModerateOrTwoGrades).Single());
    }

    [TestMethod]
    public void Under_the_incident_rule_only_a_normal_level_can_fracture_anew()
    {
        // A prevalent grade-1 fracture read grade 2 later is a worsening; the normal level beside it reaching grade 2 is new.
        TrendStudy[] series = [Graded("2020-01-01", ("L1", 1), ("L2", 0)), Graded("2023-01-01", ("L1", 2), ("L2", 2))];
        Assert.AreEqual(new NewFracture("L2", 0, 2, new DateOnly(2023, 1, 1)), TrendAnalysis.NewFractures(series, NewFractureRule.IncidentModerateOrConfirmed).Single());
        Assert.HasCount(2, TrendAnalysis.NewFractures(series, NewFractureRule.ModerateOrConfirmed));
        Assert.HasCount(1, TrendAnalysis.NewFractures(series));
    }
}