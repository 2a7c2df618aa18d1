using System.Globalization;
using OsteoML.Cli.Benchmarks;

namespace OsteoML.Bench;

/// <summary>What the <c>bench/run</c> steps share: their arguments, the repository root, and the results fragment they leave.</summary>
internal static class BenchRun
{
    public static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    public static double Number(string[] args, string name, double fallback) =>
        Option(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static bool Flag(string[] args, string name) => args.Contains(name);

    /// <summary>Writes the step's fragment to <c>--json PATH</c> when given (see <see cref="BenchFragment"/>).</summary>
    public static void WriteFragment(string[] args, string step, Dictionary<string, double[]> values, params string[] notes)
    {
        if (Option(args, "--json") is not { } path) return;
        File.WriteAllText(path, new BenchFragment(step, true, null, values, notes).ToJson());
        Console.WriteLine($"wrote {path}");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OsteoML.sln")))
                return dir.FullName;
        throw new InvalidOperationException("OsteoML.sln not found above the benchmark's directory.");
    }
}
