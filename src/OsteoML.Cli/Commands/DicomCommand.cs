using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml dicom</c>: inspect DICOM files and assemble CT series into HU volumes.</summary>
internal static class DicomCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("dicom", "Inspect DICOM files and assemble CT series into HU volumes.");
        command.Subcommands.Add(DicomInspectCommand.Create(context));
        command.Subcommands.Add(DicomSeriesCommand.Create(context));
        return command;
    }
}
