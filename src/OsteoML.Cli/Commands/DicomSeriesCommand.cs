using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OsteoML.Dicom.Series;

namespace OsteoML.Cli.Commands;

/// <summary>
/// <c>osteoml dicom series [--json] DIR</c>: the image stacks of a folder tree, each loaded as an HU volume, with
/// geometry, HU range, warnings and scanner metadata; rejected stacks with their reasons; files that failed.
/// Exit code 3 when some files failed (unreadable, or pixels that would not decode).
/// </summary>
internal static class DicomSeriesCommand
{
    public static Command Create(CliContext context)
    {
        var dir = new Argument<string>("dir") { Description = "Folder to scan (recursively)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per stack (and per failed file) per line." };
        var command = new Command("series", "Group a folder's DICOM images into studies, series and stacks, and load each stack as a volume of Hounsfield units.")
        {
            dir, json,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(dir)!, parseResult.GetValue(json), context));
        return command;
    }

    private static int Run(string dir, bool json, CliContext context)
    {
        var scan = DicomSeriesScanner.Scan(dir);
        var failures = scan.FailedFiles.ToList();
        var rejected = 0;
        foreach (var stack in scan.Stacks)
        {
            (float Min, float Max, double Mean)? hu = null;
            string? rejection = stack.RejectionReason;
            if (rejection is null)
            {
                try
                {
                    hu = Statistics(stack.LoadVolume().Hu.Voxels);
                }
                catch (DicomStackLoadException ex)
                {
                    // The stack is reported as not loaded; each bad file gets its own failed-file line below.
                    rejection = $"pixel data of {ex.Failures.Count} of {stack.Slices.Count} slice(s) could not be read (failed files listed below)";
                    failures.AddRange(ex.Failures);
                }
                catch (Exception ex) when (ex is IOException or FormatException or NotSupportedException)
                {
                    rejection = "pixel data could not be read: " + ex.Message;
                    failures.Add(new DicomScanFailure(dir, ex.Message));
                }
            }
            if (rejection is not null)
                rejected++;
            context.Out.WriteLine(json ? StackJson(stack, hu, rejection) : StackText(stack, hu, rejection));
        }
        foreach (var failure in failures)
        {
            context.Out.WriteLine(json
                ? JsonSerializer.Serialize(new Dictionary<string, string> { ["file"] = failure.File, ["error"] = failure.Reason })
                : $"failed: {failure.File}: {failure.Reason}");
        }
        if (!json)
            context.Out.WriteLine($"{scan.FilesScanned} files: {scan.Stacks.Count} stack(s) ({rejected} rejected), {scan.NonImageFiles} not images, {failures.Select(f => f.File).Distinct().Count()} failed.");
        return failures.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
    }

    private static string StackText(DicomStack stack, (float Min, float Max, double Mean)? hu, string? rejection)
    {
        var lines = new List<string> { $"series {stack.SeriesInstanceUid} ({stack.Modality}, {stack.Slices.Count} slice(s))" };
        if (stack.Geometry is { } g)
            lines.Add($"  {g.Size} voxels of {F(g.Spacing.X)}×{F(g.Spacing.Y)}×{F(g.Spacing.Z)} mm, origin {g.Origin}");
        if (hu is { } h)
            lines.Add($"  HU {F(h.Min)}..{F(h.Max)}, mean {F(h.Mean)}");
        var a = stack.Acquisition;
        lines.Add($"  scanner {a.Manufacturer ?? "?"} {a.ManufacturerModelName ?? "?"}, kernel {a.ConvolutionKernel ?? "?"}, "
                  + $"{(a.KVP is { } kvp ? F(kvp) : "?")} kVp, slice thickness {(a.SliceThickness is { } t ? F(t) : "?")} mm");
        lines.AddRange(stack.Warnings.Select(w => "  warning: " + w));
        if (rejection is not null)
            lines.Add("  rejected: " + rejection);
        return string.Join(Environment.NewLine, lines);
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static (float Min, float Max, double Mean) Statistics(float[] voxels)
    {
        float min = float.MaxValue, max = float.MinValue;
        double sum = 0;
        foreach (var v in voxels)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        return (min, max, sum / voxels.Length);
    }

    private static string StackJson(DicomStack stack, (float Min, float Max, double Mean)? hu, string? rejection)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("studyInstanceUid", stack.StudyInstanceUid);
            w.WriteString("seriesInstanceUid", stack.SeriesInstanceUid);
            w.WriteString("modality", stack.Modality);
            w.WriteNumber("slices", stack.Slices.Count);
            if (stack.Geometry is { } g)
            {
                Array(w, "size", g.Size.X, g.Size.Y, g.Size.Z);
                Array(w, "spacing", g.Spacing.X, g.Spacing.Y, g.Spacing.Z);
                Array(w, "origin", g.Origin.X, g.Origin.Y, g.Origin.Z);
                // Row-major 3×3 matrix whose columns are the i, j, k axes (SimpleITK's GetDirection order).
                var d = g.Direction;
                Array(w, "direction", d.I.X, d.J.X, d.K.X, d.I.Y, d.J.Y, d.K.Y, d.I.Z, d.J.Z, d.K.Z);
            }
            else
            {
                foreach (var name in new[] { "size", "spacing", "origin", "direction" })
                    w.WriteNull(name);
            }
            Nullable(w, "huMin", hu?.Min);
            Nullable(w, "huMax", hu?.Max);
            Nullable(w, "huMean", hu?.Mean);
            w.WriteStartArray("warnings");
            foreach (var warning in stack.Warnings)
                w.WriteStringValue(warning);
            w.WriteEndArray();
            if (rejection is not null)
                w.WriteString("rejected", rejection);
            var a = stack.Acquisition;
            w.WriteString("manufacturer", a.Manufacturer);
            w.WriteString("manufacturerModelName", a.ManufacturerModelName);
            w.WriteString("institutionName", a.InstitutionName);
            w.WriteString("stationName", a.StationName);
            w.WriteString("deviceSerialNumber", a.DeviceSerialNumber);
            Nullable(w, "kvp", a.KVP);
            w.WriteString("convolutionKernel", a.ConvolutionKernel);
            Nullable(w, "sliceThickness", a.SliceThickness);
            w.WriteString("contrastBolusAgent", a.ContrastBolusAgent);
            w.WriteStartArray("imageType");
            foreach (var value in a.ImageType)
                w.WriteStringValue(value);
            w.WriteEndArray();
            w.WriteString("bodyPartExamined", a.BodyPartExamined);
            w.WriteString("patientAge", a.PatientAge);
            w.WriteString("patientSex", a.PatientSex);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Array(Utf8JsonWriter w, string name, params double[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            w.WriteNumberValue(v + 0.0); // no "-0"
        w.WriteEndArray();
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
        else
            w.WriteNull(name);
    }
}
