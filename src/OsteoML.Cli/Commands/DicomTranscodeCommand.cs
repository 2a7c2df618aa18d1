using System.CommandLine;
using OsteoML.Dicom;
using OsteoML.Dicom.Codecs;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml dicom transcode --to UID IN OUT</c>: rewrites a file in another transfer syntax (decode with one codec,
/// encode with the other). The syntaxes offered are the native ones and those whose registered codec encodes.
/// </summary>
internal static class DicomTranscodeCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("input") { Description = "DICOM file to read." };
        var output = new Argument<string>("output") { Description = "File to write." };
        var to = new Option<string>("--to")
        {
            Description = "Target transfer syntax UID: a native one (1.2.840.10008.1.2, 1.2.840.10008.1.2.1, 1.2.840.10008.1.2.1.99, 1.2.840.10008.1.2.2) or one with an encoder: "
                          + string.Join(", ", DicomCodecRegistry.EncodableTransferSyntaxes.Select(s => $"{s.UID} ({s.Name})")) + ".",
            Required = true,
        };
        var command = new Command("transcode", "Rewrite a DICOM file in another transfer syntax.")
        {
            input, output, to,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(input)!, parseResult.GetValue(output)!, parseResult.GetValue(to)!, context));
        return command;
    }

    private static int Run(string input, string output, string to, CliContext context)
    {
        var syntax = DicomTransferSyntax.Lookup(to);
        if (!syntax.IsKnown)
        {
            context.Error.WriteLine($"error: {to} is not a transfer syntax UID this program knows.");
            return ExitCodes.Usage;
        }
        try
        {
            DicomFile.Open(input).Clone(syntax).Save(output);
            context.Out.WriteLine($"{input} → {output}: {syntax.Name}");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is IOException or FormatException or NotSupportedException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"error: {input}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
