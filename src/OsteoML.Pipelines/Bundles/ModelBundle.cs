using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using OsteoML.Dicom.IO;
using OsteoML.Calibration;
using OsteoML.Domain;
using OsteoML.Inference;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Bundles;

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
    /// <summary>train's test predictions: the one folder a bundle may hold unlisted (not hashed, never read by loading).</summary>
    public const string EvaluationDirectory = "evaluation";
    private const long MaxManifestBytes = 16 << 20;

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
        FeaturesModelDirectory is { } f ? DenseNetCropSpec.FromCard(ModelCard.ReadFolder(f), f) : null,
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
        if (!DirectoryWalker.IsRegularFile(manifestPath, followLinks: false) || new FileInfo(manifestPath).Length > MaxManifestBytes)
            throw new InvalidDataException($"{manifestPath}: not a regular file under {MaxManifestBytes >> 20} MiB; refusing the bundle.");
        BundleManifest manifest;
        try { manifest = JsonSerializer.Deserialize<BundleManifest>(File.ReadAllText(manifestPath), PipelineDefinition.Json) ?? throw new InvalidDataException($"{manifestPath}: empty."); }
        catch (JsonException ex) { throw new InvalidDataException($"{manifestPath}: not a valid bundle manifest ({ex.Message})."); }
        if (manifest.SchemaVersion > BundleManifest.CurrentSchemaVersion)
            throw new InvalidDataException($"{manifestPath}: bundle schema version {manifest.SchemaVersion}; this OsteoML reads up to {BundleManifest.CurrentSchemaVersion}.");
        if (manifest.SchemaVersion < BundleManifest.CurrentSchemaVersion)
            throw new InvalidDataException($"{manifestPath}: bundle schema version {manifest.SchemaVersion} has no seal over {ManifestFile}; "
                                           + $"if you trust this copy, migrate it with 'osteoml bundle migrate {directory}', else retrain it with 'osteoml train'.");
        if (manifest.Files is null || manifest.Seal is null || !string.Equals(ComputeSeal(manifest), manifest.Seal, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{manifestPath}: its seal does not match its content; {ManifestFile} was modified or damaged — refusing to load the bundle.");
        CheckFiles(directory, manifest);

        var definition = PipelineDefinition.Load(Path.Combine(directory, PipelineFile));
        CheckModel(directory, SegmentationDirectory, definition.Models.Segmentation, manifest);
        if (definition.UsesDenseNet)
        {
            CheckModel(directory, FeaturesDirectory, definition.Models.Features!, manifest);
            var features = Path.Combine(directory, FeaturesDirectory);
            DenseNetCropSpec.FromCard(ModelCard.ReadFolder(features), features);
        }
        var profiles = SiteProfileSet.Load(Path.Combine(directory, CalibrationDirectory));
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
        var card = ModelCard.ReadFolder(folder);
        if (reference.Sha256.Length > 0 && !string.Equals(card.Sha256, reference.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{folder}: model sha256 {card.Sha256} is not the {reference.Sha256} its pipeline definition pins.");
        if (!manifest.Files.ContainsKey($"{relative}/{card.File}")) throw new InvalidDataException($"{manifest.Name}: {relative}/{card.File} is not listed in {ManifestFile}.");
    }

    /// <summary>Rewrites bundle.json with the current hashes of every file (after adding profiles) and its seal.</summary>
    public static BundleManifest Seal(string directory, BundleManifest manifest)
    {
        var walk = DirectoryWalker.Walk(directory);
        if (walk.Skipped.FirstOrDefault() is { } skipped)
            throw new InvalidDataException($"{skipped.Path}: {skipped.Reason} inside the bundle; a bundle holds regular files only.");
        var files = walk.Files
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Where(f => f != ManifestFile && !f.EndsWith(".tmp", StringComparison.Ordinal) && !IsOptional(f))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => Sha256(Path.Combine(directory, f)));
        var sealedManifest = manifest with { SchemaVersion = BundleManifest.CurrentSchemaVersion, Files = files, Seal = "" };
        sealedManifest = sealedManifest with { Seal = ComputeSeal(sealedManifest) };
        var path = Path.Combine(directory, ManifestFile);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(sealedManifest, PipelineDefinition.Json) + "\n");
        return sealedManifest;
    }

    /// <summary>
    /// Re-seals a bundle of an older schema in place, after checking every file against the hashes it lists — for a
    /// copy the user trusts (its bundle.json was never sealed, so only the user can vouch for it).
    /// </summary>
    public static BundleManifest Migrate(string directory)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        if (!DirectoryWalker.IsRegularFile(manifestPath, followLinks: false))
            throw new FileNotFoundException($"{directory}: not a model bundle (no {ManifestFile}).");
        BundleManifest manifest;
        try { manifest = JsonSerializer.Deserialize<BundleManifest>(File.ReadAllText(manifestPath), PipelineDefinition.Json) ?? throw new InvalidDataException($"{manifestPath}: empty."); }
        catch (JsonException ex) { throw new InvalidDataException($"{manifestPath}: not a valid bundle manifest ({ex.Message})."); }
        if (manifest.SchemaVersion >= BundleManifest.CurrentSchemaVersion)
            throw new InvalidOperationException($"{manifestPath}: already schema version {manifest.SchemaVersion}; nothing to migrate.");
        CheckFiles(directory, manifest);
        return Seal(directory, manifest);
    }

    /// <summary>The sha256 over the manifest's canonical JSON (the seal itself left empty).</summary>
    internal static string ComputeSeal(BundleManifest manifest) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(manifest with { Seal = "" }, PipelineDefinition.Json)));

    /// <summary>
    /// Every listed path confined to the bundle (relative, no "..", no empty or "." segments, no backslashes) and a
    /// regular file — not a link, FIFO or device — whose hash matches; every file present listed, except the
    /// documented optional folder <c>evaluation/</c>; the pipeline and model always listed.
    /// </summary>
    private static void CheckFiles(string directory, BundleManifest manifest)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        foreach (var required in new[] { PipelineFile, ModelFile })
            if (!manifest.Files.ContainsKey(required)) throw new InvalidDataException($"{manifestPath}: does not list {required}.");
        foreach (var (relative, expected) in manifest.Files)
        {
            if (!IsConfined(relative))
                throw new InvalidDataException($"{manifestPath}: lists '{relative}', which is not a plain relative path inside the bundle (absolute, '..', '.', empty segments or backslashes); refusing the bundle.");
            var path = Path.Combine(directory, relative);
            if (!File.Exists(path) && !Path.Exists(path)) throw new InvalidDataException($"{path}: listed in {ManifestFile} but missing; the bundle is incomplete.");
            if (!DirectoryWalker.IsRegularFile(path, followLinks: false))
                throw new InvalidDataException($"{path}: not a regular file (a link, FIFO, device or folder); a bundle holds regular files only.");
            var actual = Sha256(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path}: sha256 {actual} does not match {ManifestFile} ({expected}); the bundle was modified or damaged — refusing to load it.");
        }
        var walk = DirectoryWalker.Walk(directory);
        if (walk.Skipped.FirstOrDefault() is { } skipped)
            throw new InvalidDataException($"{skipped.Path}: {skipped.Reason} inside the bundle; a bundle holds regular files only.");
        foreach (var file in walk.Files)
        {
            var relative = Path.GetRelativePath(directory, file).Replace('\\', '/');
            if (relative == ManifestFile || IsOptional(relative) || manifest.Files.ContainsKey(relative)) continue;
            throw new InvalidDataException(relative.StartsWith(CalibrationDirectory + "/", StringComparison.Ordinal)
                ? $"{file}: a site profile not listed in {ManifestFile}; add profiles with 'osteoml calibrate', not by copying files."
                : $"{file}: not listed in {ManifestFile}; a bundle holds only the files it lists (and {EvaluationDirectory}/) — remove it or rebuild the bundle.");
        }
    }

    /// <summary>Folders a bundle may hold without listing them: train's test predictions (read by people, never by loading).</summary>
    private static bool IsOptional(string relative) => relative.StartsWith(EvaluationDirectory + "/", StringComparison.Ordinal);

    private static bool IsConfined(string relative) =>
        relative.Length > 0 && !Path.IsPathRooted(relative) && !relative.Contains('\\') && !relative.Contains(':')
        && relative.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..");

    /// <summary>Copies a shipped model folder (card.json + its ONNX file) into the bundle.</summary>
    public static void CopyModel(string source, string bundle, string relative)
    {
        var card = ModelCard.ReadFolder(source);
        var target = Path.Combine(bundle, relative);
        System.IO.Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, ModelCard.FileName), Path.Combine(target, ModelCard.FileName), overwrite: true);
        File.Copy(Path.Combine(source, card.File), Path.Combine(target, card.File), overwrite: true);
    }

    /// <summary>Copies a whole bundle (calibrate --out MODEL2 writes a new bundle, leaving the original intact).</summary>
    public static void CopyTo(string source, string target)
    {
        foreach (var file in DirectoryWalker.Walk(source).Files)
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
