using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML;
using OsteoML.AutoTune.Search;
using OsteoML.Evaluation;

namespace OsteoML.AutoTune.Tuners;

/// <summary>
/// Sequential model-based optimisation in the style of SMAC (Hutter, Hoos, Leyton-Brown; LION 2011): a random
/// forest (ML.NET's FastForest) is fitted to the observed (point, loss) pairs; its mean and the spread of the
/// individual trees' predictions give a Gaussian belief about the loss at any point, and the next proposal
/// maximises expected improvement over the best loss so far: among random candidates and perturbations of the
/// best points, followed by a short stochastic hill-climb of EI from the ten most promising. The forest models
/// log(loss − best + ε), since losses span orders of magnitude. The first <see cref="InitialRandomTrials"/> proposals, and every fifth one after them, are
/// uniform random points so the forest never starves of exploration.
/// </summary>
public sealed class SmacTuner : ITuner
{
    private const int RandomCandidates = 1000;
    private const int LocalSeeds = 5;
    private const int LocalCandidatesPerSeed = 50;
    private const int RandomEvery = 5;

    private readonly Random _random;
    private readonly MLContext _ml;
    private readonly List<(double[] Point, double Loss)> _history = [];
    private int _next;

    public SmacTuner(SearchSpace space, int seed, int? initialRandomTrials = null, int numberOfTrees = 10)
    {
        Space = space;
        _random = new Random(seed);
        _ml = new MLContext(seed);
        InitialRandomTrials = initialRandomTrials ?? Math.Max(5, 2 * space.Dimension);
        NumberOfTrees = numberOfTrees;
    }

    public SearchSpace Space { get; }
    public int InitialRandomTrials { get; }
    public int NumberOfTrees { get; }

    public Proposal Propose()
    {
        var finite = _history.Count(h => double.IsFinite(h.Loss));
        var modelBased = _next >= InitialRandomTrials && finite >= 3 && (_next - InitialRandomTrials) % RandomEvery != RandomEvery - 1;
        var point = modelBased ? MaximiseExpectedImprovement() : RandomPoint();
        return new Proposal(_next++, point, Space.Decode(point));
    }

    public void Update(Observation observation) =>
        _history.Add((observation.Proposal.Point, Tuner.Sanitise(observation.Loss)));

    private double[] MaximiseExpectedImprovement()
    {
        // The forest models log(loss − best + ε): losses span orders of magnitude (a bad trial can be 100× the
        // best), and on the raw scale the few large values dominate every split near the optimum.
        var finite = _history.Where(h => double.IsFinite(h.Loss)).Select(h => h.Loss).ToArray();
        var (bestLoss, worstLoss) = (finite.Min(), finite.Max());
        var epsilon = 1e-3 * (worstLoss - bestLoss) + 1e-12;
        var transformed = _history.Select(h => (h.Point, double.IsFinite(h.Loss) ? Math.Log(h.Loss - bestLoss + epsilon) : double.NaN)).ToList();
        var surrogate = ForestSurrogate.Fit(_ml, transformed, Space.Dimension, NumberOfTrees);
        var best = Math.Log(epsilon);

        var candidates = new List<double[]>(RandomCandidates + LocalSeeds * LocalCandidatesPerSeed);
        for (var i = 0; i < RandomCandidates; i++) candidates.Add(RandomPoint());
        foreach (var (seed, _) in _history.OrderBy(h => h.Loss).Take(LocalSeeds))
        {
            for (var i = 0; i < LocalCandidatesPerSeed; i++)
            {
                var scale = i % 2 == 0 ? 0.02 : 0.1;
                candidates.Add(seed.Select(x => SearchParameter.ClampUnit(x + scale * Gaussian.Sample(_random))).ToArray());
            }
        }

        // Score every candidate, then hill-climb EI from the ten best with shrinking Gaussian steps.
        double Score(double[] x)
        {
            var (mean, sd) = surrogate.Predict(x);
            return ExpectedImprovement(mean, sd, best);
        }
        var climbers = candidates.Select(c => (Point: c, Ei: Score(c))).OrderByDescending(c => c.Ei).Take(10).ToArray();
        for (var i = 0; i < climbers.Length; i++)
        {
            foreach (var scale in (double[])[0.05, 0.02, 0.01, 0.005])
            {
                for (var j = 0; j < 20; j++)
                {
                    var neighbour = climbers[i].Point.Select(x => SearchParameter.ClampUnit(x + scale * Gaussian.Sample(_random))).ToArray();
                    var ei = Score(neighbour);
                    if (ei > climbers[i].Ei) climbers[i] = (neighbour, ei);
                }
            }
        }
        return climbers.MaxBy(c => c.Ei).Point;
    }

