using System.Globalization;
using OsteoML.Calibration;
using OsteoML.Calibration.Methods;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.AutoTune;

[TestClass]
public sealed class CalibrationTests
{
    private static readonly GlobalModelIdentity Model = new("test-global", new string('a', 64));

    /// <summary>k cases whose QCT BMD spans 40–200; the global model sees them through <paramref name="drift"/> + N(0, noise²).</summary>
    private static List<CalibrationCase> Cases(int k, Func<double, double> drift, double noise, int seed, bool tissues = false)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, k).Select(i =>
        {
            var qct = 40 + 160 * random.NextDouble();
            var global = drift(qct) + noise * Normal(random);
            double[]? t = tissues ? [-1000 + 4 * Normal(random), -100 + 4 * Normal(random), 50 + 4 * Normal(random), 40 + 4 * Normal(random)] : null;
            return new CalibrationCase($"p{i}", global, qct, t);
        }).ToList();
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [TestMethod]
    public void RecoversAKnownOffset()
    {
        // The site reads 12 mg/cm³ low: QCT = ŷ + 12.
        var cases = Cases(20, q => q - 12, noise: 3, seed: 1);
        var profile = SiteCalibrator.Calibrate("site-X", cases, Model);
        Assert.AreEqual(CalibrationMethod.Offset, profile.Correction.Method, profile.CrossValidation.ToString());
        Assert.AreEqual(12, profile.Correction.OffsetAtCentre, 2.0);
        Assert.IsLessThan(profile.CrossValidation.UncalibratedMae / 2, profile.CrossValidation.ChosenMae);
    }

    [TestMethod]
    public void RecoversAKnownSlopeAndOffset()
    {
        // ŷ = 0.87·QCT + 13 ⇒ QCT = (ŷ − 13)/0.87: slope 1.149, at ŷ = 100 the correction is 100 − 100 = 0.
        var cases = Cases(40, q => 0.87 * q + 13, noise: 2, seed: 2);
        var profile = SiteCalibrator.Calibrate("site-Y", cases, Model);
        // A free line, or a barely shrunk one (the simpler within one standard error).
        CollectionAssert.Contains(new[] { CalibrationMethod.Linear, CalibrationMethod.Shrinkage }, profile.Correction.Method);
        Assert.AreEqual(1 / 0.87, profile.Correction.Slope, 0.03);
        Assert.AreEqual((100 - 13) / 0.87 - 100, profile.Correction.OffsetAtCentre, 1.5);
    }

    [TestMethod]
    public void LinearAndRidgeFitsMatchNumpy()
    {
        var cases = Cases(15, q => 0.9 * q + 5, noise: 4, seed: 3, tissues: true);
        var linear = BmdCorrectionFit.Fit(CalibrationMethod.Linear, cases).Correction;
        var ridge = BmdCorrectionFit.Fit(CalibrationMethod.ShrinkageWithTissues, cases, priorStrength: 4).Correction;
        var rows = string.Join(";", cases.Select(c => string.Join(",", new[] { c.GlobalBmd, c.QctBmd }.Concat(c.Tissues!).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        const string script = """
            import sys, numpy as np
            d = np.array([[float(v) for v in r.split(',')] for r in sys.argv[1].split(';')])
            g, q, t = d[:, 0], d[:, 1], d[:, 2:]
            slope, intercept = np.polyfit(g, q, 1)
            X = np.column_stack([np.ones(len(g)), (g - 100) / 40, (t - t.mean(axis=0)) / 20])
            theta = np.linalg.solve(X.T @ X + 4 * np.eye(X.shape[1]), X.T @ (q - g))
            print(repr(slope), repr(intercept + slope * 100 - 100), ' '.join(repr(v) for v in theta))
            """;
        var output = ExternalTool.Python(script, rows).EnsureSuccess("numpy reference").StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.AreEqual(output[0], linear.Slope, 1e-9);
        Assert.AreEqual(output[1], linear.OffsetAtCentre, 1e-9);
        for (var j = 0; j < 6; j++) Assert.AreEqual(output[2 + j], ridge.Coefficients[j], 1e-9, $"ridge coefficient {j}");
    }

    [TestMethod]
    public void ClosedFormLeaveOneOutResidualsEqualRefitting()
    {
        var cases = Cases(12, q => 0.9 * q + 4, noise: 5, seed: 10);
        var x = cases.Select(c => ((DesignMatrixMethod)CalibrationMethods.Get(CalibrationMethod.Shrinkage)).Design(c.GlobalBmd, null, [])).ToArray();
        var r = cases.Select(c => c.QctBmd - c.GlobalBmd).ToArray();
        var press = RidgeFit.LeaveOneOutResiduals(x, r, 3);
        for (var i = 0; i < cases.Count; i++)
        {
            var theta = RidgeFit.Solve(x.Where((_, j) => j != i).ToArray(), r.Where((_, j) => j != i).ToArray(), 3);
            Assert.AreEqual(r[i] - (x[i][0] * theta[0] + x[i][1] * theta[1]), press[i], 1e-9);
        }
    }

    [TestMethod]
    public void ShrinkagePullsTowardTheGlobalModelAsThePriorGrows()
    {
        var cases = Cases(12, q => q - 10, noise: 6, seed: 4);
        var weak = BmdCorrectionFit.Fit(CalibrationMethod.Shrinkage, cases, priorStrength: 0.5).Correction;
        var strong = BmdCorrectionFit.Fit(CalibrationMethod.Shrinkage, cases, priorStrength: 64).Correction;
        Assert.IsGreaterThan(Math.Abs(strong.OffsetAtCentre), Math.Abs(weak.OffsetAtCentre));
        // With a prior of 64 pseudo-cases against 12 real ones the offset keeps about 12/(12 + 64) of its size.
        Assert.AreEqual(10 * 12.0 / 76, strong.OffsetAtCentre, 1.0);
        var chosen = BmdCorrectionFit.Fit(CalibrationMethod.Shrinkage, cases).Correction.PriorStrength;
        CollectionAssert.Contains(DesignMatrixMethod.PriorStrengths, chosen!.Value);
    }

    /// <summary>
    /// Hand-worked: osteoporosis at calibrated 70, 78, 84; osteopenia at 82, 90, 100; normal at 125, 130.
    /// t₂ = 120 separates the normals. For t₁ = 80: osteoporosis recall 2/3, F1 4/5; osteopenia recall 1, F1 6/7
    /// → macro-F1 (4/5 + 6/7 + 1)/3 = 93/105, balanced accuracy 8/9, osteoporosis sensitivity 2/3.
    /// t₁ = 87 ties on both (F1 6/7 and 4/5 swap, recall 1 and 2/3 swap) but is further from 80; it is the pair
    /// of highest balanced accuracy with sensitivity ≥ 0.9 (sensitivity 1). t₁ = 83 scores 7/9 on both.
    /// </summary>
    [TestMethod]
    public void ThresholdChoiceMatchesTheHandWorkedCase()
    {
        double[] bmd = [70, 78, 84, 82, 90, 100, 125, 130];
        int[] truth = [2, 2, 2, 1, 1, 1, 0, 0];

        var f1 = ThresholdSelection.Select(bmd, truth, ThresholdObjective.MacroF1, 0.9);
        Assert.AreEqual(new ClassThresholds(80, 120), f1.Thresholds);
        Assert.AreEqual(93.0 / 105, f1.Objective, 1e-12);

        var balanced = ThresholdSelection.Select(bmd, truth, ThresholdObjective.BalancedAccuracy, 0.9);
        Assert.AreEqual(new ClassThresholds(80, 120), balanced.Thresholds);
        Assert.AreEqual(8.0 / 9, balanced.Objective, 1e-12);

        var sensitive = ThresholdSelection.Select(bmd, truth, ThresholdObjective.OsteoporosisSensitivity, 0.9);
        Assert.AreEqual(new ClassThresholds(87, 120), sensitive.Thresholds);
        Assert.IsTrue(sensitive.ConstraintMet);
        Assert.AreEqual(8.0 / 9, sensitive.Objective, 1e-12);

        Assert.AreEqual(7.0 / 9, ThresholdSelection.Score(bmd, truth, new ClassThresholds(83, 120), ThresholdObjective.BalancedAccuracy, 0.9).Value, 1e-12);
    }

    [TestMethod]
    public void ThresholdsAreSelectedWithBootstrapIntervalsOnceKAllows()
    {
        var cases = Cases(40, q => q + 8, noise: 5, seed: 5);
        var profile = SiteCalibrator.Calibrate("site-Z", cases, Model, new SiteCalibrationOptions { BootstrapReplicates = 50 });
        var report = profile.ThresholdSelection;
        StringAssert.StartsWith(report.Source, "selected");
        Assert.IsNotNull(report.OsteoporosisBelowInterval);
        Assert.IsTrue(report.OsteoporosisBelowInterval.Low <= profile.Thresholds.OsteoporosisBelow && profile.Thresholds.OsteoporosisBelow <= report.OsteoporosisBelowInterval.High);
        Assert.IsTrue(Math.Abs(profile.Thresholds.OsteoporosisBelow - 80) <= 20 && Math.Abs(profile.Thresholds.NormalAbove - 120) <= 20);

        var few = SiteCalibrator.Calibrate("site-Z", cases.Take(12).ToList(), Model);
        Assert.AreEqual(ClassThresholds.Acr, few.Thresholds);
        StringAssert.StartsWith(few.ThresholdSelection.Source, "ACR 80/120 kept: selection needs k ≥ 20");
    }

    [TestMethod]
    public void ProfileRoundTripsThroughJson()
    {
        var cases = Cases(25, q => 0.95 * q - 6, noise: 4, seed: 6, tissues: true);
        var profile = SiteCalibrator.Calibrate("Hospital B / CT 2 (Siemens)", cases, Model,
            new SiteCalibrationOptions { BootstrapReplicates = 20 }, new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var directory = TestPaths.NewTempDirectory();
        new SiteProfileSet([profile]).Save(directory);
        var file = Directory.GetFiles(directory).Single();
        StringAssert.EndsWith(file, SiteProfileSet.FileSuffix);
        StringAssert.Contains(File.ReadAllText(file), "\"schemaVersion\": 1");

        var loaded = SiteProfileSet.Load(directory);
        Assert.IsTrue(loaded.TryGet("Hospital B / CT 2 (Siemens)", out var back));
        Assert.AreEqual(profile.ToJson(), back.ToJson());
        foreach (var c in cases)
        {
            var (before, after) = (profile.Apply(c.GlobalBmd, c.Tissues), back.Apply(c.GlobalBmd, c.Tissues));
            Assert.AreEqual(before.Bmd, after.Bmd);
            Assert.AreEqual(before.ClassIndex, after.ClassIndex);
            Assert.AreEqual(before.Profile, after.Profile);
            CollectionAssert.AreEqual(before.Probabilities!.ToArray(), after.Probabilities!.ToArray());
        }
        Assert.AreEqual(profile.GlobalModel, back.GlobalModel);
        Assert.AreEqual(25, back.Cases);

        // The same with tissue terms; a study without usable tissue HUs is then calibrated at the site's tissue
        // means, and says so.
        var tissues = profile with { Correction = BmdCorrectionFit.Fit(CalibrationMethod.ShrinkageWithTissues, cases, 4).Correction };
        var tissuesBack = SiteProfile.FromJson(tissues.ToJson());
        Assert.AreEqual(tissues.ToJson(), tissuesBack.ToJson());
        Assert.AreEqual(tissues.Apply(90, cases[3].Tissues).Bmd, tissuesBack.Apply(90, cases[3].Tissues).Bmd);
        Assert.AreNotEqual(tissuesBack.Apply(90, cases[3].Tissues).Bmd, tissuesBack.Apply(90, cases[4].Tissues).Bmd);
        var missing = tissuesBack.Apply(100, null);
        Assert.AreEqual(tissuesBack.Apply(100, tissuesBack.Correction.TissueMeans).Bmd, missing.Bmd);
        Assert.AreEqual("reference-tissue HUs missing: tissue terms taken at the site's means", missing.Note);
    }

    [TestMethod]
    public void GuardrailsRefuseTooFewCasesAndFutureSchemasAndSayWhenASiteHasNoProfile()
    {
        var ex = Assert.ThrowsExactly<CalibrationRefusedException>(() => SiteCalibrator.Calibrate("site-Q", Cases(4, q => q, 3, 7), Model));
        Assert.AreEqual("site 'site-Q': 4 QCT-labelled case(s); calibration needs at least 5 (10 to fit a slope, 20 to move the class thresholds).", ex.Message);

        var units = Cases(6, q => q, 3, 7);
        units[2] = units[2] with { QctBmd = 0.12 * 1000 * 10 };
        StringAssert.Contains(Assert.ThrowsExactly<CalibrationRefusedException>(() => SiteCalibrator.Calibrate("s", units, Model)).Message,
            "case 3: QCT BMD 1200 mg/cm³ is outside 0–400; check the units.");

        var future = SiteCalibrator.Calibrate("s", Cases(8, q => q, 3, 7), Model).ToJson().Replace("\"schemaVersion\": 1", "\"schemaVersion\": 2");
        Assert.AreEqual("x.json: site profile schema version 2; this OsteoML reads up to 1 — upgrade OsteoML.",
            Assert.ThrowsExactly<InvalidDataException>(() => SiteProfile.FromJson(future, "x.json")).Message);

        var none = new SiteProfileSet([]).Apply("site-unknown", 95);
        Assert.IsNull(none.Profile);
        Assert.AreEqual(95, none.Bmd);
        Assert.AreEqual(1, none.ClassIndex);
        Assert.AreEqual("site 'site-unknown' has no calibration profile: global model used", none.Note);
    }

    [TestMethod]
    public void ImplausibleCorrectionsAreCapped()
    {
        // A slope of 1.8 is not a scanner difference: it is capped at 1.3, and per-case corrections at ±40.
        var cases = Cases(30, q => q / 1.8 + 44, noise: 1, seed: 8);
        var profile = SiteCalibrator.Calibrate("site-W", cases, Model, new SiteCalibrationOptions { BootstrapReplicates = 0 });
        Assert.AreEqual(BmdCorrection.MaximumSlope, profile.Correction.Slope, 1e-9);
        Assert.IsTrue(profile.Warnings.Any(w => w.StartsWith("fitted slope outside [0.7, 1.3]: capped at 1.3")), string.Join("; ", profile.Warnings));
        var far = profile.Apply(400);
        Assert.AreEqual(440, far.Bmd, 1e-9);
    }

    [TestMethod]
    public void ClassProbabilitiesFollowTheThresholdsAndTheSpread()
    {
        // Φ(−1.5) = 0.0668072, 1 − Φ(2.5) = 0.0062097 (standard normal table).
        var p = ClassProbabilities.FromBmd(95, 10, ClassThresholds.Acr);
        Assert.AreEqual(0.0062097, p[0], 1e-6);
        Assert.AreEqual(0.0668072, p[2], 1e-6);
        Assert.AreEqual(1, p.Sum(), 1e-12);
        var moved = ClassProbabilities.FromBmd(95, 10, new ClassThresholds(90, 120));
        Assert.AreEqual(0.5 - 0.1914625, moved[2], 1e-6); // Φ(−0.5) = 0.3085375
        Assert.AreEqual(0.3085375, moved[2], 1e-6);
    }

    [TestMethod]
    public void AnImplausibleTissueHuDropsTheTissueTermsAndNamesTheCase()
    {
        // Case 5's "air" is the fat value (a swapped column), case 9's blood is finite but absurd (1e200, which once
        // overflowed the tissue fits to NaN): the site is calibrated on BMD alone, and the first bad case is named.
        var cases = Cases(20, q => q - 12, noise: 3, seed: 1, tissues: true);
        cases[4] = cases[4] with { Tissues = [-100, -100, 50, 40] };
        cases[8] = cases[8] with { Tissues = [-1000, -100, 50, 1e200] };
        var profile = SiteCalibrator.Calibrate("site-X", cases, Model);
        Assert.AreEqual(CalibrationMethod.Offset, profile.Correction.Method, profile.CrossValidation.ToString());
        Assert.AreEqual(12, profile.Correction.OffsetAtCentre, 2.0);
        Assert.IsFalse(profile.CrossValidation.MaeByMethod.Keys.Any(m => m.EndsWith("WithTissues")), profile.CrossValidation.ToString());
        CollectionAssert.Contains(profile.Warnings.ToList(), "case 5: air -100 HU outside -1100 to -800: tissue covariates not used");

        // The same site with plausible tissues does consider the tissue terms.
        cases[4] = cases[4] with { Tissues = [-1000, -100, 50, 40] };
        cases[8] = cases[8] with { Tissues = [-1000, -100, 50, 40] };
        var clean = SiteCalibrator.Calibrate("site-X", cases, Model);
        Assert.IsTrue(clean.CrossValidation.MaeByMethod.ContainsKey("shrinkageWithTissues"), clean.CrossValidation.ToString());
        Assert.IsFalse(clean.Warnings.Any(w => w.Contains("tissue")), string.Join("\n", clean.Warnings));
    }

    [TestMethod]
    public void LearningCurveImprovesWithKOnADriftedSiteAndIsReproducible()
    {
        var site = SiteDriftFixture.Generate(700, 0, seed: 9).Where(c => c.Site == "site-D").ToArray();
        // The global model reads site D through the reference line (site A): ŷ = (HU − 0)/1.2.
        var cases = site.Select(c => new CalibrationCase(c.PatientId, c.MeanTrabecularHu / 1.2, c.Bmd, c.Tissues)).ToList();
        var sites = new Dictionary<string, IReadOnlyList<CalibrationCase>> { ["site-D"] = cases };
        var curve = LearningCurve.Run(sites, Model, draws: 5, seed: 3);
        Console.WriteLine(string.Join("\n", curve));
        Assert.AreEqual(0, curve[0].K);
        var k20 = curve.Single(p => p.K == 20 && p.Source == CalibrationSource.Global);
        Assert.AreEqual(5, k20.Draws);
        Assert.IsLessThan(curve[0].MaeMean / 2, k20.MaeMean);
        Assert.AreEqual(string.Join("\n", curve), string.Join("\n", LearningCurve.Run(sites, Model, draws: 5, seed: 3)));
        // k = 0, then per k the global model with k cases and the one-standard-error choice among sources (only one here).
        Assert.AreEqual(9L, LearningCurve.ToDataFrame(curve).Rows.Count);
    }
}
