using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using OsteoML.AutoTune.Experiments;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Pipelines.Heads;

namespace OsteoML.Export.ModelBuilder;

/// <summary>What <see cref="ModelBuilderExporter"/> writes and how.</summary>
public sealed record ModelBuilderOptions
{
    /// <summary>Prefix of the two models' class and file names: <c>&lt;Name&gt;Bmd</c> and <c>&lt;Name&gt;Class</c>.</summary>
    public string Name { get; init; } = "OsteoML";

    public string Namespace { get; init; } = "OsteoML.Exported";

    /// <summary>
    /// The feature table the heads were trained on, written as the Model Builder data source
    /// (<c>&lt;Name&gt;.training-data.csv</c>) that <c>Train</c>/<c>RetrainModel</c> read; null writes no data file
    /// (the .mbconfig and training code still name it).
    /// </summary>
    public IReadOnlyList<ScreeningHeads.FeatureRow>? TrainingRows { get; init; }
}

/// <summary>One model's four files.</summary>
public sealed record ModelBuilderModel(string ClassName, string Scenario, string MbConfig, string MlNet, string Consumption, string Training);

/// <summary>The file set: the BMD regressor, the ACR classifier, the data file (when written), the NuGet packages a project needs, a README.</summary>
public sealed record ModelBuilderFileSet(string Directory, ModelBuilderModel Bmd, ModelBuilderModel Class, string DataFile, bool DataWritten,
    IReadOnlyList<string> Packages, string Readme);

/// <summary>
/// Writes a bundle's heads as two ML.NET Model Builder models over the feature table — <c>&lt;Name&gt;Bmd</c>
/// (regression, mg/cm³) and <c>&lt;Name&gt;Class</c> (three ACR classes) — each as <c>.mbconfig</c> (version 4, our
/// tuner's trials in the run history), <c>.mlnet</c> (the bundle's own fitted transformers behind a Model Builder
/// input schema, so predictions are the bundle's), <c>.consumption.cs</c> and <c>.training.cs</c>.
/// </summary>
public static class ModelBuilderExporter
{
    public const string Features = "Features", PredictedLabel = "PredictedLabel";

    public static ModelBuilderFileSet Export(BundleHeads heads, string directory, ModelBuilderOptions? options = null)
    {
        options ??= new ModelBuilderOptions();
        if (!IsIdentifier(options.Name)) throw new ArgumentException($"model name '{options.Name}' is not a C# identifier (letters, digits and _, starting with a letter).");
        if (!options.Namespace.Split('.').All(IsIdentifier)) throw new ArgumentException($"namespace '{options.Namespace}' is not a C# namespace.");
        var bmdCode = TrainerCode.For(heads.Bmd.Family);
        var classCode = TrainerCode.For(heads.Class.Family);
        Directory.CreateDirectory(directory);
        directory = Path.GetFullPath(directory);

        var dataFile = Path.Combine(directory, $"{options.Name}.training-data.csv");
        if (options.TrainingRows is { } rows) FeatureTableCsv.Write(dataFile, heads.Layout, rows);

        var ml = new MLContext(1);
        var input = InputView(ml, heads.Layout);
        var concatenate = ml.Transforms.Concatenate(Features, heads.Layout.SlotNames.ToArray()).Fit(input);

        var bmd = Write(ml, directory, new GeneratedModel(options.Namespace, options.Name + "Bmd", false, FeatureTableCsv.BmdColumn, heads.Layout,
                PreparationSteps(carriedBmdNormalization: false, bmdCode.Normalizes), bmdCode.Estimator(heads.Bmd.Parameters, FeatureTableCsv.BmdColumn, Features), bmdCode.Namespace, dataFile),
            "Regression", BundleHeads.Chain([concatenate, heads.BmdHead]), input,
            MbConfigFor(heads, HeadTask.BmdRegression, bmdCode, null, dataFile, Path.Combine(directory, options.Name + "Bmd.mlnet")));

        var toKey = ml.Transforms.Conversion.MapValueToKey(FeatureTableCsv.ClassColumn, FeatureTableCsv.ClassColumn, keyData: ClassKeys(ml)).Fit(input);
        var classModel = BundleHeads.Chain([concatenate, toKey, heads.ClassHead]);
        classModel = BundleHeads.Chain([classModel, PredictedLabelAsText(ml, classModel.Transform(input))]);
        var classSteps = new List<string> { KeyStep };
        classSteps.AddRange(PreparationSteps(carriedBmdNormalization: bmdCode.Normalizes, classCode.Normalizes));
        var classFiles = Write(ml, directory, new GeneratedModel(options.Namespace, options.Name + "Class", true, FeatureTableCsv.ClassColumn, heads.Layout,
                classSteps, classCode.Estimator(heads.Class.Parameters, FeatureTableCsv.ClassColumn, Features), classCode.Namespace, dataFile),
            "Classification", classModel, input,
            MbConfigFor(heads, HeadTask.ClassMulticlass, classCode, bmdCode, dataFile, Path.Combine(directory, options.Name + "Class.mlnet")));

        var packages = new[] { TrainerCode.MlPackage, bmdCode.Package, classCode.Package }.Distinct().Select(PackageWithVersion).ToArray();
        var readme = Path.Combine(directory, "README.md");
        File.WriteAllText(readme, Readme(heads, options, bmd, classFiles, packages, options.TrainingRows is not null ? dataFile : null));
        return new ModelBuilderFileSet(directory, bmd, classFiles, dataFile, options.TrainingRows is not null, packages, readme);
    }

