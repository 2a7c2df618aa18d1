using System.Text.Json;
using OsteoML.Inference;

namespace OsteoML.Export.Onnx;

/// <summary>
/// <c>chain.json</c>: how the exported models connect, from DICOM to a result. Steps run in order; a step's inputs
/// name earlier steps' outputs as <c>step.output</c>. Steps with a <see cref="ChainStep.Model"/> run that ONNX file in
/// any ONNX runtime; the others are OsteoML code (named in <see cref="ChainStep.Runs"/>) whose contract the step states.
/// </summary>
public sealed record OnnxChain
{
    public const int CurrentSchemaVersion = 1;
    public const string FileName = "chain.json";

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string Bundle { get; init; }
    public required string Pipeline { get; init; }
    public required string BundleModelSha256 { get; init; }
    public required string OsteomlVersion { get; init; }
    public required IReadOnlyList<ChainModel> Models { get; init; }
    public required IReadOnlyList<ChainStep> Steps { get; init; }
    /// <summary>The order of ClassProbabilities (and of a site profile's classes).</summary>
    public required IReadOnlyList<string> Classes { get; init; }
    /// <summary>Site calibration profiles copied from the bundle (applied by site key after the heads).</summary>
    public IReadOnlyList<string> SiteProfiles { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, ModelCard.Json);

    public static OnnxChain Read(string path) =>
        JsonSerializer.Deserialize<OnnxChain>(File.ReadAllText(path), ModelCard.Json) ?? throw new InvalidDataException($"{path}: empty.");
}

/// <summary>An exported ONNX file: its role (segmentation, features, heads), sha256, card (when it has one) and graph inputs and outputs.</summary>
public sealed record ChainModel(string Role, string File, string Sha256, string? Card, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);

/// <summary>
/// One step: what runs it, the model it runs (a <see cref="ChainModel.Role"/>) if any, where each input comes from
/// (input name → <c>step.output</c>, or a description for the first step), what each output is, and how.
/// </summary>
public sealed record ChainStep(string Name, string Runs, string? Model, IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyDictionary<string, string> Outputs, IReadOnlyList<string> Details);
