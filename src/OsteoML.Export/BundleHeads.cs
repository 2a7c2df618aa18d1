using System.Globalization;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Search;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Export;

/// <summary>A head's trainer: its <see cref="TrainerCatalog"/> family, the hyper-parameters it was fitted with, and how they were chosen.</summary>
public sealed record HeadTrainer(TrainerFamily Family, ParameterSet Parameters, string Choice);

/// <summary>
/// One trial of a head's tuning as the exports report it: the tuning metric (null when undefined or not measured), the
/// loss the tuner minimised, and ML.NET's evaluator metrics of its folds (<see cref="TrialRecord.Evaluation"/>; empty in
/// logs written before they were recorded). A fixed trainer is one trial of status <see cref="TrialStatus.Fixed"/>.
/// </summary>
public sealed record HeadTrial(int Trial, string Family, ParameterSet Parameters, double? Metric, double Loss, double Seconds, TrialStatus Status)
{
    public IReadOnlyDictionary<string, double> Evaluation { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// The trainable end of a bundle's fitted chain, cut from the feature stages: the <c>Concatenate</c> into
/// <c>Features</c>, then — as <c>ScreeningHeads</c> fitted them — missing-value replacement and normalisation, the BMD
/// head (its trainer's own transforms, its predictor, the copy to <c>PredictedBmd</c>) and the class head (the same,
/// copied to <c>ClassProbabilities</c>). The transformers are the bundle's own fitted ones, so anything built from them
/// predicts exactly what the bundle predicts; the trainers and trials say how they were obtained.
/// </summary>
public sealed class BundleHeads
{
    private readonly IReadOnlyList<ITransformer> _leaves;
    private readonly int _bmdPredictor, _classPredictor;

    public BundleHeads(string name, FeatureLayout layout, ITransformer concatenate, ITransformer heads,
        HeadTrainer bmd, HeadTrainer @class, IReadOnlyList<HeadTrial> bmdTrials, IReadOnlyList<HeadTrial> classTrials)
    {
        (Name, Layout, Concatenate, Bmd, Class, BmdTrials, ClassTrials) = (name, layout, concatenate, bmd, @class, bmdTrials, classTrials);
        _leaves = Leaves(heads).ToArray();
        var predictors = Enumerable.Range(0, _leaves.Count).Where(i => _leaves[i] is IPredictionTransformer<object>).ToArray();
        if (predictors.Length != 2 || !Is(_leaves[predictors[0]], typeof(RegressionPredictionTransformer<>))
            || !Is(_leaves[predictors[1]], typeof(MulticlassPredictionTransformer<>)))
            throw new InvalidDataException($"{name}: the heads are not a BMD regressor followed by a 3-class classifier "
                + $"({string.Join(" → ", _leaves.Select(l => l.GetType().Name))}); this exporter does not know that shape.");
        (_bmdPredictor, _classPredictor) = (predictors[0], predictors[1]);
    }

    public string Name { get; }
    public FeatureLayout Layout { get; }

    /// <summary>The fitted <c>Concatenate</c> of the feature stages' columns into <c>Features</c>.</summary>
    public ITransformer Concatenate { get; }

    public HeadTrainer Bmd { get; }
    public HeadTrainer Class { get; }
    public IReadOnlyList<HeadTrial> BmdTrials { get; }
    public IReadOnlyList<HeadTrial> ClassTrials { get; }

    /// <summary>Everything after the concatenation: <c>Features</c> in, <c>PredictedBmd</c> and <c>ClassProbabilities</c> (and each head's <c>Score</c>) out.</summary>
    public ITransformer All => Chain(_leaves);

    /// <summary>The BMD head alone: preparation, its trainer's transforms and predictor (<c>Score</c> = BMD, mg/cm³).</summary>
    public ITransformer BmdHead => Chain(_leaves.Take(_bmdPredictor + 1));

    /// <summary>
    /// The class head alone (<c>Score</c> = probabilities, <c>PredictedLabel</c> a key). It keeps the BMD head's own
    /// transforms (a linear BMD trainer normalises <c>Features</c> in place, and the class head was fitted on that) but
    /// not the BMD predictor or the copies, which the class head does not read.
    /// </summary>
    public ITransformer ClassHead => Chain(_leaves.Take(_bmdPredictor)
        .Concat(_leaves.Skip(_bmdPredictor + 1).Take(_classPredictor - _bmdPredictor).Where(l => l is not ColumnCopyingTransformer)));

    /// <summary>The heads of a trained bundle (its model.zip loaded with the bundle's runtime, so its ONNX models are checked too).</summary>
    public static BundleHeads FromBundle(ModelBundle bundle)
    {
        if (bundle.Definition.IsHuBaseline)
            throw new InvalidDataException($"{bundle.Directory}: a '{bundle.Definition.Name}' bundle has no ML.NET heads (an HU line and fixed thresholds); export a bundle of a pipeline with heads, such as qct-screening.");
        var ml = new MLContext(1);
        using var runtime = bundle.CreateRuntime(cacheDirectory: null);
        var model = bundle.LoadModel(ml, runtime);
        var leaves = Leaves(model).ToList();
        var concatenate = FeaturesEnd(leaves, bundle.Directory);

        var schema = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<StudyRow>()).Schema);
        var layout = FeatureLayout.Of(bundle.Manifest.FeatureColumns.Select(c => (c, schema[c].Type is VectorDataViewType { Size: > 0 } v ? v.Size : 1)));
        if (layout.Length != bundle.Manifest.FeatureLength)
            throw new InvalidDataException($"{bundle.Directory}: the feature columns hold {layout.Length} values, bundle.json says {bundle.Manifest.FeatureLength}.");
        // The stages before the heads (the DenseNet's OnnxTransformer among them) are not kept: dispose them, which
        // deletes the temporary copy of the ONNX file ML.NET wrote when loading model.zip.
        foreach (var leaf in leaves.Take(concatenate).OfType<IDisposable>()) leaf.Dispose();
        var (bmd, bmdTrials) = Trainer(bundle, HeadTask.BmdRegression);
        var (@class, classTrials) = Trainer(bundle, HeadTask.ClassMulticlass);
        return new BundleHeads(bundle.Manifest.Name, layout, leaves[concatenate], Chain(leaves.Skip(concatenate + 1)), bmd, @class, bmdTrials, classTrials);
    }

