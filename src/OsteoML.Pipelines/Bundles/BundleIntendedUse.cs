using System.Text.Json;

namespace OsteoML.Pipelines.Bundles;

/// <summary>
/// The intended-use statement a trainer writes into a bundle. A cohort made by <c>osteoml synth</c> (it leaves a
/// <c>cohort.json</c> naming its preset) is not patients: heads fitted to it have never seen a real scanner's drift or a
/// real population, so every result of such a bundle says so, in the result itself, not only in a README nobody opens.
/// </summary>
public static class BundleIntendedUse
{
    public const string CohortDescriptionFile = "cohort.json";

    /// <summary>The statement for a bundle trained on this cohort: null for a cohort that is not a synthetic one we generated.</summary>
    public static string? ForCohort(string cohortDirectory)
    {
        var path = Path.Combine(cohortDirectory, CohortDescriptionFile);
        if (!File.Exists(path) || new FileInfo(path).Length > 16 << 20) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("preset", out var preset)
                || preset.ValueKind != JsonValueKind.String)
                return null;
            var seed = document.RootElement.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number ? $", seed {s.GetRawText()}" : "";
            // No quotes around the preset: JSON writers escape them, and this text is in every result line.
            return Synthetic($"osteoml synth, preset {preset.GetString()}{seed}");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The statement for heads trained on synthetic studies described by <paramref name="source"/>.</summary>
    public static string Synthetic(string source) =>
        $"Research use only, not for diagnosis: trained on synthetic data ({source}), not on patients. "
        + "Calibrate with local QCT cases (osteoml calibrate) before any clinical study.";
}
