
namespace OsteoML.Pipelines.Bundles;

/// <summary><c>bundle.json</c>: what the bundle is, the sha256 of every file in it, and a seal over itself.</summary>
public sealed record BundleManifest
{
    /// <summary>2: <see cref="Seal"/> covers bundle.json itself (version 1 hashed only the other files, so its HU line could be edited unnoticed).</summary>
    public const int CurrentSchemaVersion = 2;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    /// <summary>
    /// sha256 of this manifest's canonical JSON with <see cref="Seal"/> empty — so it covers every field (HU line, heads,
    /// feature layout) and, through <see cref="Files"/>, every file. Whitespace edits do not break it; any value edit does.
    /// </summary>
    public string Seal { get; init; } = "";
    public required string Name { get; init; }
    public required string Pipeline { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string OsteomlVersion { get; init; }
    /// <summary>Relative path → sha256, every file but bundle.json itself.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }
    /// <summary>Columns concatenated into the heads' Features vector, and its length.</summary>
    public IReadOnlyList<string> FeatureColumns { get; init; } = [];
    public int FeatureLength { get; init; }
    public HuLine? HuLine { get; init; }
    /// <summary>The heads' trainers and how they were chosen (fixed, or tuned with the best CV metric).</summary>
    public IReadOnlyDictionary<string, string> Heads { get; init; } = new Dictionary<string, string>();
    /// <summary>Metrics on the held-out test split when trained on a cohort.</summary>
    public IReadOnlyDictionary<string, double> TestMetrics { get; init; } = new Dictionary<string, double>();
    public int TrainingCases { get; init; }
    /// <summary>
    /// What the bundle may be used for, said by its trainer (e.g. trained on synthetic data: research use only). Every
    /// result it makes carries this text; null for a bundle trained on a real cohort, whose owner decides.
    /// </summary>
    public string? IntendedUse { get; init; }
}
