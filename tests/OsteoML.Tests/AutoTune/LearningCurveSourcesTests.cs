using OsteoML.Calibration;

namespace OsteoML.Tests.AutoTune;

/// <summary>
/// Each calibration source in the learning curve, on a site whose scanner reads HU through a known wrong scale
/// (water +9 HU, gain +3.5 %): the global model reads its HU through the training sites' line, the phantom source
/// knows the scale (as a phantom scan measures it), the phantomless source estimates it per study from tissues that
/// scatter around their literature values as patients do. The truth is the BMD each case was generated from.
/// </summary>
[TestClass]
public sealed class LearningCurveSourcesTests
{
    private static readonly GlobalModelIdentity Model = new("test", "0");
    private const double BmdPerHu = 1 / 1.2, MarrowHu = -10;

    private static IReadOnlyList<CalibrationCase> Site(HuScale scale, int n, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var phantom = new SitePhantomProfile
        {
            SiteKey = "site-X", Phantom = "test",
            Calibrations = [new PhantomKvpCalibration(120, scale, scale.Offset, 1.2 * (1 + scale.Gain), 0.5, [], DateTimeOffset.UnixEpoch)],
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
        var phantomSource = ScanCalibrations.Create(CalibrationSource.Phantom, new Dictionary<string, SitePhantomProfile> { ["site-X"] = phantom });
        var phantomless = ScanCalibrations.Create(CalibrationSource.Phantomless);
        var cases = new List<CalibrationCase>();
        for (var i = 0; i < n; i++)
        {
            var bmd = Math.Clamp(110 + 35 * Normal(), 15, 240);
            var idealHu = MarrowHu + 1.2 * bmd + 4 * Normal();
            var hu = scale.ToMeasured(idealHu);
            var global = (hu - MarrowHu) * BmdPerHu;
            var tissues = Enumerable.Range(0, 4).Select(t => scale.ToMeasured(ReferenceTissueValues.At(t, 120) + ReferenceTissueValues.ScatterHu[t] * Normal())).ToArray();
            var scan = new ScanContext("site-X", 120, tissues, ContrastSuspected: false);
            var sources = new Dictionary<CalibrationSource, double>();
            foreach (var source in new[] { phantomSource, phantomless })
                if (source.Estimate(scan).Scale is { } s) sources[source.Source] = ScanCalibrations.CorrectBmd(global, hu, s, BmdPerHu);
            cases.Add(new CalibrationCase($"p{i}", global, bmd, tissues, SourceBmd: sources));
        }
        return cases;
    }

    [TestMethod]
    public void Every_source_appears_alone_and_with_local_cases_and_the_rule_picks_one_per_draw()
    {
        var cases = Site(new HuScale(9, 0.035), 80, seed: 5);
        var curve = LearningCurve.Run(new Dictionary<string, IReadOnlyList<CalibrationCase>> { ["site-X"] = cases }, Model, [10, 20], draws: 5, seed: 2);
        var labels = curve.Select(p => p.SourceLabel).Distinct().ToArray();
        CollectionAssert.AreEquivalent(new[] { "none", "phantom", "phantomless", LearningCurve.ChosenLabel }, labels);
        foreach (var k in new[] { 10, 20 })
            Assert.AreEqual(4, curve.Count(p => p.K == k && p.Draws == 5), $"k = {k}: every source and the choice");

        LearningCurvePoint At(CalibrationSource? source, int k) => curve.Single(p => p.Source == source && p.K == k);
        var global = At(CalibrationSource.Global, 0);
        var phantom = At(CalibrationSource.Phantom, 0);
        var tissues = At(CalibrationSource.Phantomless, 0);
        // +9 HU and +3.5 % at ~140 HU ≈ +14 HU ≈ +11.7 mg/cm³ of bias for the global model.
        Assert.IsGreaterThan(9, global.BiasMean, $"global bias {global.BiasMean:0.0}");
        Assert.IsLessThan(1.0, Math.Abs(phantom.BiasMean), $"phantom bias {phantom.BiasMean:0.0}");
        Assert.IsLessThan(3.0, Math.Abs(tissues.BiasMean), $"phantomless bias {tissues.BiasMean:0.0}");
        Assert.IsLessThan(global.MaeMean / 2, phantom.MaeMean);
        Assert.IsLessThan(global.MaeMean, tissues.MaeMean);
        // With a phantom the local cases have nothing left to correct; the rule then picks the phantom or an equal.
        Assert.IsLessThan(At(CalibrationSource.Global, 20).MaeMean + 0.5, At(null, 20).MaeMean);
    }

    [TestMethod]
    public void The_rule_prefers_the_simpler_source_when_the_errors_tie_and_the_better_one_when_they_differ()
    {
        double[] good = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2];
        double[] bad = good.Select(e => e + 10).ToArray();
        Assert.AreEqual(CalibrationSource.Global, LearningCurve.ChooseSource(new Dictionary<CalibrationSource, double[]>
        {
            [CalibrationSource.Global] = good, [CalibrationSource.Phantom] = good, [CalibrationSource.Phantomless] = good,
        }));
        Assert.AreEqual(CalibrationSource.Phantom, LearningCurve.ChooseSource(new Dictionary<CalibrationSource, double[]>
        {
            [CalibrationSource.Global] = bad, [CalibrationSource.Phantom] = good, [CalibrationSource.Phantomless] = good,
        }));
        Assert.AreEqual(CalibrationSource.Phantomless, LearningCurve.ChooseSource(new Dictionary<CalibrationSource, double[]>
        {
            [CalibrationSource.Global] = bad, [CalibrationSource.Phantom] = bad, [CalibrationSource.Phantomless] = good,
        }));
    }
}
