using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml evaluate</c>: compute the study's metrics with confidence intervals, plots and a report.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("evaluate", "Compute the study's metrics with confidence intervals, plots and a report.", "Evaluation", context);
}
