namespace OsteoML.Pipelines.Bundles;

/// <summary>
/// The bundle that ships with osteoml (<c>models/qct-screening-default</c>): heads trained on the synthetic <c>paper</c>
/// cohort, so <c>screen</c> and <c>batch</c> run without training first. Its manifest's intended use (research only,
/// synthetic training data, calibrate locally first) is stamped on every result it makes.
/// </summary>
public static class DefaultBundle
{
    public const string Name = "qct-screening-default";

    /// <summary>Where it lives relative to the program (the build and publish copy it there) and to the repository root.</summary>
    public static readonly string RelativePath = Path.Combine("models", Name);

    /// <summary>
    /// The default bundle's folder: beside the program first (a published or built osteoml), then above the working
    /// directory (a checkout run with <c>dotnet run</c>); null when neither holds one.
    /// </summary>
    public static string? Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, RelativePath);
        if (File.Exists(Path.Combine(beside, ModelBundle.ManifestFile))) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativePath);
            if (File.Exists(Path.Combine(candidate, ModelBundle.ManifestFile))) return candidate;
        }
        return null;
    }
}
