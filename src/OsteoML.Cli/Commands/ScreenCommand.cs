using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml screen</c>: screen one CT study: BMD, class, QA flags and image.</summary>
internal static class ScreenCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("screen", "Screen one CT study: BMD, class, QA flags and image.", "The screening pipeline in ML.NET", context);
}
