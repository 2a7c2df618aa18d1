using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml demo</c>: run the whole chain on the embedded demo cohort.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("demo", "Run the whole chain on the embedded demo cohort.", "The screening pipeline in ML.NET", context);
}
