using System.Globalization;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Search;

namespace OsteoML.Export.ModelBuilder;

/// <summary>One trainer option: the ML.NET options property, the tuner's parameter that sets it, and its C# type.</summary>
internal sealed record TrainerOption(string Property, string Parameter, Type Type);

/// <summary>
/// How one <see cref="TrainerCatalog"/> family is written as ML.NET code in a Model Builder training file: the same
/// trainer and options as the catalogue builds (a test fits both and compares), Model Builder's name for it, whether it
/// normalises <c>Features</c> in front, and the NuGet package it needs.
/// </summary>
internal sealed record TrainerCode(string Family, HeadTask Task, string ModelBuilderName, string OptionsType, string Package,
    bool Normalizes, IReadOnlyList<TrainerOption> Options, string Extra = "")
{
    public const string MlPackage = "Microsoft.ML", FastTreePackage = "Microsoft.ML.FastTree", LightGbmPackage = "Microsoft.ML.LightGbm";

    public static IReadOnlyList<TrainerCode> All { get; } =
    [
        new("FastTree", HeadTask.BmdRegression, "FastTreeRegression", "FastTreeRegressionTrainer.Options", FastTreePackage, false, BoostedTrees()),
        new("FastForest", HeadTask.BmdRegression, "FastForestRegression", "FastForestRegressionTrainer.Options", FastTreePackage, false,
            [Int("NumberOfTrees", "trees"), Int("NumberOfLeaves", "leaves"), Int("MinimumExampleCountPerLeaf", "minLeaf"), Double("FeatureFraction", "featureFraction")]),
        new("LightGbm", HeadTask.BmdRegression, "LightGbmRegression", "LightGbmRegressionTrainer.Options", LightGbmPackage, false, LightGbm(), "Silent = true"),
        new("Sdca", HeadTask.BmdRegression, "SdcaRegression", "SdcaRegressionTrainer.Options", MlPackage, true, Linear(), "NumberOfThreads = 1"),
        new("Gam", HeadTask.BmdRegression, "GamRegression", "GamRegressionTrainer.Options", FastTreePackage, false,
            [Int("NumberOfIterations", "iterations"), Double("LearningRate", "learningRate"), Int("MaximumBinCountPerFeature", "maxBins")]),
        new("LbfgsPoisson", HeadTask.BmdRegression, "LbfgsPoissonRegressionRegression", "LbfgsPoissonRegressionTrainer.Options", MlPackage, true, Linear()),
        new("LightGbm", HeadTask.ClassMulticlass, "LightGbmMulti", "LightGbmMulticlassTrainer.Options", LightGbmPackage, false, LightGbm(), "Silent = true"),
        new("SdcaMaximumEntropy", HeadTask.ClassMulticlass, "SdcaMaximumEntropyMulti", "SdcaMaximumEntropyMulticlassTrainer.Options", MlPackage, true, Linear(), "NumberOfThreads = 1"),
        new("LbfgsMaximumEntropy", HeadTask.ClassMulticlass, "LbfgsMaximumEntropyMulti", "LbfgsMaximumEntropyMulticlassTrainer.Options", MlPackage, true, Linear()),
        new("OneVersusAllFastTree", HeadTask.ClassMulticlass, "FastTreeOva", "FastTreeBinaryTrainer.Options", FastTreePackage, false, BoostedTrees()),
    ];

    /// <summary>The namespace of the trainer's options type.</summary>
    public string Namespace => Package switch
    {
        FastTreePackage => "Microsoft.ML.Trainers.FastTree",
        LightGbmPackage => "Microsoft.ML.Trainers.LightGbm",
        _ => "Microsoft.ML.Trainers",
    };

    public static TrainerCode For(TrainerFamily family) =>
        All.FirstOrDefault(c => c.Family == family.Name && c.Task == family.Task)
        ?? throw new NotSupportedException($"trainer {family.Name} ({family.Task}) has no Model Builder code template; the export knows {string.Join(", ", All.Where(c => c.Task == family.Task).Select(c => c.Family))}.");

    /// <summary>The ML.NET options as Model Builder's trial parameters: property → value, plus the label and feature columns.</summary>
    public IReadOnlyDictionary<string, object> ParameterValues(ParameterSet parameters, string label, string features)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var option in Options) values[option.Property] = Value(option, parameters);
        values["LabelColumnName"] = label;
        values["FeatureColumnName"] = features;
        return values;
    }

    /// <summary>The estimator as C# (after <c>mlContext.</c>), e.g. <c>Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options(){…})</c>.</summary>
    public string Estimator(ParameterSet parameters, string label, string features)
    {
        var assignments = Options.Where(o => !o.Property.StartsWith("Booster.", StringComparison.Ordinal))
            .Select(o => $"{o.Property} = {Literal(Value(o, parameters))}").ToList();
        var booster = Options.Where(o => o.Property.StartsWith("Booster.", StringComparison.Ordinal))
            .Select(o => $"{o.Property["Booster.".Length..]} = {Literal(Value(o, parameters))}").ToList();
        if (booster.Count > 0) assignments.Add($"Booster = new GradientBooster.Options() {{ {string.Join(", ", booster)} }}");
        if (Extra.Length > 0) assignments.Add(Extra);
        assignments.Add($"LabelColumnName = @\"{label}\"");
        assignments.Add($"FeatureColumnName = @\"{features}\"");
        var options = $"new {OptionsType}() {{ {string.Join(", ", assignments)} }}";
        return (Family, Task) switch
        {
            ("OneVersusAllFastTree", _) => $"MulticlassClassification.Trainers.OneVersusAll(binaryEstimator: mlContext.BinaryClassification.Trainers.FastTree({options}), labelColumnName: @\"{label}\")",
            ("LbfgsPoisson", _) => $"Regression.Trainers.LbfgsPoissonRegression({options})",
            (_, HeadTask.BmdRegression) => $"Regression.Trainers.{Family}({options})",
            _ => $"MulticlassClassification.Trainers.{Family}({options})",
        };
    }

    private static object Value(TrainerOption option, ParameterSet parameters) =>
        option.Type == typeof(int) ? parameters.GetInt(option.Parameter)
        : option.Type == typeof(float) ? (object)parameters.GetSingle(option.Parameter)
        : parameters.GetDouble(option.Parameter);

    /// <summary>A C# literal that round-trips the value exactly.</summary>
    public static string Literal(object value) => value switch
    {
        int i => i.ToString(CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "F",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + "D",
        bool b => b ? "true" : "false",
        _ => $"@\"{Convert.ToString(value, CultureInfo.InvariantCulture)!.Replace("\"", "\"\"")}\"",
    };

    // Mirrors of TrainerCatalog's option mappings (its BoostedTrees, LightGbmOptions and linear spaces).
    private static TrainerOption Int(string property, string parameter) => new(property, parameter, typeof(int));
    private static TrainerOption Double(string property, string parameter) => new(property, parameter, typeof(double));
    private static TrainerOption Single(string property, string parameter) => new(property, parameter, typeof(float));

    private static IReadOnlyList<TrainerOption> BoostedTrees() =>
        [Int("NumberOfTrees", "trees"), Int("NumberOfLeaves", "leaves"), Int("MinimumExampleCountPerLeaf", "minLeaf"), Double("LearningRate", "learningRate"), Double("FeatureFraction", "featureFraction")];

    private static IReadOnlyList<TrainerOption> LightGbm() =>
        [Int("NumberOfIterations", "trees"), Int("NumberOfLeaves", "leaves"), Int("MinimumExampleCountPerLeaf", "minLeaf"), Double("LearningRate", "learningRate"),
         Double("Booster.FeatureFraction", "featureFraction"), Double("Booster.L2Regularization", "l2")];

    private static IReadOnlyList<TrainerOption> Linear() => [Single("L1Regularization", "l1"), Single("L2Regularization", "l2")];
}
