using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using OsteoML.AutoTune.Calibration;
using OsteoML.Inference;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Bundles;

/// <summary><c>bundle.json</c>: what the bundle is, and the sha256 of every file in it.</summary>
public sealed record BundleManifest
{
    public const int CurrentSchemaVersion = 1;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
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
}

/// <summary>
/// A trained screening model in one folder:
/// <code>
/// MODEL/bundle.json                     manifest: name, pipeline, sha256 of every file, feature layout, HU line
/// MODEL/pipeline.json                   the pipeline definition it was trained from
/// MODEL/model.zip                       the fitted ML.NET chain (segment → measure → DenseNet → heads)
/// MODEL/models/segmentation/…           model.onnx + card.json, copied
/// MODEL/models/features/…               model.onnx + card.json, copied (not for the HU baseline)
/// MODEL/calibration/*.site-profile.json per-site calibration profiles
/// MODEL/calibration/*.phantom-profile.json per-site phantom calibrations (per kVp)
/// </code>
/// Loading checks every hash, the ONNX files against their cards, the cards against the stages' contracts and each
/// profile against the model it was fitted to, and refuses any mismatch with one line naming the file.
/// </summary>
public sealed class ModelBundle
{
    public const string ManifestFile = "bundle.json", PipelineFile = "pipeline.json", ModelFile = "model.zip";
    public const string SegmentationDirectory = "models/segmentation", FeaturesDirectory = "models/features", CalibrationDirectory = "calibration";

    private ModelBundle(string directory, BundleManifest manifest, PipelineDefinition definition, SiteProfileSet profiles)
    {
        (Directory, Manifest, Definition, Profiles) = (directory, manifest, definition, profiles);
    }

    public string Directory { get; }
    public BundleManifest Manifest { get; }
    public PipelineDefinition Definition { get; }
    public SiteProfileSet Profiles { get; }

    /// <summary>Phantom calibrations by site key (<c>calibration/*.phantom-profile.json</c>, sealed like the site profiles).</summary>
    public IReadOnlyDictionary<string, SitePhantomProfile> PhantomProfiles => _phantoms ??= SitePhantomProfile.LoadAll(Path.Combine(Directory, CalibrationDirectory));
    private IReadOnlyDictionary<string, SitePhantomProfile>? _phantoms;
    public string ModelSha256 => Manifest.Files[ModelFile];
    public GlobalModelIdentity Identity => new(Manifest.Name, ModelSha256);

    public string SegmentationModelDirectory => Path.Combine(Directory, SegmentationDirectory);
    public string? FeaturesModelDirectory => Definition.UsesDenseNet ? Path.Combine(Directory, FeaturesDirectory) : null;

    /// <summary>A runtime for this bundle's stages (its segmentation model, options and crop).</summary>
    public PipelineRuntime CreateRuntime(string? cacheDirectory, DeviceSelection? device = null, int threads = 0) => new(
        SegmentationModelDirectory, Definition.Segmentation with { Threads = threads }, Definition.Measures,
        FeaturesModelDirectory is { } f ? DenseNetCropSpec.FromCard(ModelCard.Read(Path.Combine(f, ModelCard.FileName)), f) : null,
        cacheDirectory, device);

    /// <summary>Loads the ML.NET chain with <paramref name="runtime"/> attached to its custom stages.</summary>
    public ITransformer LoadModel(MLContext ml, PipelineRuntime runtime)
    {
        ml.ComponentCatalog.RegisterAssembly(typeof(ModelBundle).Assembly);
        if (runtime.Device.CudaDeviceId is { } gpu)
        {
            ml.GpuDeviceId = gpu;
            ml.FallbackToCpu = true;
        }
        OnnxRuntimeSessions.EnsureQuietEnvironment();
        using (runtime.Use())
            return ml.Model.Load(Path.Combine(Directory, ModelFile), out _);
    }

