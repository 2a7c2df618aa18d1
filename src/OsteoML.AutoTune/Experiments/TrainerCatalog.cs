using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using OsteoML.AutoTune.Search;

namespace OsteoML.AutoTune.Experiments;

/// <summary>
/// The trainers the tuner searches, with their search spaces. Ranges follow ML.NET AutoML's own spaces, narrowed
/// to what a feature table of a few thousand rows can use; each start point is the cheap end for sizes (trees,
/// leaves, iterations) and ML.NET's default otherwise, as the cost-frugal search expects. Linear trainers get a
/// mean–variance normalisation in front, and SDCA runs single-threaded (its multi-threaded updates race, so
/// results would differ run to run).
/// </summary>
public static class TrainerCatalog
{
    public static IReadOnlyList<TrainerFamily> Regression { get; } =
    [
        new("FastTree", HeadTask.BmdRegression, TreeSpace(), (ml, p, label, features) =>
            ml.Regression.Trainers.FastTree(BoostedTrees(new FastTreeRegressionTrainer.Options(), p, label, features))),
        new("FastForest", HeadTask.BmdRegression, ForestSpace(), (ml, p, label, features) =>
            ml.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features,
                NumberOfTrees = p.GetInt("trees"), NumberOfLeaves = p.GetInt("leaves"),
                MinimumExampleCountPerLeaf = p.GetInt("minLeaf"), FeatureFraction = p.GetDouble("featureFraction"),
            })),
        new("LightGbm", HeadTask.BmdRegression, LightGbmSpace(), (ml, p, label, features) =>
            ml.Regression.Trainers.LightGbm(LightGbmOptions<LightGbmRegressionTrainer.Options, float,
                RegressionPredictionTransformer<LightGbmRegressionModelParameters>, LightGbmRegressionModelParameters>(p, label, features))),
        new("Sdca", HeadTask.BmdRegression, LinearSpace(), (ml, p, label, features) =>
            ml.Transforms.NormalizeMeanVariance(features).Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features,
                L1Regularization = p.GetSingle("l1"), L2Regularization = p.GetSingle("l2"), NumberOfThreads = 1,
            }))),
        new("Gam", HeadTask.BmdRegression, new SearchSpace(
                SearchParameter.Int("iterations", 50, 5000, start: 50, log: true),
                SearchParameter.Float("learningRate", 1e-3, 0.2, start: 0.002, log: true),
                SearchParameter.Int("maxBins", 16, 255, start: 255, log: true)),
            (ml, p, label, features) => ml.Regression.Trainers.Gam(new GamRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features,
                NumberOfIterations = p.GetInt("iterations"), LearningRate = p.GetDouble("learningRate"),
                MaximumBinCountPerFeature = p.GetInt("maxBins"),
            })),
        new("LbfgsPoisson", HeadTask.BmdRegression, LinearSpace(), (ml, p, label, features) =>
            // BMD is positive and its spread grows with its mean: a log-link model is a fair linear alternative.
            ml.Transforms.NormalizeMeanVariance(features).Append(ml.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features,
                L1Regularization = p.GetSingle("l1"), L2Regularization = p.GetSingle("l2"),
            }))),
    ];

    public static IReadOnlyList<TrainerFamily> Multiclass { get; } =
    [
        new("LightGbm", HeadTask.ClassMulticlass, LightGbmSpace(), (ml, p, label, features) =>
            ml.MulticlassClassification.Trainers.LightGbm(LightGbmOptions<LightGbmMulticlassTrainer.Options, VBuffer<float>,
                MulticlassPredictionTransformer<OneVersusAllModelParameters>, OneVersusAllModelParameters>(p, label, features))),
        new("SdcaMaximumEntropy", HeadTask.ClassMulticlass, LinearSpace(), (ml, p, label, features) =>
            ml.Transforms.NormalizeMeanVariance(features).Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features,
                L1Regularization = p.GetSingle("l1"), L2Regularization = p.GetSingle("l2"), NumberOfThreads = 1,
            }))),
        new("LbfgsMaximumEntropy", HeadTask.ClassMulticlass, LinearSpace(), (ml, p, label, features) =>
            ml.Transforms.NormalizeMeanVariance(features).Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features,
                L1Regularization = p.GetSingle("l1"), L2Regularization = p.GetSingle("l2"),
            }))),
        new("OneVersusAllFastTree", HeadTask.ClassMulticlass, TreeSpace(), (ml, p, label, features) =>
            ml.MulticlassClassification.Trainers.OneVersusAll(
                ml.BinaryClassification.Trainers.FastTree(BoostedTrees(new FastTreeBinaryTrainer.Options(), p, label, features)),
                labelColumnName: label)),
    ];

    public static IReadOnlyList<TrainerFamily> For(HeadTask task) => task == HeadTask.BmdRegression ? Regression : Multiclass;

    /// <summary>Families by name (case-insensitive), e.g. from <c>--trainers FastTree,LightGbm</c>.</summary>
    public static IReadOnlyList<TrainerFamily> Select(HeadTask task, IEnumerable<string> names)
    {
        var all = For(task);
        return names.Select(n => all.FirstOrDefault(f => string.Equals(f.Name, n.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown {task} trainer '{n}': expected one of {string.Join(", ", all.Select(f => f.Name))}.")).ToArray();
    }

    /// <summary>The boosted-tree knobs shared by FastTree's regression and binary trainers.</summary>
    private static T BoostedTrees<T>(T options, ParameterSet p, string label, string features) where T : BoostedTreeOptions
    {
        options.LabelColumnName = label;
        options.FeatureColumnName = features;
        options.NumberOfTrees = p.GetInt("trees");
        options.NumberOfLeaves = p.GetInt("leaves");
        options.MinimumExampleCountPerLeaf = p.GetInt("minLeaf");
        options.LearningRate = p.GetDouble("learningRate");
        options.FeatureFraction = p.GetDouble("featureFraction");
        return options;
    }

    /// <summary>LightGBM's options for either task (they share a generic base; the seed comes from the MLContext).</summary>
    private static TOptions LightGbmOptions<TOptions, TOutput, TTransformer, TModel>(ParameterSet p, string label, string features)
        where TOptions : LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class => new()
    {
        LabelColumnName = label,
        FeatureColumnName = features,
        NumberOfIterations = p.GetInt("trees"),
        NumberOfLeaves = p.GetInt("leaves"),
        MinimumExampleCountPerLeaf = p.GetInt("minLeaf"),
        LearningRate = p.GetDouble("learningRate"),
        Booster = new GradientBooster.Options { FeatureFraction = p.GetDouble("featureFraction"), L2Regularization = p.GetDouble("l2") },
        Silent = true,
    };

    // Boosted trees: ML.NET defaults are 100 trees, 20 leaves, 10 per leaf, rate 0.2 (FastTree) / 0.1 (LightGbm).
    private static SearchSpace TreeSpace() => new(
        SearchParameter.Int("trees", 4, 1000, start: 4, log: true),
        SearchParameter.Int("leaves", 4, 128, start: 4, log: true),
        SearchParameter.Int("minLeaf", 2, 64, start: 10, log: true),
        SearchParameter.Float("learningRate", 0.005, 1, start: 0.2, log: true),
        SearchParameter.Float("featureFraction", 0.3, 1, start: 1));

    private static SearchSpace ForestSpace() => new(
        SearchParameter.Int("trees", 4, 500, start: 4, log: true),
        SearchParameter.Int("leaves", 4, 128, start: 4, log: true),
        SearchParameter.Int("minLeaf", 2, 64, start: 10, log: true),
        SearchParameter.Float("featureFraction", 0.3, 1, start: 0.7));

    private static SearchSpace LightGbmSpace() => new(
        SearchParameter.Int("trees", 4, 1000, start: 4, log: true),
        SearchParameter.Int("leaves", 4, 128, start: 4, log: true),
        SearchParameter.Int("minLeaf", 2, 64, start: 20, log: true),
        SearchParameter.Float("learningRate", 0.005, 1, start: 0.1, log: true),
        SearchParameter.Float("featureFraction", 0.3, 1, start: 1),
        SearchParameter.Float("l2", 1e-3, 10, start: 0.01, log: true));

    private static SearchSpace LinearSpace() => new(
        SearchParameter.Float("l1", 1e-6, 1, start: 1e-6, log: true),
        SearchParameter.Float("l2", 1e-3, 10, start: 0.1, log: true)); // below 1e-3 SDCA crawls for many epochs
}
