namespace OsteoML.Tests.Support;

/// <summary>Locations inside the repository. Tests read only from here, never from outside the checkout.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>tests/data/…</c></summary>
    public static string Data(params string[] parts) => Path.Combine([RepoRoot, "tests", "data", .. parts]);

    /// <summary>A fresh empty directory under the system temp folder, unique per call.</summary>
    public static string NewTempDirectory(string prefix = "osteoml-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OsteoML.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"OsteoML.sln not found above {AppContext.BaseDirectory}.");
    }
}
