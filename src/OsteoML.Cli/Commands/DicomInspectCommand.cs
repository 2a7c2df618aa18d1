using System.CommandLine;
using System.Text.Json;
using OsteoML.Dicom;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml dicom inspect [--json] FILE...</c>: header facts and a decoded-pixel fingerprint per file. With
/// <c>--json</c>, one object per line (the contract other tools rely on: see docs/dicom.md). A file that fails
/// gets its error on its line, the others go on, and the exit code is 3.
/// </summary>
internal static class DicomInspectCommand
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("files") { Description = "DICOM files to inspect.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "One JSON object per file per line." };
        var command = new Command("inspect", "Show each file's transfer syntax, image layout, rescale and a SHA-256 of its decoded stored pixel values.")
        {
            files, json,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(files)!, parseResult.GetValue(json), context));
        return command;
    }

    private static int Run(string[] files, bool json, CliContext context)
    {
        var failed = 0;
        foreach (var file in files)
        {
            var report = Inspect(file);
            if (report.Error is not null)
                failed++;
            context.Out.WriteLine(json ? report.ToJson() : report.ToText());
        }
        return failed > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
    }

    /// <summary>What was learnt about one file; fields stay null where reading stopped.</summary>
    private sealed class Report(string file)
    {
        public string File { get; } = file;
        public string? TransferSyntaxUid, TransferSyntaxName, SopClassUid, Modality, PhotometricInterpretation, PixelSha256, Error;
        public int? Rows, Columns, Frames, SamplesPerPixel, BitsAllocated, BitsStored, PixelRepresentation;
        public double? RescaleSlope, RescaleIntercept;
        public long? Min, Max;
        public IReadOnlyList<string> Warnings = [];

        public string ToJson()
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("file", File);
                if (Error is null || TransferSyntaxUid is not null)
                {
                    w.WriteString("transferSyntaxUid", TransferSyntaxUid);
                    w.WriteString("transferSyntaxName", TransferSyntaxName);
                    w.WriteString("sopClassUid", SopClassUid);
                    w.WriteString("modality", Modality);
                    Number(w, "rows", Rows);
                    Number(w, "columns", Columns);
                    Number(w, "frames", Frames);
                    Number(w, "samplesPerPixel", SamplesPerPixel);
                    Number(w, "bitsAllocated", BitsAllocated);
                    Number(w, "bitsStored", BitsStored);
                    Number(w, "pixelRepresentation", PixelRepresentation);
                    w.WriteString("photometricInterpretation", PhotometricInterpretation);
                    Number(w, "rescaleSlope", RescaleSlope);
                    Number(w, "rescaleIntercept", RescaleIntercept);
                    w.WriteString("pixelSha256", PixelSha256);
                    Number(w, "min", Min);
                    Number(w, "max", Max);
                    w.WriteStartArray("warnings");
                    foreach (var warning in Warnings)
                        w.WriteStringValue(warning);
                    w.WriteEndArray();
                }
                if (Error is not null)
                    w.WriteString("error", Error);
                w.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void Number(Utf8JsonWriter w, string name, double? value)
        {
            if (value is { } v)
                w.WriteNumber(name, v);
            else
                w.WriteNull(name);
        }

        private static void Number(Utf8JsonWriter w, string name, long? value)
        {
            if (value is { } v)
                w.WriteNumber(name, v);
            else
                w.WriteNull(name);
        }

        /// <summary>One line for people: what the file is, then its pixel fingerprint or its error.</summary>
        public string ToText()
        {
            var parts = new List<string>();
            if (TransferSyntaxName is not null)
                parts.Add(TransferSyntaxName);
            if (Modality is not null)
                parts.Add(Modality);
            if (Rows is not null)
                parts.Add($"{Columns}×{Rows}, {Frames} frame(s), {SamplesPerPixel} sample(s) {PhotometricInterpretation}, {BitsStored}/{BitsAllocated} bits {(PixelRepresentation == 1 ? "signed" : "unsigned")}");
            if (RescaleSlope is not null)
                parts.Add(FormattableString.Invariant($"rescale slope {RescaleSlope} intercept {RescaleIntercept}"));
            if (Min is not null)
                parts.Add($"stored {Min}..{Max}, SHA-256 {PixelSha256}");
            parts.AddRange(Warnings.Select(w => "warning: " + w));
            if (Error is not null)
                parts.Add("error: " + Error);
            return $"{File}: {string.Join("; ", parts)}";
        }
    }

    private static Report Inspect(string file)
    {
        var report = new Report(file);
        try
        {
            var dicom = DicomFile.Open(file);
            var ds = dicom.Dataset;
            report.TransferSyntaxUid = dicom.TransferSyntax.UID;
            report.TransferSyntaxName = dicom.TransferSyntax.Name;
            report.SopClassUid = ds.GetStringOrDefault(DicomTag.SOPClassUID) ?? dicom.FileMetaInfo.GetStringOrDefault(DicomTag.MediaStorageSOPClassUID);
            report.Modality = ds.GetStringOrDefault(DicomTag.Modality);
            report.Rows = Int(ds, DicomTag.Rows);
            report.Columns = Int(ds, DicomTag.Columns);
            report.Frames = ds.Contains(DicomTag.PixelData) ? Int(ds, DicomTag.NumberOfFrames) ?? 1 : Int(ds, DicomTag.NumberOfFrames);
            report.SamplesPerPixel = Int(ds, DicomTag.SamplesPerPixel);
            report.BitsAllocated = Int(ds, DicomTag.BitsAllocated);
            report.BitsStored = Int(ds, DicomTag.BitsStored);
            report.PixelRepresentation = Int(ds, DicomTag.PixelRepresentation);
            report.PhotometricInterpretation = ds.GetStringOrDefault(DicomTag.PhotometricInterpretation);
            if (DicomPixelData.FindRescale(ds, 0) is var (slope, intercept))
            {
                report.RescaleSlope = slope;
                report.RescaleIntercept = intercept;
            }
            if (ds.Contains(DicomTag.PixelData))
            {
                var pixels = DicomPixelData.Create(ds);
                var summary = DicomPixelSummary.Of(pixels);
                report.Warnings = [.. dicom.Warnings, .. pixels.Warnings];
                report.PixelSha256 = summary.Sha256;
                report.Min = summary.Min;
                report.Max = summary.Max;
            }
        }
        catch (Exception ex) when (ex is IOException or FormatException or NotSupportedException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            report.Error = string.Join(' ', ex.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        }
        return report;
    }

    private static int? Int(DicomDataset ds, DicomTag tag) => ds.TryGetSingleValue<int>(tag, out var v) ? v : null;
}