    /// <summary>A head's trainer: the definition's fixed choice, or the best completed trial of the bundle's tuning log.</summary>
    private static (HeadTrainer, IReadOnlyList<HeadTrial>) Trainer(ModelBundle bundle, HeadTask task)
    {
        var head = task == HeadTask.BmdRegression ? "bmd" : "class";
        var log = Path.Combine(bundle.Directory, $"trials-{head}.csv");
        var trials = File.Exists(log) ? ReadTrials(log, task) : [];
        if (trials.Count == 0 || trials is [{ Status: TrialStatus.Fixed }])
        {
            var choice = (task == HeadTask.BmdRegression ? bundle.Definition.Heads.Bmd : bundle.Definition.Heads.Class)
                ?? throw new InvalidDataException($"{bundle.Directory}: the pipeline definition names no {head} trainer.");
            var fixedTrainer = choice.Build(task);
            // The definition's parameters at full precision (the log keeps 4 significant digits); bundles trained before
            // fixed trainers were cross-validated have no log and no score.
            var trial = trials is [var crossValidated] ? crossValidated with { Parameters = fixedTrainer.Parameters }
                : new HeadTrial(0, fixedTrainer.Family.Name, fixedTrainer.Parameters, null, double.NaN, 0, TrialStatus.Fixed);
            return (new HeadTrainer(fixedTrainer.Family, fixedTrainer.Parameters, "fixed by the pipeline definition"), [trial]);
        }
        // The tuner's own rule (TuningExperiment): the completed trial of least finite loss, the first on ties.
        var best = trials.Where(t => t.Status == TrialStatus.Completed && double.IsFinite(t.Loss)).MinBy(t => t.Loss)
            ?? throw new InvalidDataException($"{log}: no completed trial with a finite loss.");
        var family = TrainerCatalog.Select(task, [best.Family])[0];
        return (new HeadTrainer(family, best.Parameters, $"tuned: trial {best.Trial} of {trials.Count}"), trials);
    }

