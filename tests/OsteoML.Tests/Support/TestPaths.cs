using System.Diagnostics;

namespace OsteoML.Tests.Support;

/// <summary>Locations inside the repository. Tests read only from here, never from outside the checkout.</summary>
internal static class TestPaths
{
    private const string RunPrefix = "osteoml-tests-";

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// This test run's scratch folder, <c>$TMP/osteoml-tests-PID-GUID</c>: every temp directory of the run lives
    /// under it and <see cref="TestRunHooks"/> deletes it at the end, so CI runs on a shared machine leave no gigabytes
    /// of cohorts, packages and notebook outputs behind.
    /// </summary>
    public static string RunRoot { get; } = Path.Combine(Path.GetTempPath(), $"{RunPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary><c>tests/data/…</c></summary>
    public static string Data(params string[] parts) => Path.Combine([RepoRoot, "tests", "data", .. parts]);

    /// <summary>A fresh empty directory under <see cref="RunRoot"/>, unique per call.</summary>
    public static string NewTempDirectory(string prefix = "osteoml-test")
    {
        var dir = Path.Combine(RunRoot, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes this run's scratch folder, and those of earlier runs whose process is gone (killed runs).</summary>
    public static void DeleteScratch()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), RunPrefix + "*"))
        {
            if (dir == RunRoot || !IsAlive(OwnerProcess(dir)))
                TryDelete(dir);
        }
    }

    /// <summary>The process id in <c>osteoml-tests-PID-GUID</c>, or -1 when the name has none.</summary>
    internal static int OwnerProcess(string directory)
    {
        var name = Path.GetFileName(directory);
        var rest = name.StartsWith(RunPrefix, StringComparison.Ordinal) ? name[RunPrefix.Length..] : "";
        var dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], out var pid) ? pid : -1;
    }

    private static bool IsAlive(int pid)
    {
        if (pid <= 0)
            return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
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
