using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// Reference files re-encoded at test time by dcmtk and GDCM into every syntax we read (explicit/implicit/big
/// endian/deflated, RLE, JPEG lossless with each predictor, one-kilobyte fragments, empty offset tables); our
/// decode must give exactly the stored values the reference decoders agree on (expected.jsonl).
/// </summary>
[TestClass]
public sealed class ReencodingTests
{
    internal static readonly string[] Sources =
    [
        "files/single/CT_small.dcm",          // 16-bit signed CT
        "files/single/MR_small.dcm",          // 16-bit signed MR
        "files/single/rtdose.dcm",            // 32-bit unsigned, 15 frames
        "files/single/image_dfl.dcm",         // 8-bit 512×512
        "files/single/ExplVR_BigEnd.dcm",     // 8-bit RGB
        "files/series/ct5n/2062.dcm",         // 16×16 CT slice
    ];

    /// <summary>(name, tool, arguments before IN OUT, whether the source suits it).</summary>
    private static readonly (string Name, string Tool, string[] Args, Func<int, int, bool> Suits)[] Variants =
    [
        ("explicit-le", "dcmconv", ["+te"], (_, _) => true),
        ("implicit-le", "dcmconv", ["+ti"], (_, _) => true),
        ("explicit-be", "dcmconv", ["+tb"], (_, _) => true),
        ("deflated", "dcmconv", ["+td"], (_, _) => true),
        ("rle", "dcmcrle", [], (_, _) => true),
        ("rle-1k-fragments-empty-bot", "dcmcrle", ["+fs", "1", "-ot"], (_, _) => true),
        ("gdcm-rle", "gdcmconv", ["--rle"], (_, _) => true),
        ("jpeg-sv1", "dcmcjpeg", ["+e1"], (bits, _) => bits <= 16),
        ("jpeg-p1", "dcmcjpeg", ["+el", "+sv", "1"], (bits, _) => bits <= 16),
        ("jpeg-p2", "dcmcjpeg", ["+el", "+sv", "2"], (bits, _) => bits <= 16),
        ("jpeg-p3", "dcmcjpeg", ["+el", "+sv", "3"], (bits, _) => bits <= 16),
        ("jpeg-p4", "dcmcjpeg", ["+el", "+sv", "4"], (bits, _) => bits <= 16),
        ("jpeg-p5", "dcmcjpeg", ["+el", "+sv", "5"], (bits, _) => bits <= 16),
        ("jpeg-p6", "dcmcjpeg", ["+el", "+sv", "6"], (bits, _) => bits <= 16),
        ("jpeg-p7", "dcmcjpeg", ["+el", "+sv", "7"], (bits, _) => bits <= 16),
        ("jpeg-1k-fragments-empty-bot", "dcmcjpeg", ["+e1", "+fs", "1", "-ot"], (bits, _) => bits <= 16),
        ("gdcm-jpeg", "gdcmconv", ["--jpeg"], (bits, _) => bits <= 16),
        // JPEG 2000 and JPEG-LS lossless (OpenJPEG and CharLS on our side; GDCM's and dcmtk's encoders on theirs).
        ("gdcm-j2k", "gdcmconv", ["--j2k"], (bits, _) => bits <= 16),
        ("gdcm-jpegls", "gdcmconv", ["--jpegls"], (bits, _) => bits <= 16),
        ("jpegls", "dcmcjpls", [], (bits, _) => bits <= 16),
        ("jpegls-1k-fragments-empty-bot", "dcmcjpls", ["+fs", "1", "-ot"], (bits, _) => bits <= 16),
    ];

    private static JsonElement Expected(string source) => ReferenceCorpus.Entry(source);

    /// <summary>Every source with every variant that can hold it (JPEG holds at most 16 bits: not the 32-bit dose).</summary>
    public static IEnumerable<object[]> Cases() =>
        from source in Sources
        let expected = Expected(source)
        from variant in Variants
        where variant.Suits(expected.GetProperty("bitsAllocated").GetInt32(), expected.GetProperty("samplesPerPixel").GetInt32())
        select new object[] { source, variant.Name };

    public static string Name(System.Reflection.MethodInfo _, object[] data) => $"{Path.GetFileNameWithoutExtension((string)data[0])} → {data[1]}";

    [TestMethod]
    [DynamicData(nameof(Cases), DynamicDataDisplayName = nameof(Name))]
    public void Reencoded_file_decodes_to_the_reference_values(string source, string variantName)
    {
        var expected = Expected(source);
        var variant = Variants.Single(v => v.Name == variantName);
        var dir = TestPaths.NewTempDirectory();
        var input = TestPaths.Data("reference-dicom", source);
        var output = Path.Combine(dir, variantName + ".dcm");
        if (variant.Tool == "gdcmconv")
            ExternalTool.Run("gdcmconv", [.. variant.Args, input, output]).EnsureSuccess(variantName);
        else
            ExternalTool.Run(variant.Tool, [.. variant.Args, input, output]).EnsureSuccess(variantName);

        var file = DicomFile.Open(output);
        var pixels = DicomPixelData.Create(file.Dataset);
        var summary = DicomPixelSummary.Of(pixels);
        Assert.AreEqual(expected.GetProperty("pixelSha256").GetString(), summary.Sha256, $"{source} via {variantName} ({file.TransferSyntax})");
        // The header came through too.
        Assert.AreEqual(expected.GetProperty("rows").GetInt32(), file.Dataset.GetSingleValue<int>(DicomTag.Rows));
        if (expected.GetProperty("seriesInstanceUid").ValueKind == JsonValueKind.String)
            Assert.AreEqual(expected.GetProperty("seriesInstanceUid").GetString(), file.Dataset.GetString(DicomTag.SeriesInstanceUID));
    }
}