    /// <summary>An empty view with the feature table's columns: what the .mlnet models are saved against (Model Builder's ModelInput).</summary>
    internal static IDataView InputView(MLContext ml, FeatureLayout layout)
    {
        var header = FeatureTableCsv.Header(layout);
        var columns = header.Select((name, i) => new TextLoader.Column(name, name == FeatureTableCsv.ClassColumn ? DataKind.String : DataKind.Single, i)).ToArray();
        return ml.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true).Load(new MultiFileSource(null));
    }

    private static IDataView ClassKeys(MLContext ml) => ml.Data.LoadFromEnumerable(AcrClasses.Names.Select(n => new ClassName { Value = n }).ToArray());

    /// <summary>
    /// The class head's <c>PredictedLabel</c> as text. It is a key without names (the heads were trained on a key column
    /// of the three classes), so MapKeyToValue cannot name it: the key's index is mapped to the class name instead.
    /// </summary>
    private static ITransformer PredictedLabelAsText(MLContext ml, IDataView scored)
    {
        var names = AcrClasses.Names.Select((name, i) => new KeyValuePair<uint, string>((uint)i + 1, name));
        return ml.Transforms.Conversion.ConvertType(PredictedLabel, PredictedLabel, DataKind.UInt32)
            .Append(ml.Transforms.Conversion.MapValue(PredictedLabel, names, PredictedLabel))
            .Fit(scored);
    }

    private const string KeyStep = "mlContext.Transforms.Conversion.MapValueToKey(outputColumnName: @\"class\", inputColumnName: @\"class\", keyData: mlContext.Data.LoadFromEnumerable(ClassNames.Select(c => new ClassName { Value = c })))";

    /// <summary>
    /// ScreeningHeads' preparation (missing values, normalisation); for the class head the BMD head's own normalisation
    /// when it has one (the heads are fitted in one chain, so the class head saw Features after it); the trainer's own.
    /// </summary>
    private static List<string> PreparationSteps(bool carriedBmdNormalization, bool ownNormalization)
    {
        const string normalize = "mlContext.Transforms.NormalizeMeanVariance(@\"Features\", @\"Features\")";
        var steps = new List<string> { "mlContext.Transforms.ReplaceMissingValues(@\"Features\", @\"Features\", replacementMode: Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean)", normalize };
        if (carriedBmdNormalization) steps.Add(normalize + " /* the BMD head's own: the class head was fitted after it */");
        if (ownNormalization) steps.Add(normalize);
        return steps;
    }

    private static ModelBuilderModel Write(MLContext ml, string directory, GeneratedModel model, string scenario, ITransformer fitted, IDataView input, MbConfig config)
    {
        string Named(string suffix) => Path.Combine(directory, model.ClassName + suffix);
        var mlnet = Named(".mlnet");
        AtomicFile.Write(mlnet, stream => ml.Model.Save(fitted, input.Schema, stream));
        File.WriteAllText(Named(".mbconfig"), config.ToJson() + "\n");
        File.WriteAllText(Named(".consumption.cs"), ModelBuilderCode.Consumption(model));
        File.WriteAllText(Named(".training.cs"), ModelBuilderCode.Training(model));
        return new ModelBuilderModel(model.ClassName, scenario, Named(".mbconfig"), mlnet, Named(".consumption.cs"), Named(".training.cs"));
    }

    private static MbConfig MbConfigFor(BundleHeads heads, HeadTask task, TrainerCode code, TrainerCode? bmdCode, string dataFile, string modelFile)
    {
        var classifier = task == HeadTask.ClassMulticlass;
        var label = classifier ? FeatureTableCsv.ClassColumn : FeatureTableCsv.BmdColumn;
        var metric = MbConfig.MetricName(task);
        var columns = heads.Layout.SlotNames.Select(n => new MbColumn(n, "Feature", "Single", false))
            .Append(new MbColumn(FeatureTableCsv.BmdColumn, classifier ? "Ignore" : "Label", "Single", false))
            .Append(new MbColumn(FeatureTableCsv.ClassColumn, classifier ? "Label" : "Ignore", "String", true)).ToArray();

        // Estimator ids: the fixed front of the pipeline, the trainer-specific normalisation, one id per trainer family.
        var estimators = new Dictionary<string, string>();
        string Add(string estimator) { var id = $"e{estimators.Count}"; estimators[id] = estimator; return id; }
        var front = new List<string> { Add("Concatenate") };
        if (classifier) front.Add(Add("MapValueToKey"));
        front.Add(Add("ReplaceMissingValues"));
        front.Add(Add("NormalizeMeanVariance"));
        if (bmdCode is { Normalizes: true }) front.Add(Add("NormalizeMeanVariance"));
        var ownNormalization = Add("NormalizeMeanVariance");
        var families = TrainerCode.All.Where(c => c.Task == task).ToDictionary(c => c.Family, c => (Code: c, Id: Add(c.ModelBuilderName)));
        var toValue = classifier ? Add("MapKeyToValue") : null;
        string Route(TrainerCode c) => c.Normalizes ? $"{ownNormalization} * {families[c.Family].Id}" : families[c.Family].Id;
        var alternatives = $"({string.Join(" + ", families.Values.Select(f => Route(f.Code)))})";
        var schema = string.Join(" * ", front.Append(alternatives).Concat(toValue is null ? [] : [toValue]));

        var slots = heads.Layout.SlotNames.ToArray();
        var inPlace = new Dictionary<string, object> { ["OutputColumnNames"] = new[] { Features }, ["InputColumnNames"] = new[] { Features } };
        var trials = (classifier ? heads.ClassTrials : heads.BmdTrials).Select(t =>
        {
            var family = families[t.Family];
            var parameter = new Dictionary<string, object>();
            var path = front.Concat(family.Code.Normalizes ? [ownNormalization] : []).Append(family.Id).Concat(toValue is null ? [] : [toValue]).ToList();
            parameter["_SCHEMA_"] = string.Join(" * ", path);
            foreach (var id in path)
                parameter[id] = estimators[id] switch
                {
                    "Concatenate" => new Dictionary<string, object> { ["InputColumnNames"] = slots, ["OutputColumnName"] = Features },
                    "MapValueToKey" => new Dictionary<string, object> { ["OutputColumnName"] = label, ["InputColumnName"] = label, ["KeyData"] = AcrClasses.Names },
                    "MapKeyToValue" => new Dictionary<string, object> { ["OutputColumnName"] = PredictedLabel, ["InputColumnName"] = PredictedLabel },
                    "ReplaceMissingValues" or "NormalizeMeanVariance" => inPlace,
                    _ => family.Code.ParameterValues(t.Parameters, label, Features),
                };
            var score = t.Evaluation.TryGetValue(metric, out var value) && double.IsFinite(value) ? value : (double?)null;
            return new MbTrial(family.Code.ModelBuilderName, score, Math.Round(t.Seconds, 3), parameter);
        }).ToArray();

        var trainingTime = (int)Math.Ceiling((classifier ? heads.ClassTrials : heads.BmdTrials).Sum(t => t.Seconds));
        return new MbConfig(classifier ? "Classification" : "Regression",
            new MbDataSource(dataFile, ",", ".", true, columns),
            new MbEnvironment(),
            new MbRunHistory(trials, estimators, schema, metric, modelFile),
            new MbTrainingOption(classifier ? "ClassificationTrainingOption" : "RegressionTrainingOption", trainingTime, label, new MbValidationOption(5)));
    }

    private static string PackageWithVersion(string package)
    {
        var assembly = package switch
        {
            TrainerCode.FastTreePackage => typeof(FastTreeRegressionTrainer).Assembly,
            TrainerCode.LightGbmPackage => typeof(LightGbmRegressionTrainer).Assembly,
            _ => typeof(MLContext).Assembly,
        };
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version!.ToString(3);
        return $"{package} {version}";
    }

    private static string Readme(BundleHeads heads, ModelBuilderOptions options, ModelBuilderModel bmd, ModelBuilderModel @class, IReadOnlyList<string> packages, string? dataFile)
    {
        var text = new StringBuilder();
        text.Append($"# {options.Name}: Model Builder files of the OsteoML bundle '{heads.Name}'\n\n");
        text.Append("Two ML.NET models over the OsteoML feature table (one row per CT study: ")
            .Append(string.Join(", ", heads.Layout.Parts.Select(p => $"{p.Column} ({p.Length})"))).Append($"; {heads.Layout.Length} values):\n\n");
        text.Append($"| model | predicts | trainer |\n|---|---|---|\n");
        text.Append($"| `{bmd.ClassName}` | BMD, mg/cm³ (`Score`) | {heads.Bmd.Family.Name} ({heads.Bmd.Parameters}), {heads.Bmd.Choice} |\n");
        text.Append($"| `{@class.ClassName}` | ACR class (`PredictedLabel`) and probabilities (`Score`: {string.Join(", ", AcrClasses.Names)}) | {heads.Class.Family.Name} ({heads.Class.Parameters}), {heads.Class.Choice} |\n\n");
        text.Append("Each has `.mbconfig` (Model Builder, version 4), `.mlnet` (the model), `.consumption.cs` (`ModelInput`, `ModelOutput`, `Predict`")
            .Append(", and `PredictAllLabels` for the classifier) and `.training.cs` (`BuildPipeline`, `RetrainModel`, `Train`).\n\n");
        text.Append("To use them in a project: add the packages\n\n```\n");
        foreach (var package in packages) text.Append($"dotnet add package {package.Replace(" ", " --version ")}\n");
        text.Append("```\n\ncopy the `.cs` files, and copy the models to the output:\n\n```xml\n<ItemGroup>\n")
            .Append($"  <None Include=\"{bmd.ClassName}.mlnet;{@class.ClassName}.mlnet\" CopyToOutputDirectory=\"PreserveNewest\" />\n</ItemGroup>\n```\n\n");
        text.Append($"```csharp\nvar input = new {options.Namespace}.{bmd.ClassName}.ModelInput {{ /* one feature-table row */ }};\n")
            .Append($"float bmd = {options.Namespace}.{bmd.ClassName}.Predict(input).Score;\n```\n\n");
        text.Append("The feature values come from OsteoML's feature stages (segmentation, ROI measures, DenseNet); `osteoml export onnx` exports those as ONNX models with a JSON of how they chain.\n");
        text.Append(dataFile is null
            ? $"\nNo training data was written (export with `--cohort` to write `{options.Name}.training-data.csv`, which `Train` and the .mbconfig read).\n"
            : $"\nTraining data: `{Path.GetFileName(dataFile)}` (the bundle's training studies).\n");
        return text.ToString();
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && char.IsLetter(name[0]) && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    private sealed class ClassName
    {
        public string Value { get; set; } = "";
    }
}
