using System.Text.Json;
using System.Text.Json.Serialization;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Search;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Definitions;

/// <summary>A shipped model a pipeline uses: its folder (relative to the definition file) and, when pinned, its sha256.</summary>
public sealed record ModelReference(string Path, string Sha256 = "");

public sealed record PipelineModels(ModelReference Segmentation, ModelReference? Features = null);

/// <summary>A head's trainer: a family of <see cref="TrainerCatalog"/> and its hyper-parameters (the rest take the family's start values).</summary>
public sealed record TrainerChoice(string Trainer, IReadOnlyDictionary<string, JsonElement>? Parameters = null)
{
    public ResolvedTrainer Build(HeadTask task)
    {
        var family = TrainerCatalog.Select(task, [Trainer])[0];
        var start = family.Space.Decode(family.Space.StartPoint());
        var values = start.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, value) in Parameters ?? new Dictionary<string, JsonElement>())
        {
            if (!values.ContainsKey(name))
                throw new ArgumentException($"trainer {Trainer} has no parameter '{name}' (it has {string.Join(", ", values.Keys)}).");
            values[name] = value.ValueKind == JsonValueKind.Number ? (values[name] is int ? value.GetInt32() : value.GetDouble()) : value.ToString();
        }
        return new ResolvedTrainer(family, new ParameterSet(values));
    }

    /// <summary>A family with its parameters, ready to build an ML.NET trainer.</summary>
    public sealed record ResolvedTrainer(TrainerFamily Family, ParameterSet Parameters);
}

/// <summary>The heads: ML.NET trainers over the feature vector, or the classic HU baseline (one line, ACR thresholds).</summary>
public sealed record HeadsDefinition
{
    /// <summary><c>mlnet</c> (trainable BMD regressor + 3-class classifier) or <c>huLinear</c> (the HU baseline).</summary>
    public string Kind { get; init; } = "mlnet";
    public TrainerChoice? Bmd { get; init; }
    public TrainerChoice? Class { get; init; }
}

/// <summary>
/// A pipeline definition (<c>pipelines/*.json</c>): which shipped models, the stage options, which measurements
/// enter the feature vector, and the heads. The CLI trains it (<c>osteoml train --pipeline …</c>) into a bundle.
/// </summary>
public sealed record PipelineDefinition
{
    public const int CurrentSchemaVersion = 1;
    public const string DenseNetFeature = "denseNet", LevelMeasuresFeature = "levelMeasures", TissuesFeature = "tissues", AcquisitionFeature = "acquisition";

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required PipelineModels Models { get; init; }
    public SegmentationOptions Segmentation { get; init; } = new();
    public MeasurementOptions Measures { get; init; } = new();

    /// <summary>Parts of the feature vector, in order: denseNet, levelMeasures, tissues, acquisition.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];
    public HeadsDefinition Heads { get; init; } = new();

    /// <summary>
    /// The exports the trained bundle is meant for. With <see cref="ExportFormat.Onnx"/>, <c>osteoml train --tuner</c>
    /// searches only the trainers the ONNX exporter converts (unless <c>--exportable false</c>).
    /// </summary>
    public IReadOnlyList<ExportFormat> Exports { get; init; } = [];

    public bool UsesDenseNet => Features.Contains(DenseNetFeature);
    public bool IsHuBaseline => Heads.Kind == "huLinear";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static PipelineDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such pipeline definition.");
        PipelineDefinition definition;
        try { definition = JsonSerializer.Deserialize<PipelineDefinition>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty."); }
        catch (JsonException ex) { throw new InvalidDataException($"{path}: not a valid pipeline definition ({ex.Message})."); }
        definition.Validate(path);
        return definition;
    }

    public void Validate(string source)
    {
        if (SchemaVersion > CurrentSchemaVersion)
            throw new InvalidDataException($"{source}: pipeline schema version {SchemaVersion}; this OsteoML reads up to {CurrentSchemaVersion}.");
        var known = new[] { DenseNetFeature, LevelMeasuresFeature, TissuesFeature, AcquisitionFeature };
        if (Features.FirstOrDefault(f => !known.Contains(f)) is { } unknown)
            throw new InvalidDataException($"{source}: unknown feature '{unknown}' (expected {string.Join(", ", known)}).");
        if (UsesDenseNet && Models.Features is null)
            throw new InvalidDataException($"{source}: features include denseNet but models.features is missing.");
        switch (Heads.Kind)
        {
            case "huLinear": break;
            case "mlnet":
                if (Features.Count == 0) throw new InvalidDataException($"{source}: mlnet heads need at least one feature.");
                if (Heads.Bmd is null || Heads.Class is null) throw new InvalidDataException($"{source}: heads.bmd and heads.class are required.");
                Heads.Bmd.Build(HeadTask.BmdRegression);
                Heads.Class.Build(HeadTask.ClassMulticlass);
                break;
            default: throw new InvalidDataException($"{source}: heads.kind '{Heads.Kind}' is not mlnet or huLinear.");
        }
    }

    /// <summary>The columns concatenated into <c>Features</c>, in order.</summary>
    public IReadOnlyList<string> FeatureColumns => Features.Select(f => f switch
    {
        DenseNetFeature => Pipelines.DenseNetFeatures.OutputColumn,
        LevelMeasuresFeature => nameof(MeasureTrabecularBoneOutput.LevelMeasures),
        TissuesFeature => nameof(MeasureTrabecularBoneOutput.TissueHu),
        _ => nameof(MeasureTrabecularBoneOutput.Acquisition),
    }).ToArray();

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