    /// <summary>trial, family, parameters, metric, metric_sd, loss, seconds, status, error: the columns every tuning log has.</summary>
    private const int FixedTrialColumns = 9;

    /// <summary>Reads a tuning log (<c>TuningResult.ToDataFrame</c> saved as CSV); parameters are typed by their family's search space.</summary>
    internal static IReadOnlyList<HeadTrial> ReadTrials(string path, HeadTask task)
    {
        var columns = File.ReadLines(path).First().Split(',').Length;
        var frame = DataFrame.LoadCsv(path, dataTypes: Enumerable.Repeat(typeof(string), columns).ToArray());
        string Cell(long row, string column) => frame.Columns.IndexOf(column) >= 0
            ? frame[column][row]?.ToString() ?? "" : throw new InvalidDataException($"{path}: no column {column}.");
        var trials = new List<HeadTrial>();
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            var where = $"{path}, row {r + 1}";
            var family = TrainerCatalog.Select(task, [Cell(r, "family")])[0];
            double Number(string column) => double.TryParse(Cell(r, column), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
            var metric = Number("metric");
            if (!Enum.TryParse<TrialStatus>(Cell(r, "status"), ignoreCase: true, out var status))
                throw new InvalidDataException($"{where}: unknown status '{Cell(r, "status")}'.");
            // Columns after the fixed ones are ML.NET's evaluator metrics of the trial (TuningResult.ToDataFrame).
            var evaluation = frame.Columns.Skip(FixedTrialColumns).Select(c => c.Name).ToDictionary(name => name, Number);
            trials.Add(new HeadTrial(int.Parse(Cell(r, "trial"), CultureInfo.InvariantCulture), family.Name, ParseParameters(Cell(r, "parameters"), family, where),
                double.IsFinite(metric) ? metric : null, Number("loss"), Number("seconds"), status) { Evaluation = evaluation });
        }
        return trials;
    }

    /// <summary>"trees=4, learningRate=0.2" → typed values (an int parameter stays an int).</summary>
    internal static ParameterSet ParseParameters(string text, TrainerFamily family, string where)
    {
        var start = family.Space.Decode(family.Space.StartPoint());
        var values = new List<KeyValuePair<string, object>>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || !start.TryGetValue(parts[0], out var example))
                throw new InvalidDataException($"{where}: '{pair}' is not a parameter of {family.Name} ({string.Join(", ", start.Keys)}).");
            object value = example switch
            {
                int => int.Parse(parts[1], CultureInfo.InvariantCulture),
                double or float => double.Parse(parts[1], CultureInfo.InvariantCulture),
                _ => parts[1],
            };
            values.Add(new(parts[0], value));
        }
        return new ParameterSet(values);
    }

    private static bool Is(ITransformer t, Type genericDefinition) =>
        t.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == genericDefinition;

    /// <summary>Where the feature stages end: the <c>Concatenate</c> just before the first predictor.</summary>
    internal static int FeaturesEnd(List<ITransformer> leaves, string where)
    {
        var firstPredictor = leaves.FindIndex(l => l is IPredictionTransformer<object>);
        var concatenate = firstPredictor < 0 ? -1 : leaves.FindLastIndex(firstPredictor, l => l is ColumnConcatenatingTransformer);
        return concatenate >= 0 ? concatenate : throw new InvalidDataException($"{where}: model.zip has no Concatenate in front of its heads.");
    }

    internal static IEnumerable<ITransformer> Leaves(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Leaves) : [transformer];

    internal static TransformerChain<ITransformer> Chain(IEnumerable<ITransformer> leaves) => new(leaves.ToArray());
}
