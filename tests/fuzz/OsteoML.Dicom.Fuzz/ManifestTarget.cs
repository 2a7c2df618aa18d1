using OsteoML.Pipelines.Studies;

namespace OsteoML.Dicom.Fuzz;

/// <summary>
/// Fuzzes <see cref="CohortManifest.Read(string)"/>: the input is a manifest.csv. Refusals are
/// <see cref="InvalidDataException"/> (one line naming file, row and column); any other exception is a finding, and so
/// is an accepted manifest that breaks a rule the reader promises (a series_dir that is absolute or climbs out, a
/// case listed twice, a BMD that is not finite).
/// </summary>
internal static class ManifestTarget
{
    private static readonly string Path_ = Path.Combine(Path.GetTempPath(), $"osteoml-fuzz-manifest-{Environment.ProcessId}.csv");

    public static void Run(Stream input)
    {
        using (var file = File.Create(Path_))
            input.CopyTo(file);
        IReadOnlyList<ManifestRow> rows;
        try
        {
            rows = CohortManifest.Read(Path_);
        }
        catch (InvalidDataException ex)
        {
            if (ex.Message.Contains('\n')) throw new InvalidOperationException("finding: a refusal of more than one line", ex);
            return;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (Path.IsPathRooted(row.SeriesDir) || row.SeriesDir.Split('/', '\\').Contains(".."))
                throw new InvalidOperationException($"finding: row {row.Line} accepted series_dir '{row.SeriesDir}'");
            if (!ids.Add(row.CaseId))
                throw new InvalidOperationException($"finding: case {row.CaseId} accepted twice");
            if (float.IsInfinity(row.BmdQct))
                throw new InvalidOperationException($"finding: row {row.Line} accepted BMD {row.BmdQct}");
        }
    }
}
