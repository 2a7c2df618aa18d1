using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml export</c>: export Model Builder files and ONNX models.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("export", "Export Model Builder files and ONNX models.", "Data-scientist surfaces", context);
}
