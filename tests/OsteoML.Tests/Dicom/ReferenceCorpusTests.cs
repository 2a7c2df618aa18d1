using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// Every file of tests/data/reference-dicom against expected.jsonl, whose pixel values pydicom, dcmtk and GDCM
/// agree on (see its README). Nothing here was produced by our code. Files the corpus lists as an unsupported
/// syntax carry reference pixels too: with the native codecs they must decode to exactly those (lossy ones included:
/// the references decoded them with the same libraries' defaults).
/// </summary>
[TestClass]
public sealed class ReferenceCorpusTests
{
    public static IEnumerable<object[]> Cases() =>
        File.ReadLines(TestPaths.Data("reference-dicom", "expected.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => new object[] { JsonDocument.Parse(l).RootElement.GetProperty("file").GetString()!, l });

    public static string Name(System.Reflection.MethodInfo _, object[] data) => (string)data[0];

    [TestMethod]
    [DynamicData(nameof(Cases), DynamicDataDisplayName = nameof(Name))]
    public void File_matches_reference(string file, string json)
    {
        var expected = JsonDocument.Parse(json).RootElement;
        var path = TestPaths.Data("reference-dicom", file);
        var expect = ReferenceCorpus.Expectation(expected);

        if (expect == "error-or-pixels")
        {
            CheckMalformed(path);
            return;
        }

        var dicom = DicomFile.Open(path);
        if (expected.TryGetProperty("transferSyntaxUid", out var ts) && ts.ValueKind == JsonValueKind.String)
            Assert.AreEqual(ts.GetString(), dicom.TransferSyntax.UID);
        if (expect == "no-reference")
        {
            Assert.IsGreaterThan(0, dicom.Dataset.Count, "the dataset should parse");
            return;
        }

        var ds = dicom.Dataset;
        Assert.AreEqual(expected.GetProperty("rows").GetInt32(), ds.GetSingleValue<int>(DicomTag.Rows));
        Assert.AreEqual(expected.GetProperty("columns").GetInt32(), ds.GetSingleValue<int>(DicomTag.Columns));
        Assert.AreEqual(expected.GetProperty("modality").GetString(), ds.GetString(DicomTag.Modality));
        Assert.AreEqual(expected.GetProperty("photometricInterpretation").GetString(), ds.GetString(DicomTag.PhotometricInterpretation));
        if (expected.GetProperty("seriesInstanceUid").ValueKind == JsonValueKind.String)
            Assert.AreEqual(expected.GetProperty("seriesInstanceUid").GetString(), ds.GetString(DicomTag.SeriesInstanceUID));
        if (expected.GetProperty("imagePositionPatient").ValueKind == JsonValueKind.Array)
        {
            var ipp = ds.GetValues<double>(DicomTag.ImagePositionPatient);
            var want = expected.GetProperty("imagePositionPatient").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            CollectionAssert.AreEqual(want, ipp);
        }
        if (expected.GetProperty("rescaleSlope").ValueKind == JsonValueKind.Number)
        {
            Assert.AreEqual(expected.GetProperty("rescaleSlope").GetDouble(), ds.GetSingleValue<double>(DicomTag.RescaleSlope));
            Assert.AreEqual(expected.GetProperty("rescaleIntercept").GetDouble(), ds.GetSingleValue<double>(DicomTag.RescaleIntercept));
        }

        var pixels = DicomPixelData.Create(ds);
        if (expect == "unsupported-transfer-syntax")
        {
            var error = Assert.ThrowsExactly<NotSupportedException>(() => pixels.GetFrame(0));
            StringAssert.Contains(error.Message, ReferenceCorpus.StillUnsupported[file]);
            StringAssert.Contains(error.Message, dicom.TransferSyntax.UID);
            StringAssert.Contains(error.Message, dicom.TransferSyntax.Name);
            Assert.AreNotEqual("unknown transfer syntax", dicom.TransferSyntax.Name);
            return;
        }

        Assert.AreEqual("pixels", expect);
        var shape = expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        CollectionAssert.AreEqual(shape, new[] { pixels.NumberOfFrames, pixels.Rows, pixels.Columns, pixels.SamplesPerPixel });
        Assert.AreEqual(expected.GetProperty("bitsAllocated").GetInt32(), pixels.BitsAllocated);
        Assert.AreEqual(expected.GetProperty("bitsStored").GetInt32(), pixels.BitsStored);
        Assert.AreEqual(expected.GetProperty("pixelRepresentation").GetInt32(), pixels.PixelRepresentation);

        var summary = DicomPixelSummary.Of(pixels);
        Assert.AreEqual(expected.GetProperty("pixelSha256").GetString(), summary.Sha256, "stored values differ from the reference decoders");
        Assert.AreEqual(expected.GetProperty("min").GetInt64(), summary.Min);
        Assert.AreEqual(expected.GetProperty("max").GetInt64(), summary.Max);
        Assert.AreEqual(expected.GetProperty("sum").GetInt64(), summary.Sum);

        if (expected.TryGetProperty("rescaled", out var rescaled))
        {
            double min = double.MaxValue, max = double.MinValue, sum = 0;
            var values = new float[pixels.Rows * pixels.Columns];
            for (var f = 0; f < pixels.NumberOfFrames; f++)
            {
                pixels.ReadRescaledFrame(f, values);
                foreach (var v in values)
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                    sum += v;
                }
            }
            // Rescaled values are float32 (what the volume holds); a fractional slope (the lossy JPEG's) rounds there.
            var wantMin = rescaled.GetProperty("min").GetDouble();
            var wantMax = rescaled.GetProperty("max").GetDouble();
            Assert.AreEqual(wantMin, min, 1e-6 * Math.Abs(wantMin));
            Assert.AreEqual(wantMax, max, 1e-6 * Math.Abs(wantMax));
            Assert.AreEqual(rescaled.GetProperty("sum").GetDouble(), sum, 1e-6 * Math.Abs(sum) + 1e-6);
        }
    }

    /// <summary>Malformed files: read what is there or fail with a one-line DicomDataException; a failed open names the file.</summary>
    private static void CheckMalformed(string path)
    {
        DicomFile dicom;
        try
        {
            dicom = DicomFile.Open(path);
        }
        catch (DicomDataException ex)
        {
            StringAssert.Contains(ex.Message, path);
            Assert.IsFalse(ex.Message.Contains('\n'), "one line");
            return;
        }
        Assert.IsGreaterThan(0, dicom.Dataset.Count, "what was read is kept");
        if (!dicom.Dataset.Contains(DicomTag.PixelData))
            return;
        try
        {
            Assert.AreEqual(64, DicomPixelSummary.Of(DicomPixelData.Create(dicom.Dataset)).Sha256.Length);
        }
        catch (DicomDataException ex)
        {
            Assert.IsFalse(ex.Message.Contains('\n'), "one line");
            Assert.IsGreaterThan(0, ex.Message.Length);
        }
    }
}
