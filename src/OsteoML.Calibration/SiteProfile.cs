using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Calibration;

/// <summary>Which global model a profile was fitted against (the bundle's name and the hash of its model file).</summary>
public sealed record GlobalModelIdentity(string Name, string Sha256);

/// <summary>How the thresholds were chosen, with their bootstrap stability intervals.</summary>
public sealed record ThresholdReport(
    string Objective,
    string Source,
    double? ObjectiveValue,
    bool ConstraintMet,
    ConfidenceInterval? OsteoporosisBelowInterval,
    ConfidenceInterval? NormalAboveInterval);

/// <summary>Leave-one-out MAE (mg/cm³) of every method tried, and which one was chosen.</summary>
public sealed record CalibrationCrossValidation(
    IReadOnlyDictionary<string, double> MaeByMethod,
    string Chosen,
    double ChosenMae,
    double UncalibratedMae,
    string Rule);

/// <summary>A calibrated prediction for one study, and what produced it.</summary>
/// <param name="Probabilities">[normal, osteopenia, osteoporosis]; null when no profile applied (keep the class head's).</param>
/// <param name="Profile">"site-C: Linear, k = 20" — or null when the site has no profile.</param>
/// <param name="Note">Why no profile applied, or what the profile could not use.</param>
public sealed record CalibratedPrediction(double Bmd, int ClassIndex, IReadOnlyList<double>? Probabilities, string? Profile, string? Note = null)
{
    public string ClassName => AcrClasses.Names[ClassIndex];
}

/// <summary>
/// A site's calibration: the BMD map, the class thresholds and the residual spread for class probabilities, with
/// the evidence they were chosen on. Stored as JSON (schema version 1) inside the model bundle.
/// </summary>
public sealed record SiteProfile
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string SiteKey { get; init; }
    public required BmdCorrection Correction { get; init; }
    public required ClassThresholds Thresholds { get; init; }
    public required ThresholdReport ThresholdSelection { get; init; }

    /// <summary>Leave-one-out RMS error of the calibrated BMD, mg/cm³: the σ of the class probabilities.</summary>
    public required double ResidualSd { get; init; }

    /// <summary>k, the number of local QCT-labelled cases.</summary>
    public required int Cases { get; init; }

    public required CalibrationCrossValidation CrossValidation { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required GlobalModelIdentity GlobalModel { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public string Describe() => $"{SiteKey}: {Correction.Method}, k = {Cases}";

    /// <summary>
    /// Calibrates one study. When the profile uses tissue terms and the study lacks a usable tissue HU (no aorta
    /// in the field of view, say), the terms are taken at the site's means — the map without them — and the
    /// result's note says so, rather than failing the study.
    /// </summary>
    public CalibratedPrediction Apply(double globalBmd, IReadOnlyList<double>? tissues = null)
    {
        string? note = null;
        if (Correction.UsesTissues && (tissues is null || tissues.Count != Correction.TissueMeans.Count || tissues.Any(t => !double.IsFinite(t))))
        {
            tissues = Correction.TissueMeans;
            note = "reference-tissue HUs missing: tissue terms taken at the site's means";
        }
        var bmd = Correction.Apply(globalBmd, tissues);
        return new CalibratedPrediction(bmd, Thresholds.Classify(bmd), ClassProbabilities.FromBmd(bmd, ResidualSd, Thresholds), Describe(), note);
    }

    private static JsonSerializerOptions Json => VersionedJson.Options;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path)
    {
        AtomicFile.WriteAllText(path, ToJson());
    }

    public static SiteProfile Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException ex) { throw new InvalidDataException($"{path}: cannot read the site profile ({ex.Message})."); }
        return FromJson(text, path);
    }

    public static SiteProfile FromJson(string json, string source = "site profile")
    {
        VersionedJson.CheckVersion(json, source, "site profile", CurrentSchemaVersion);
        try
        {
            return JsonSerializer.Deserialize<SiteProfile>(json, Json) ?? throw new InvalidDataException($"{source}: empty site profile.");
        }
        catch (JsonException ex) { throw new InvalidDataException($"{source}: invalid site profile ({ex.Message})."); }
    }
}

/// <summary>The profiles of a model bundle, one file per site (<c>*.site-profile.json</c> in one directory).</summary>
public sealed class SiteProfileSet
{
    public const string FileSuffix = ".site-profile.json";
    private readonly Dictionary<string, SiteProfile> _bySite = new(StringComparer.Ordinal);

    public SiteProfileSet(IEnumerable<SiteProfile> profiles)
    {
        foreach (var p in profiles)
            if (!_bySite.TryAdd(p.SiteKey, p)) throw new ArgumentException($"two profiles for site '{p.SiteKey}'.");
    }

    public IReadOnlyCollection<SiteProfile> Profiles => _bySite.Values;

    public bool TryGet(string siteKey, out SiteProfile profile) => _bySite.TryGetValue(siteKey, out profile!);

    /// <summary>
    /// Calibrates by the site's profile; a site without one keeps the global BMD, gets the ACR class of it, and the
    /// result says so (the caller keeps its class head's probabilities).
    /// </summary>
    public CalibratedPrediction Apply(string siteKey, double globalBmd, IReadOnlyList<double>? tissues = null) =>
        TryGet(siteKey, out var profile)
            ? profile.Apply(globalBmd, tissues)
            : new CalibratedPrediction(globalBmd, ClassThresholds.Acr.Classify(globalBmd), null, null,
                $"site '{siteKey}' has no calibration profile: global model used");

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var p in _bySite.Values) p.Save(Path.Combine(directory, FileNameFor(p.SiteKey)));
    }

    public static SiteProfileSet Load(string directory) =>
        new(Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*" + FileSuffix).Order(StringComparer.Ordinal).Select(SiteProfile.Load)
            : []);

    /// <summary>A file name safe on every platform, unique per key: readable part plus a hash of the exact key.</summary>
    public static string FileNameFor(string siteKey)
    {
        var readable = new string(siteKey.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(60).ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(siteKey)))[..8];
        return $"{readable}-{hash}{FileSuffix}";
    }
}
