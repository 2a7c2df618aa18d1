using OsteoML.AutoTune.Search;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.Tests.AutoTune;

[TestClass]
public sealed class TunerTests
{
    private static readonly int[] Seeds = [1, 2, 3, 4, 5];

    private static double MedianBest(TestFunction f, TunerKind kind, int trials) =>
        Median(Seeds.Select(seed => f.Minimise(Tuner.Create(kind, f.Space, seed), trials)));

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static IEnumerable<object[]> GuidedTuners =>
    [
        [TunerKind.Cfo, "branin", 0.02],
        [TunerKind.Smac, "branin", 0.1],
        [TunerKind.Cfo, "quadratic", 0.05],
        [TunerKind.Smac, "quadratic", 0.1],
        [TunerKind.Cfo, "categorical", 0.01],
        [TunerKind.Smac, "categorical", 0.01],
    ];

    private static TestFunction Function(string name) => name switch
    {
        "branin" => TestFunction.Branin,
        "quadratic" => TestFunction.Quadratic,
        _ => TestFunction.CategoricalMix,
    };

    [TestMethod]
    [DynamicData(nameof(GuidedTuners))]
    public void GuidedTunerGetsCloseToTheKnownMinimumAndBeatsRandomSearchAtEqualTrials(TunerKind kind, string function, double tolerance)
    {
        var f = Function(function);
        var trials = function == "quadratic" ? 100 : 60; // four dimensions need more trials than two
        var guided = MedianBest(f, kind, trials);
        var random = MedianBest(f, TunerKind.Random, trials);
        Console.WriteLine($"{function}: {kind} median best {guided:G5}, random {random:G5}, minimum {f.Minimum}");
        Assert.IsLessThan(f.Minimum + tolerance, guided, $"{kind} did not get within {tolerance} of the minimum of {function}.");
        Assert.IsLessThan(random, guided, $"{kind} was not better than random search on {function}.");
    }

    [TestMethod]
    public void GridCoversEveryCombinationOfDiscreteValuesOnce()
    {
        var space = new SearchSpace(SearchParameter.Choice("k", ["a", "b", "c"]), SearchParameter.Int("n", 1, 4, start: 1));
        var tuner = new GridTuner(space, seed: 3, stepsPerDimension: 5);
        Assert.AreEqual(12, tuner.GridSize);
        var seen = Enumerable.Range(0, 12).Select(_ => tuner.Propose().Parameters.ToString()).ToHashSet();
        Assert.HasCount(12, seen);
        CollectionAssert.IsSubsetOf(new[] { "k=a, n=1", "k=c, n=4", "k=b, n=2" }, seen.ToArray());
    }

    [TestMethod]
    public void GridPlacesContinuousValuesAtCellCentres()
    {
        var space = new SearchSpace(SearchParameter.Float("x", 0, 10, start: 0));
        var tuner = new GridTuner(space, seed: 1, stepsPerDimension: 4);
        var values = Enumerable.Range(0, 4).Select(_ => tuner.Propose().Parameters.GetDouble("x")).Order().ToArray();
        CollectionAssert.AreEqual(new[] { 1.25, 3.75, 6.25, 8.75 }, values);
    }

