using OsteoML.Pipelines.Studies;
using OsteoML.Pipelines.Trends;

namespace OsteoML.Tests.Trends;

/// <summary>The slope, its standard error, the precision and LSC, significance, scanner changes and new fractures against hand-computed values.</summary>
[TestClass]
public sealed class TrendMathTests
{
    private static TrendStudy Study(string date, double? bmd, string site = "A", bool calibrated = false, params (string Level, int Grade)[] grades) =>
        new("k", DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), "1.2." + date, "1.3." + date, site, calibrated, bmd,
            grades.ToDictionary(g => g.Level, g => g.Grade));

    [TestMethod]
    public void Two_studies_give_the_difference_over_the_interval_with_the_precision_standard_error()
    {
        var fit = BmdTrendFit.Fit([0, 2], [100, 94], precisionSd: 3)!;
        Assert.AreEqual(-3, fit.SlopePerYear, 1e-12);
        Assert.AreEqual(Math.Sqrt(2) * 3 / 2, fit.SlopeStandardError, 1e-12); // √2·σ/Δt = 2.1213
        Assert.AreEqual(-6, fit.Change, 1e-12);
        Assert.AreEqual(Math.Sqrt(2) * 3, fit.ChangeStandardError, 1e-12);
        Assert.AreEqual(100, fit.Intercept, 1e-12);
    }

    [TestMethod]
    public void Three_studies_give_the_least_squares_slope_and_the_larger_of_the_two_standard_errors()
    {
        // x̄ = 1, ȳ = 97.333, Sxx = 2, Sxy = −5: slope −2.5, intercept 99.833; residuals 1/6, −1/3, 1/6: RSS 1/6.
        var precise = BmdTrendFit.Fit([0, 1, 2], [100, 97, 95], precisionSd: 0.1)!;
        Assert.AreEqual(-2.5, precise.SlopePerYear, 1e-12);
        Assert.AreEqual(99.8333333333, precise.Intercept, 1e-9);
        Assert.AreEqual(Math.Sqrt(1.0 / 6 / 1 / 2), precise.SlopeStandardError, 1e-12); // residual SE 0.2887 > σ/√Sxx = 0.0707
        var noisy = BmdTrendFit.Fit([0, 1, 2], [100, 97, 95], precisionSd: 1)!;
        Assert.AreEqual(1 / Math.Sqrt(2), noisy.SlopeStandardError, 1e-12); // σ/√Sxx = 0.7071 > 0.2887
        Assert.AreEqual(-5, noisy.Change, 1e-12);
    }

    [TestMethod]
    public void No_fit_from_one_study_or_one_day()
    {
        Assert.IsNull(BmdTrendFit.Fit([0], [100], 2));
        Assert.IsNull(BmdTrendFit.Fit([0, 0], [100, 104], 2));
    }

    [TestMethod]
    public void Precision_is_the_rms_sd_of_rescan_pairs_and_the_lsc_is_2_77_times_it()
    {
        var p = MeasurementPrecision.FromDifferences([3, -4])!; // √((9 + 16) / (2·2)) = 2.5
        Assert.AreEqual(2.5, p.Sd, 1e-12);
        Assert.AreEqual(6.925, p.Lsc, 1e-12);
        Assert.AreEqual(2, p.Pairs);
        Assert.AreEqual(10 / 2.77, MeasurementPrecision.FromLsc(10).Sd, 1e-12);
        Assert.IsNull(MeasurementPrecision.FromDifferences([]));
    }

    [TestMethod]
    public void Rescan_pairs_are_studies_of_one_patient_within_the_window()
    {
        TrendStudy[] studies =
        [
            Study("2020-01-01", 100), Study("2020-01-08", 103), Study("2022-01-01", 90),   // one pair (d = 3); 2022 is a follow-up
            Study("2020-05-01", 80) with { PatientKey = "other" }, Study("2020-05-02", 76) with { PatientKey = "other" }, // d = −4
        ];
        var p = MeasurementPrecision.FromStudies(studies)!;
        Assert.AreEqual(2, p.Pairs);
        Assert.AreEqual(2.5, p.Sd, 1e-12);
    }

    [TestMethod]
    public void A_change_beyond_the_lsc_is_significant_and_its_sign_named()
    {
        var precision = MeasurementPrecision.FromLsc(10);
        Assert.AreEqual(TrendStatus.SignificantLoss, TrendAnalysis.Trend("k", [Study("2020-01-01", 100), Study("2022-01-01", 89)], precision).Status);
        Assert.AreEqual(TrendStatus.Stable, TrendAnalysis.Trend("k", [Study("2020-01-01", 100), Study("2022-01-01", 91)], precision).Status);
        Assert.AreEqual(TrendStatus.SignificantGain, TrendAnalysis.Trend("k", [Study("2020-01-01", 100), Study("2022-01-01", 111)], precision).Status);
        Assert.AreEqual(TrendStatus.NotEnoughStudies, TrendAnalysis.Trend("k", [Study("2020-01-01", 100), Study("2020-01-10", 80)], precision).Status);
        Assert.AreEqual(TrendStatus.NotEnoughStudies, TrendAnalysis.Trend("k", [Study("2020-01-01", 100), Study("2022-01-01", null)], precision).Status);
        var trend = TrendAnalysis.Trend("k", [Study("2020-01-01", 100), Study("2022-01-01", 89)], precision);
        Assert.AreEqual(-11 / (731 / 365.25), trend.Fit!.SlopePerYear, 1e-9);
    }

    [TestMethod]
    public void Scanner_changes_are_flagged_with_and_without_site_calibration()
    {
        Assert.AreEqual(ScannerChange.None, TrendAnalysis.ScannerChangeOf([Study("2020-01-01", 100), Study("2022-01-01", 90)]));
        Assert.AreEqual(ScannerChange.Calibrated, TrendAnalysis.ScannerChangeOf([Study("2020-01-01", 100, "A", true), Study("2022-01-01", 90, "B", true)]));
        Assert.AreEqual(ScannerChange.Uncalibrated, TrendAnalysis.ScannerChangeOf([Study("2020-01-01", 100, "A", true), Study("2022-01-01", 90, "B")]));
    }

    [TestMethod]
    public void A_grade_that_rises_at_a_level_is_a_new_fracture()
    {
        var fractures = TrendAnalysis.NewFractures(
        [
            Study("2020-01-01", 100, grades: [("L1", 0), ("L2", 1)]),
            Study("2021-01-01", 95, grades: [("L1", 2), ("L3", 1)]),  // L3 first graded here: its baseline
            Study("2022-01-01", 90, grades: [("L1", 3), ("L2", 1), ("L3", 1)]),
        ]);
        Assert.AreEqual(1, fractures.Count);
        Assert.AreEqual(new NewFracture("L1", 0, 3, new DateOnly(2021, 1, 1)), fractures[0]);
    }

    [TestMethod]
    public void The_patient_key_is_a_keyed_hash_never_the_id()
    {
        var keyer = new PatientKeyer("a-site-secret-of-enough-length");
        var key = keyer.Key("SYN1234500001")!;
        Assert.AreEqual(32, key.Length);
        Assert.AreEqual(key, keyer.Key(" SYN1234500001 "));
        Assert.AreNotEqual(key, keyer.Key("SYN1234500002"));
        Assert.AreNotEqual(key, new PatientKeyer("another-site-secret-entirely").Key("SYN1234500001"));
        Assert.IsNull(keyer.Key(""));
        Assert.ThrowsExactly<ArgumentException>(() => new PatientKeyer("short"));
    }

    [TestMethod]
    public void An_unusable_patient_key_secret_is_one_line_naming_the_variable_not_the_secret()
    {
        // A child process: the variables are the process's, and other tests read them while screening.
        var cli = Path.Combine(AppContext.BaseDirectory, "osteoml.dll");
        var empty = OsteoML.Tests.Support.TestPaths.NewTempDirectory("osteoml-patient-key");
        foreach (var (name, value, expected) in new[]
        {
            (PatientKeyer.EnvironmentVariable, "short-secret", $"error: {PatientKeyer.EnvironmentVariable}: the patient key secret holds fewer than"),
            (PatientKeyer.FileEnvironmentVariable, Path.Combine(empty, "missing"), $"error: {PatientKeyer.FileEnvironmentVariable}: {Path.Combine(empty, "missing")} cannot be read"),
        })
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cli, "batch", empty, "--out", Path.Combine(empty, "out-" + name) }) start.ArgumentList.Add(a);
            start.Environment[name] = value;
            using var child = System.Diagnostics.Process.Start(start)!;
            var stdout = child.StandardOutput.ReadToEndAsync();
            var error = child.StandardError.ReadToEnd();
            child.WaitForExit();
            Assert.AreEqual(1, child.ExitCode, error);
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            Assert.HasCount(1, lines, error);
            StringAssert.StartsWith(lines[0], expected);
            Assert.IsFalse(error.Contains("short-secret", StringComparison.Ordinal), "the secret is never printed");
            _ = stdout.Result;
        }
    }
}
