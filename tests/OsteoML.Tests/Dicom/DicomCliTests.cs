using System.Text.Json;
using OsteoML.Cli;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>The <c>osteoml dicom</c> contract: field names, values (from the reference decoders), error lines and exit codes.</summary>
[TestClass]
public sealed class DicomCliTests
{
    private static readonly string[] Fields =
    [
        "file", "transferSyntaxUid", "transferSyntaxName", "sopClassUid", "modality", "rows", "columns", "frames", "samplesPerPixel",
        "bitsAllocated", "bitsStored", "pixelRepresentation", "photometricInterpretation", "rescaleSlope", "rescaleIntercept",
        "pixelSha256", "min", "max", "warnings",
    ];

    [TestMethod]
    public void Inspect_json_matches_the_reference_corpus_and_exits_3_for_the_files_that_fail()
    {
        var expected = File.ReadLines(TestPaths.Data("reference-dicom", "expected.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        var paths = expected.Select(e => TestPaths.Data("reference-dicom", e.GetProperty("file").GetString()!)).ToArray();
        var run = CliRun.Of(["dicom", "inspect", "--json", .. paths]);
        Assert.AreEqual(ExitCodes.SomeInputsFailed, run.ExitCode, run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(expected.Count, lines.Length);

        for (var i = 0; i < lines.Length; i++)
        {
            var line = JsonDocument.Parse(lines[i]).RootElement;
            var want = expected[i];
            var name = want.GetProperty("file").GetString();
            Assert.AreEqual(paths[i], line.GetProperty("file").GetString(), "file as given");
            switch (ReferenceCorpus.Expectation(want))
            {
                case "pixels":
                    CollectionAssert.AreEqual(Fields, line.EnumerateObject().Select(p => p.Name).ToArray(), name);
                    foreach (var field in new[] { "transferSyntaxUid", "modality", "rows", "columns", "frames", "samplesPerPixel", "bitsAllocated", "bitsStored",
                                 "pixelRepresentation", "photometricInterpretation", "rescaleSlope", "rescaleIntercept", "pixelSha256", "min", "max" })
                        Assert.AreEqual(Value(want.GetProperty(field)), Value(line.GetProperty(field)), $"{name}: {field}");
                    break;
                case "unsupported-transfer-syntax":
                    var error = line.GetProperty("error").GetString()!;
                    StringAssert.Contains(error, want.GetProperty("transferSyntaxUid").GetString()!);
                    Assert.AreEqual(want.GetProperty("rows").GetInt32(), line.GetProperty("rows").GetInt32(), name);
                    Assert.AreEqual(JsonValueKind.Null, line.GetProperty("pixelSha256").ValueKind);
                    break;
                case "no-reference":
                    // The header and its sequences parse (nested_priv_SQ carries a 2-byte pixel data element
                    // without an Image Pixel module, which is reported as an error about the pixels only).
                    Assert.AreEqual(want.GetProperty("transferSyntaxUid").GetString(), line.GetProperty("transferSyntaxUid").GetString(), name);
                    if (line.TryGetProperty("error", out var pixelError))
                        StringAssert.Contains(pixelError.GetString(), "pixel data cannot be interpreted");
                    break;
                default: // error-or-pixels: either a hash or one error line
                    Assert.IsTrue(line.TryGetProperty("error", out var e) ? e.GetString()!.Length > 0 : line.GetProperty("pixelSha256").GetString()!.Length == 64, name);
                    break;
            }
        }
    }

    private static object? Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.Null => null,
        _ => e.ToString(),
    };

    [TestMethod]
    public void Inspect_a_missing_file_reports_it_and_goes_on()
    {
        var good = TestPaths.Data("reference-dicom", "files", "single", "CT_small.dcm");
        var run = CliRun.Of("dicom", "inspect", "--json", "no-such-file.dcm", good);
        Assert.AreEqual(ExitCodes.SomeInputsFailed, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.AreEqual("no-such-file.dcm", lines[0].GetProperty("file").GetString());
        StringAssert.Contains(lines[0].GetProperty("error").GetString(), "no-such-file.dcm");
        Assert.AreEqual("7a481f6ffff833aef4d8bd54819bd8f472aaa7232090208e056c90eacf079926", lines[1].GetProperty("pixelSha256").GetString());
    }

    [TestMethod]
    public void Without_json_each_file_and_stack_is_described_in_plain_lines()
    {
        var ct = TestPaths.Data("reference-dicom", "files", "single", "CT_small.dcm");
        var inspect = CliRun.Of("dicom", "inspect", ct, "no-such-file.dcm");
        Assert.AreEqual(ExitCodes.SomeInputsFailed, inspect.ExitCode);
        var lines = inspect.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(2, lines.Length);
        StringAssert.StartsWith(lines[0], ct + ": Explicit VR Little Endian; CT; 128×128");
        StringAssert.Contains(lines[0], "SHA-256 7a481f6ffff833aef4d8bd54819bd8f472aaa7232090208e056c90eacf079926");
        StringAssert.StartsWith(lines[1], "no-such-file.dcm: error: ");

        var series = CliRun.Of("dicom", "series", TestPaths.Data("reference-dicom", "files", "series", "ct5n"));
        Assert.AreEqual(ExitCodes.Success, series.ExitCode, series.Error);
        StringAssert.Contains(series.Out, "16×16×5 voxels of 0.488×0.488×2.5 mm");
        StringAssert.Contains(series.Out, "HU -888..85");
        StringAssert.Contains(series.Out, "5 files: 1 stack(s) (0 rejected), 0 not images, 0 failed.");
    }

    [TestMethod]
    public void Series_json_describes_each_stack_with_geometry_hu_range_and_metadata()
    {
        var folder = TestPaths.Data("reference-dicom", "files", "series");
        var run = CliRun.Of("dicom", "series", "--json", folder);
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        var stacks = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.AreEqual(4, stacks.Count);

        var expected = File.ReadLines(TestPaths.Data("reference-dicom", "expected.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("file").GetString()!.StartsWith("files/series/ct5n/", StringComparison.Ordinal))
            .ToList();
        var ct5n = stacks.Single(s => s.GetProperty("slices").GetInt32() == 5);
        Assert.AreEqual("[16,16,5]", ct5n.GetProperty("size").GetRawText());
        Assert.AreEqual("[1,0,0,0,1,0,0,0,1]", ct5n.GetProperty("direction").GetRawText());
        var lowest = expected.MinBy(e => e.GetProperty("imagePositionPatient")[2].GetDouble());
        CollectionAssert.AreEqual(lowest.GetProperty("imagePositionPatient").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            ct5n.GetProperty("origin").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.AreEqual(expected.Min(e => e.GetProperty("rescaled").GetProperty("min").GetDouble()), ct5n.GetProperty("huMin").GetDouble());
        Assert.AreEqual(expected.Max(e => e.GetProperty("rescaled").GetProperty("max").GetDouble()), ct5n.GetProperty("huMax").GetDouble());
        Assert.AreEqual(expected.Sum(e => e.GetProperty("rescaled").GetProperty("sum").GetDouble()) / (16 * 16 * 5), ct5n.GetProperty("huMean").GetDouble(), 1e-9);
        Assert.AreEqual(expected[0].GetProperty("seriesInstanceUid").GetString(), ct5n.GetProperty("seriesInstanceUid").GetString());
        Assert.AreEqual("CT", ct5n.GetProperty("modality").GetString());
        Assert.AreEqual(0, ct5n.GetProperty("warnings").GetArrayLength());
        foreach (var field in new[] { "manufacturer", "manufacturerModelName", "institutionName", "stationName", "deviceSerialNumber", "kvp",
                     "convolutionKernel", "sliceThickness", "contrastBolusAgent", "imageType", "bodyPartExamined", "patientAge", "patientSex", "studyInstanceUid" })
            Assert.IsTrue(ct5n.TryGetProperty(field, out _), field);

        var rejected = stacks.Single(s => s.TryGetProperty("rejected", out _));
        StringAssert.Contains(rejected.GetProperty("rejected").GetString(), "gap of 202.5 mm");
        Assert.AreEqual(2, stacks.Count(s => s.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.Contains("orientations", StringComparison.Ordinal))));
    }

    [TestMethod]
    public void Series_reports_broken_files_and_exits_3()
    {
        var dir = TestPaths.NewTempDirectory();
        File.Copy(TestPaths.Data("reference-dicom", "files", "single", "CT_small.dcm"), Path.Combine(dir, "a.dcm"));
        var bytes = File.ReadAllBytes(TestPaths.Data("reference-dicom", "files", "single", "CT_small.dcm"));
        File.WriteAllBytes(Path.Combine(dir, "b.dcm"), bytes[..1000]); // cut inside the header
        var run = CliRun.Of("dicom", "series", "--json", dir);
        Assert.AreEqual(ExitCodes.SomeInputsFailed, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.AreEqual(1, lines.Count(l => l.TryGetProperty("slices", out _)));
        var failure = lines.Single(l => l.TryGetProperty("error", out _));
        Assert.AreEqual(Path.Combine(dir, "b.dcm"), failure.GetProperty("file").GetString());
    }
}
