using CsCheck;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Search;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.Tests.AutoTune;

[TestClass]
public sealed class SearchSpaceTests
{
    private static readonly SearchSpace Space = new(
        SearchParameter.Float("f", -2, 3, start: 0),
        SearchParameter.Float("lf", 1e-4, 10, start: 1, log: true),
        SearchParameter.Int("i", -3, 7, start: 0),
        SearchParameter.Int("li", 2, 1000, start: 2, log: true),
        SearchParameter.Choice("c", ["x", "y", "z"], start: "y"));

    [TestMethod]
    public void DecodedValuesEncodeBackToTheSameValues()
    {
        Gen.Double[0, 1].Array[5].Sample(point =>
        {
            var values = Space.Decode(point);
            var again = Space.Decode(Space.Encode(values));
            return Math.Abs(values.GetDouble("f") - again.GetDouble("f")) < 1e-9
                && Math.Abs(values.GetDouble("lf") / again.GetDouble("lf") - 1) < 1e-9
                && values.GetInt("i") == again.GetInt("i")
                && values.GetInt("li") == again.GetInt("li")
                && values.GetString("c") == again.GetString("c");
        }, iter: 1000);
    }

    [TestMethod]
    public void IntegersGetEqualCellsAndLogScalesAreLogUniform()
    {
        // Uniform int on [−3, 7]: 11 cells of width 1/11; the end points get full cells.
        var i = Space[2];
        Assert.AreEqual(-3, i.FromUnit(0.0));
        Assert.AreEqual(-3, i.FromUnit(0.999 / 11));
        Assert.AreEqual(-2, i.FromUnit(1.001 / 11));
        Assert.AreEqual(7, i.FromUnit(0.9999));
        Assert.AreEqual(0.5 / 11, i.ToUnit(-3), 1e-12);
        // Log float on [1e-4, 10]: the unit midpoint is the geometric mean 10^-1.5.
        Assert.AreEqual(Math.Pow(10, -1.5), (double)Space[1].FromUnit(0.5), 1e-12);
        Assert.AreEqual(0.25, Space[1].ToUnit(1e-4 * Math.Pow(1e5, 0.25)), 1e-12);
        // Choices: thirds.
        Assert.AreEqual("z", Space[4].FromUnit(0.7));
        Assert.IsTrue(Space[4].IsUnordered);
        CollectionAssert.AreEqual(new object[] { 0.0, 1.0, 0, 2, "y" }, Space.Decode(Space.StartPoint()).Values.Select(v => v is double d ? Math.Round(d, 9) : v).ToArray());
    }

    [TestMethod]
    public void BadSpacesAndNamesAreRefusedInOneLine()
    {
        Assert.AreEqual("parameter lr: a log-scaled range needs min > 0 (got 0).",
            Assert.ThrowsExactly<ArgumentException>(() => SearchParameter.Float("lr", 0, 1, 0.1, log: true)).Message);
        Assert.AreEqual("parameter n: start 0 is outside [1, 5].",
            Assert.ThrowsExactly<ArgumentException>(() => SearchParameter.Int("n", 1, 5, 0)).Message);
        Assert.AreEqual("parameter a appears twice in the search space.",
            Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace(SearchParameter.Int("a", 1, 2, 1), SearchParameter.Int("a", 1, 3, 1))).Message);
        Assert.AreEqual(TunerKind.Smac, Tuner.Parse("SMAC"));
        Assert.AreEqual("unknown tuner 'bayes': expected cfo, smac, random or grid.", Assert.ThrowsExactly<ArgumentException>(() => Tuner.Parse("bayes")).Message);
        Assert.AreEqual(TuningMetric.MacroAuc, TuningMetrics.Parse("auc"));
        Assert.AreEqual("unknown metric 'r2': expected mae, rmse, auc or logloss.", Assert.ThrowsExactly<ArgumentException>(() => TuningMetrics.Parse("r2")).Message);
        Assert.AreEqual("unknown BmdRegression trainer 'Ols': expected one of FastTree, FastForest, LightGbm, Sdca, Gam, LbfgsPoisson.",
            Assert.ThrowsExactly<ArgumentException>(() => TrainerCatalog.Select(HeadTask.BmdRegression, ["FastTree", "Ols"])).Message);
    }

    [TestMethod]
    public void AnExperimentWithoutBudgetOrWithTheWrongTrainersIsRefused()
    {
        var table = SiteDriftFixture.ToTable(SiteDriftFixture.Generate(30, 2, 1));
        Assert.AreEqual("set a time budget, a trial limit, or both.",
            Assert.ThrowsExactly<ArgumentException>(() => new TuningExperiment(new TuningOptions()).Run(table)).Message);
        Assert.AreEqual("trainer Sdca is a BmdRegression trainer but the metric MacroAuc needs ClassMulticlass.",
            Assert.ThrowsExactly<ArgumentException>(() => new TuningExperiment(new TuningOptions
            {
                Metric = TuningMetric.MacroAuc, MaxTrials = 1, Families = TrainerCatalog.Select(HeadTask.BmdRegression, ["Sdca"]),
            }).Run(table)).Message);
    }
}
