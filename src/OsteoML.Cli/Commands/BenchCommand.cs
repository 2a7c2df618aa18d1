using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml bench</c>: run the side-by-side benchmarks.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("bench", "Run the side-by-side benchmarks.", "Benchmarks", context);
}
