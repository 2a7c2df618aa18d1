using System.Reflection;
using OsteoML.Pipelines.Bundles;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// What made a result: the bundle (its name and the SHA-256 of its manifest, which lists the SHA-256 of every file in it,
/// so one hash names the whole bundle), the global model and segmentation model hashes, the osteoml version and the
/// result schema version, and what the bundle may be used for. Every JSON line, CSV row and SR carries it, so results from different bundles never mix unseen.
/// </summary>
public sealed record ResultProvenance(string BundleName, string BundleSha256, string ModelSha256, string SegmentationModelSha256, string OsteomlVersion,
    string? IntendedUse = null)
{
    /// <summary>Version of the result's fields: 2 added the provenance fields (1: results before them), 3 the bundle's intended use,
    /// 4 the keyed patient and the study date (what links a patient's studies into a trend).</summary>
    public const int ResultSchemaVersion = 4;

    /// <summary>This build's version ("1.2.3" of "1.2.3+commit": build metadata is noise in a result).</summary>
    public static string CurrentOsteomlVersion => VersionOf(typeof(ResultProvenance).Assembly);

    public static ResultProvenance Of(ModelBundle bundle, string segmentationModelSha256) => new(
        bundle.Manifest.Name,
        ModelBundle.Sha256(Path.Combine(bundle.Directory, ModelBundle.ManifestFile)),
        bundle.ModelSha256,
        segmentationModelSha256,
        CurrentOsteomlVersion,
        bundle.Manifest.IntendedUse);

    /// <summary>The result stamped with this provenance.</summary>
    public StudyResult Stamp(StudyResult result) => result with
    {
        BundleSha256 = BundleSha256,
        OsteomlVersion = OsteomlVersion,
        ResultSchemaVersion = ResultSchemaVersion,
        IntendedUse = IntendedUse,
    };

    public static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? assembly.GetName().Version?.ToString()
                      ?? "unknown";
        var plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }
}
