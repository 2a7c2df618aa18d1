using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>Colour-by-plane RGB (made by GDCM) and 1-bit packed frames (made by pydicom), against the reference values.</summary>
[TestClass]
public sealed class PixelLayoutTests
{
    [TestMethod]
    public void Planar_rgb_reads_interleaved()
    {
        var dir = TestPaths.NewTempDirectory();
        var source = TestPaths.Data("reference-dicom", "files", "single", "ExplVR_BigEnd.dcm");
        var planar = Path.Combine(dir, "planar.dcm");
        ExternalTool.Run("gdcmconv", ["--raw", "--planar-configuration", "1", source, planar]).EnsureSuccess("gdcmconv");
        var file = DicomFile.Open(planar);
        Assert.AreEqual(1, file.Dataset.GetSingleValue<int>(DicomTag.PlanarConfiguration));
        var expected = File.ReadLines(TestPaths.Data("reference-dicom", "expected.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("file").GetString() == "files/single/ExplVR_BigEnd.dcm");
        Assert.AreEqual(expected.GetProperty("pixelSha256").GetString(), DicomPixelSummary.Of(DicomPixelData.Create(file.Dataset)).Sha256);
    }

    [TestMethod]
    public void One_bit_frames_unpack_least_significant_bit_first_across_frame_boundaries()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "bits.dcm");
        // 3 frames of 5×3 = 15 bits each: frames start mid-byte.
        const string script = """
            import sys, numpy as np, pydicom
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.pixel_data_handlers.numpy_handler import pack_bits
            rng = np.random.default_rng(7)
            a = rng.integers(0, 2, size=(3, 3, 5), dtype=np.uint8)
            ds = Dataset()
            ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'; ds.SOPInstanceUID = '1.2.3.4.5'
            ds.Rows, ds.Columns, ds.NumberOfFrames = 3, 5, 3
            ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = 'MONOCHROME2'
            ds.BitsAllocated = 1; ds.BitsStored = 1; ds.HighBit = 0; ds.PixelRepresentation = 0
            ds.PixelData = pack_bits(a)
            ds.file_meta = FileMetaDataset(); ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.1'
            ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID; ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.is_little_endian = True; ds.is_implicit_VR = False
            ds.save_as(sys.argv[1], write_like_original=False)
            print(''.join(str(int(v)) for v in pydicom.dcmread(sys.argv[1]).pixel_array.ravel()), end='')
            """;
        var bits = ExternalTool.Python(script, path).EnsureSuccess("pydicom").StdOut;
        Assert.AreEqual(45, bits.Length);
        var pixels = DicomPixelData.Create(DicomFile.Open(path).Dataset);
        var ours = string.Concat(Enumerable.Range(0, 3).SelectMany(f => pixels.GetStoredValues(f)).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.AreEqual(bits, ours);
    }
}
