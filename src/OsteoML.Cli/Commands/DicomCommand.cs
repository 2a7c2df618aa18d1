using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml dicom</c>: inspect DICOM files and assemble CT series into HU volumes.</summary>
internal static class DicomCommand
{
    public static Command Create(CliContext context)
    {
        // The syntax list comes from the codec registry, so --help cannot promise what does not decode.
        var command = new Command("dicom", "Inspect DICOM files and assemble CT series into HU volumes. Pixel data is read in: "
                                           + OsteoML.Dicom.Codecs.DicomCodecRegistry.Describe() + ".");
        command.Subcommands.Add(DicomInspectCommand.Create(context));
        command.Subcommands.Add(DicomSeriesCommand.Create(context));
        command.Subcommands.Add(DicomTranscodeCommand.Create(context));
        return command;
    }
}
