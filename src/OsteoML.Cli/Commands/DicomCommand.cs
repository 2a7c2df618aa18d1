using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml dicom</c>: inspect DICOM files and assemble CT series into HU volumes.</summary>
internal static class DicomCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("dicom", "Inspect DICOM files and assemble CT series into HU volumes.", "DICOM layer", context);
}
