using System.Text.Json;
using System.Text.Json.Serialization;
using OsteoML.Domain;

namespace OsteoML.Calibration;

/// <summary>
/// A site's phantom calibrations, one per tube voltage (asynchronous QCT: the phantom is scanned once per scanner and
/// kVp, not with each patient). Stored as JSON (schema version 1) beside the site profiles of a bundle.
/// </summary>
public sealed record SitePhantomProfile
{
    public const int CurrentSchemaVersion = 1;
    public const string FileSuffix = ".phantom-profile.json";

    /// <summary>A study whose kVp is this far from every calibrated one gets no phantom correction.</summary>
    public const double KvpTolerance = 5;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string SiteKey { get; init; }
    /// <summary>The insert layout the scans were read with (<see cref="PhantomLayout.Name"/>).</summary>
    public required string Phantom { get; init; }
    public required IReadOnlyList<PhantomKvpCalibration> Calibrations { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>A scanner the global model was trained on: its phantom lines are the reference other sites' studies are
    /// mapped onto (<c>calibrate --phantom … --reference</c>).</summary>
    public bool Reference { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The calibration at the study's kVp, or null when none is within <see cref="KvpTolerance"/>.</summary>
    public PhantomKvpCalibration? At(double kvp) =>
        double.IsFinite(kvp) ? Calibrations.Where(c => Math.Abs(c.Kvp - kvp) <= KvpTolerance).MinBy(c => Math.Abs(c.Kvp - kvp)) : null;

    /// <summary>This profile with <paramref name="calibration"/> added, replacing one at the same kVp.</summary>
    public SitePhantomProfile With(PhantomKvpCalibration calibration) => this with
    {
        Calibrations = Calibrations.Where(c => c.Kvp != calibration.Kvp).Append(calibration).OrderBy(c => c.Kvp).ToArray(),
    };

    private static JsonSerializerOptions Json => VersionedJson.Options;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, FileNameFor(SiteKey)), ToJson());
    }

    public static string FileNameFor(string siteKey) => SiteProfileSet.FileNameFor(siteKey).Replace(SiteProfileSet.FileSuffix, FileSuffix, StringComparison.Ordinal);

    /// <summary>Every phantom profile in <paramref name="directory"/> by site key (none when it does not exist).</summary>
    public static IReadOnlyDictionary<string, SitePhantomProfile> LoadAll(string directory) =>
        (Directory.Exists(directory) ? Directory.GetFiles(directory, "*" + FileSuffix).Order(StringComparer.Ordinal).Select(Load) : [])
        .ToDictionary(p => p.SiteKey, StringComparer.Ordinal);

    public static SitePhantomProfile Load(string path)
    {
        var json = File.ReadAllText(path);
        VersionedJson.CheckVersion(json, path, "phantom profile", CurrentSchemaVersion);
        try { return JsonSerializer.Deserialize<SitePhantomProfile>(json, Json) ?? throw new InvalidDataException($"{path}: empty phantom profile."); }
        catch (JsonException ex) { throw new InvalidDataException($"{path}: invalid phantom profile ({ex.Message})."); }
    }
}