    [TestMethod]
    [DataRow(TunerKind.Cfo)]
    [DataRow(TunerKind.Smac)]
    [DataRow(TunerKind.Random)]
    [DataRow(TunerKind.Grid)]
    public void SameSeedGivesTheSameSequenceOfProposals(TunerKind kind)
    {
        string Run(int seed)
        {
            var f = TestFunction.Branin;
            var tuner = Tuner.Create(kind, f.Space, seed);
            var lines = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                var p = tuner.Propose();
                lines.Add(string.Join(",", p.Point.Select(x => x.ToString("R"))));
                tuner.Update(new Observation(p, f.Evaluate(p.Parameters), 0));
            }
            return string.Join("\n", lines);
        }
        Assert.AreEqual(Run(11), Run(11));
        Assert.AreNotEqual(Run(11), Run(12));
    }

    [TestMethod]
    public void CostFrugalSearchStartsAtTheCheapPointAndWalksOutward()
    {
        var space = new SearchSpace(SearchParameter.Int("trees", 4, 1000, start: 4, log: true), SearchParameter.Float("rate", 0.01, 1, start: 0.1, log: true));
        var tuner = new CostFrugalTuner(space, seed: 7);
        var first = tuner.Propose();
        Assert.AreEqual(4, first.Parameters.GetInt("trees"));
        Assert.AreEqual(0.1, first.Parameters.GetDouble("rate"), 1e-9);
        tuner.Update(new Observation(first, 1.0, 0));
        // The first moves stay within one initial step (0.1·√2 in unit distance) of the start.
        var second = tuner.Propose();
        var distance = Math.Sqrt(second.Point.Zip(first.Point, (a, b) => (a - b) * (a - b)).Sum());
        Assert.IsLessThanOrEqualTo(0.1 * Math.Sqrt(2) + 1e-9, distance);
    }

    [TestMethod]
    public void CostFrugalStepGrowsOnSuccessShrinksOnFailureAndRestartsWhenConverged()
    {
        var space = new SearchSpace(SearchParameter.Float("x", 0, 1, start: 0.5), SearchParameter.Float("y", 0, 1, start: 0.5));
        var tuner = new CostFrugalTuner(space, seed: 1);
        var start = tuner.Propose();
        tuner.Update(new Observation(start, 0, 0));
        var initial = tuner.StepSize;

        // Every other point is worse than the start (loss 0): the step must halve after max(2, d) = 2 failed
        // directions (4 proposals), and eventually a restart begins a second local search.
        var step = initial;
        var halvings = 0;
        for (var i = 0; i < 200 && tuner.LocalSearches == 1; i++)
        {
            var p = tuner.Propose();
            tuner.Update(new Observation(p, 1, 0));
            if (tuner.StepSize < step) { halvings++; Assert.AreEqual(step / 2, tuner.StepSize, 1e-12); step = tuner.StepSize; }
        }
        Assert.AreEqual(2, tuner.LocalSearches, "no restart after convergence");
        Assert.IsGreaterThanOrEqualTo(6, halvings);

        // The restart point (loss 1) is the new incumbent with the initial step; a success doubles the step.
        Assert.AreEqual(initial, tuner.StepSize, 1e-12);
        var better = tuner.Propose();
        tuner.Update(new Observation(better, 0.5, 0));
        Assert.AreEqual(initial * 2, tuner.StepSize, 1e-12);
    }

    [TestMethod]
    public void FailedTrialsAreNeverPreferred()
    {
        var f = TestFunction.Branin;
        var tuner = new CostFrugalTuner(f.Space, 3);
        var start = tuner.Propose();
        tuner.Update(new Observation(start, 5, 0));
        for (var i = 0; i < 30; i++)
        {
            var p = tuner.Propose();
            tuner.Update(new Observation(p, double.NaN, 0));
        }
        // Every trial failed after the start, so the incumbent is still the start and the search keeps shrinking.
        Assert.IsLessThan(0.1 * Math.Sqrt(2), tuner.StepSize);
    }

    [TestMethod]
    public void ForestSurrogateMeanIsMlNetsPredictionAndTreesDisagreeAwayFromData()
    {
        var random = new Random(1);
        var history = Enumerable.Range(0, 40).Select(_ =>
        {
            double[] p = [random.NextDouble(), random.NextDouble()];
            return (p, 3 * p[0] + Math.Sin(6 * p[1]));
        }).ToList();
        var ml = new Microsoft.ML.MLContext(1);
        var surrogate = ForestSurrogate.Fit(ml, history, 2, 10);
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(SurrogateProbe));
        schema[nameof(SurrogateProbe.Features)].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, 2);
        var scored = ml.Data.CreateEnumerable<SurrogateProbe>(surrogate.Model!.Transform(ml.Data.LoadFromEnumerable(
            history.Select(h => new SurrogateProbe { Features = h.p.Select(x => (float)x).ToArray() }), schema)), false).ToArray();
        for (var i = 0; i < history.Count; i++)
            Assert.AreEqual(scored[i].Score, surrogate.Predict(history[i].p).Mean, 1e-4);
        Assert.IsTrue(history.Any(h => surrogate.Predict(h.p).StandardDeviation > 0), "the trees never disagree");
    }

    public sealed class SurrogateProbe
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Score { get; set; }
    }

    [TestMethod]
    public void ExpectedImprovementMatchesTheClosedForm()
    {
        // EI(μ=1, σ=2, best=0.5): gap −0.5, z −0.25; −0.5·Φ(−0.25) + 2·φ(−0.25) (scipy: 0.5960... from norm).
        var expected = -0.5 * 0.4012936743170763 + 2 * 0.38666811680284924;
        Assert.AreEqual(expected, SmacTuner.ExpectedImprovement(1, 2, 0.5), 1e-6);
        Assert.AreEqual(0.3, SmacTuner.ExpectedImprovement(0.2, 0, 0.5), 1e-12);
        Assert.AreEqual(0, SmacTuner.ExpectedImprovement(0.7, 0, 0.5), 1e-12);
    }
}
