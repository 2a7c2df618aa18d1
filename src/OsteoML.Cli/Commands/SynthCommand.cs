using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml synth</c>: generate the synthetic multi-site QCT cohort.</summary>
internal static class SynthCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("synth", "Generate the synthetic multi-site QCT cohort.", "Synthetic multi-site QCT cohort", context);
}
