using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml train</c>: train the BMD and class heads of a screening pipeline.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("train", "Train the BMD and class heads of a screening pipeline.", "The screening pipeline in ML.NET", context);
}