    /// <summary>EI for minimisation: E[max(best − L, 0)] with L ~ N(mean, sd²); the mean gap when sd is 0.</summary>
    internal static double ExpectedImprovement(double mean, double sd, double best)
    {
        var gap = best - mean;
        if (sd <= 1e-12) return Math.Max(gap, 0);
        var z = gap / sd;
        return gap * Gaussian.Cdf(z) + sd * Gaussian.Density(z);
    }

    private double[] RandomPoint()
    {
        var p = new double[Space.Dimension];
        for (var i = 0; i < p.Length; i++) p[i] = _random.NextDouble();
        return p;
    }
}

/// <summary>
/// A FastForest fitted to (point, loss) pairs whose trees are walked one by one, so that the mean and the spread
/// of the individual trees' predictions are both available (ML.NET's prediction API only gives the mean).
/// </summary>
internal sealed class ForestSurrogate
{
    private readonly IReadOnlyList<RegressionTreeBase> _trees;
    private readonly IReadOnlyList<double> _weights;
    private readonly double _bias;

    private ForestSurrogate(TreeEnsemble<QuantileRegressionTree> ensemble)
    {
        (_trees, _weights, _bias) = (ensemble.Trees, ensemble.TreeWeights, ensemble.Bias);
    }

    /// <summary>The fitted ML.NET model (its Score is the forest mean the tests compare against).</summary>
    internal RegressionPredictionTransformer<FastForestRegressionModelParameters>? Model { get; private init; }

    public static ForestSurrogate Fit(MLContext ml, IReadOnlyList<(double[] Point, double Loss)> history, int dimension, int numberOfTrees)
    {
        var worst = history.Where(h => double.IsFinite(h.Loss)).Max(h => h.Loss);
        var rows = history.Select(h => new SurrogateRow
        {
            Features = h.Point.Select(x => (float)x).ToArray(),
            Label = (float)(double.IsFinite(h.Loss) ? h.Loss : worst),
        });
        var schema = SchemaDefinition.Create(typeof(SurrogateRow));
        schema[nameof(SurrogateRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
        {
            NumberOfTrees = numberOfTrees,
            NumberOfLeaves = 20,
            MinimumExampleCountPerLeaf = 2,
            NumberOfThreads = 1,
            FeatureFraction = 1.0,
        });
        var model = trainer.Fit(data);
        return new ForestSurrogate(model.Model.TrainedTreeEnsemble) { Model = model };
    }

    /// <summary>
    /// The forest predicts the average of its trees' weighted outputs, so tree i on its own predicts
    /// <c>bias + wᵢ·leafᵢ(x)</c> (checked against ML.NET's Score in the tests).
    /// </summary>
    public (double Mean, double StandardDeviation) Predict(IReadOnlyList<double> point)
    {
        var n = _trees.Count;
        Span<double> outputs = stackalloc double[n];
        for (var i = 0; i < n; i++) outputs[i] = _bias + _weights[i] * TreeOutput(_trees[i], point);
        double mean = 0;
        foreach (var o in outputs) mean += o;
        mean /= n;
        double variance = 0;
        foreach (var o in outputs) variance += (o - mean) * (o - mean);
        return (mean, n > 1 ? Math.Sqrt(variance / (n - 1)) : 0);
    }

    private static double TreeOutput(RegressionTreeBase tree, IReadOnlyList<double> point)
    {
        if (tree.NumberOfNodes == 0) return tree.LeafValues[0];
        var node = 0;
        while (true)
        {
            var feature = tree.NumericalSplitFeatureIndexes[node];
            var next = (float)point[feature] <= tree.NumericalSplitThresholds[node] ? tree.LeftChild[node] : tree.RightChild[node];
            if (next < 0) return tree.LeafValues[~next];
            node = next;
        }
    }

    private sealed class SurrogateRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
