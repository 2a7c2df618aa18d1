using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml batch</c>: screen every study under a folder, resumably.</summary>
internal static class BatchCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("batch", "Screen every study under a folder, resumably.", "The screening pipeline in ML.NET", context);
}