    public static ModelBundle Load(string directory)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"{directory}: not a model bundle (no {ManifestFile}).");
        BundleManifest manifest;
        try { manifest = JsonSerializer.Deserialize<BundleManifest>(File.ReadAllText(manifestPath), PipelineDefinition.Json) ?? throw new InvalidDataException($"{manifestPath}: empty."); }
        catch (JsonException ex) { throw new InvalidDataException($"{manifestPath}: not a valid bundle manifest ({ex.Message})."); }
        if (manifest.SchemaVersion > BundleManifest.CurrentSchemaVersion)
            throw new InvalidDataException($"{manifestPath}: bundle schema version {manifest.SchemaVersion}; this OsteoML reads up to {BundleManifest.CurrentSchemaVersion}.");

        foreach (var (relative, expected) in manifest.Files)
        {
            var path = Path.Combine(directory, relative);
            if (!File.Exists(path)) throw new InvalidDataException($"{path}: listed in {ManifestFile} but missing; the bundle is incomplete.");
            var actual = Sha256(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path}: sha256 {actual} does not match {ManifestFile} ({expected}); the bundle was modified or damaged — refusing to load it.");
        }
        var profileDirectory = Path.Combine(directory, CalibrationDirectory);
        if (System.IO.Directory.Exists(profileDirectory))
            foreach (var file in System.IO.Directory.GetFiles(profileDirectory, "*" + SiteProfileSet.FileSuffix)
                         .Concat(System.IO.Directory.GetFiles(profileDirectory, "*" + SitePhantomProfile.FileSuffix)))
                if (!manifest.Files.ContainsKey(Path.GetRelativePath(directory, file).Replace('\\', '/')))
                    throw new InvalidDataException($"{file}: a site profile not listed in {ManifestFile}; add profiles with 'osteoml calibrate', not by copying files.");
        foreach (var required in new[] { PipelineFile, ModelFile })
            if (!manifest.Files.ContainsKey(required)) throw new InvalidDataException($"{manifestPath}: does not list {required}.");

        var definition = PipelineDefinition.Load(Path.Combine(directory, PipelineFile));
        CheckModel(directory, SegmentationDirectory, definition.Models.Segmentation, manifest);
        if (definition.UsesDenseNet)
        {
            CheckModel(directory, FeaturesDirectory, definition.Models.Features!, manifest);
            var features = Path.Combine(directory, FeaturesDirectory);
            DenseNetCropSpec.FromCard(ModelCard.Read(Path.Combine(features, ModelCard.FileName)), features);
        }
        var profiles = SiteProfileSet.Load(profileDirectory);
        foreach (var profile in profiles.Profiles)
            if (!string.Equals(profile.GlobalModel.Sha256, manifest.Files[ModelFile], StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{directory}: the profile of site '{profile.SiteKey}' was fitted to model {profile.GlobalModel.Sha256[..12]}…, not this bundle's {manifest.Files[ModelFile][..12]}…; recalibrate.");
        return new ModelBundle(directory, manifest, definition, profiles);
    }

    /// <summary>The ONNX file against its card (hash, IO contract, a test run) and the card against the definition's pin.</summary>
    private static void CheckModel(string bundle, string relative, ModelReference reference, BundleManifest manifest)
    {
        var folder = Path.Combine(bundle, relative);
        var problems = ModelVerifier.Verify(folder);
        if (problems.Count > 0) throw new InvalidDataException($"{folder}: {problems[0]}{(problems.Count > 1 ? $" (and {problems.Count - 1} more problems)" : "")}");
        var card = ModelCard.Read(Path.Combine(folder, ModelCard.FileName));
        if (reference.Sha256.Length > 0 && !string.Equals(card.Sha256, reference.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{folder}: model sha256 {card.Sha256} is not the {reference.Sha256} its pipeline definition pins.");
        if (!manifest.Files.ContainsKey($"{relative}/{card.File}")) throw new InvalidDataException($"{manifest.Name}: {relative}/{card.File} is not listed in {ManifestFile}.");
    }

    /// <summary>Rewrites bundle.json with the current hashes of every file (after adding profiles).</summary>
    public static BundleManifest Seal(string directory, BundleManifest manifest)
    {
        var files = System.IO.Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Where(f => f != ManifestFile && !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => Sha256(Path.Combine(directory, f)));
        var sealedManifest = manifest with { Files = files };
        var path = Path.Combine(directory, ManifestFile);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(sealedManifest, PipelineDefinition.Json) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
        return sealedManifest;
    }

    /// <summary>Copies a shipped model folder (card.json + its ONNX file) into the bundle.</summary>
    public static void CopyModel(string source, string bundle, string relative)
    {
        var card = ModelCard.Read(Path.Combine(source, ModelCard.FileName));
        var target = Path.Combine(bundle, relative);
        System.IO.Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, ModelCard.FileName), Path.Combine(target, ModelCard.FileName), overwrite: true);
        File.Copy(Path.Combine(source, card.File), Path.Combine(target, card.File), overwrite: true);
    }

    /// <summary>Copies a whole bundle (calibrate --out MODEL2 writes a new bundle, leaving the original intact).</summary>
    public static void CopyTo(string source, string target)
    {
        foreach (var file in System.IO.Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

}
