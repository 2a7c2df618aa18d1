using System.Runtime.InteropServices;
using CsCheck;
using OsteoML.Dicom;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Dicom;

/// <summary>
/// Random images of 2–16 bits (signed and unsigned, one or three samples, one to three frames) written native by us,
/// compressed by dcmtk (JPEG lossless with a random predictor and point transform, or RLE), decoded by us: the
/// values must be what the encoder was given (less the bits the point transform drops).
/// </summary>
[TestClass]
public sealed class CodecPropertyTests
{
    public sealed record Image(int Rows, int Columns, int Frames, int Samples, int Bits, bool Signed, int Predictor, int PointTransform, int[] Values, bool Smooth)
    {
        public int BitsAllocated => Bits <= 8 ? 8 : 16;
        public override string ToString() => $"{Columns}×{Rows}×{Frames}, {Samples} sample(s), {Bits} bits {(Signed ? "signed" : "unsigned")}, predictor {Predictor}, Pt {PointTransform}, {(Smooth ? "smooth" : "noise")}";
    }

    private static Gen<Image> Images(bool color) =>
        from rows in Gen.Int[1, 20]
        from columns in Gen.Int[1, 20]
        from frames in Gen.Int[1, 3]
        from samples in color ? Gen.Int[0, 1].Select(c => 1 + 2 * c) : Gen.Const(1)
        from bits in Gen.Int[2, 16]
        from signed in Gen.Bool
        from predictor in Gen.Int[1, 7]
        from pointTransform in Gen.Int[0, Math.Min(3, bits - 2)]
        from smooth in Gen.Bool
        from values in Gen.Int[0, (1 << bits) - 1].Array[rows * columns * frames * samples]
        select new Image(rows, columns, frames, samples, bits, signed, predictor, pointTransform, smooth ? Smoothed(values, bits) : values, smooth);

    /// <summary>Neighbouring values close together (what predictors are for), still covering the full range.</summary>
    private static int[] Smoothed(int[] values, int bits)
    {
        var result = new int[values.Length];
        var current = values[0];
        for (var i = 0; i < values.Length; i++)
        {
            current = Math.Clamp(current + (values[i] % 7) - 3, 0, (1 << bits) - 1);
            result[i] = current;
        }
        return result;
    }

    [TestMethod]
    public void Jpeg_lossless_from_dcmcjpeg_decodes_to_the_encoded_values()
    {
        var dir = TestPaths.NewTempDirectory();
        Images(color: true).Sample(image =>
        {
            var native = Write(image, dir);
            var encoded = native + ".jpeg.dcm";
            ExternalTool.Run("dcmcjpeg", ["+el", "+sv", image.Predictor.ToString(), "+pt", image.PointTransform.ToString(), native, encoded])
                .EnsureSuccess($"dcmcjpeg on {image}");
            Check(image, encoded, image.PointTransform);
        }, iter: 60, threads: 1);
    }

    [TestMethod]
    public void Rle_from_dcmcrle_decodes_to_the_encoded_values_and_our_rle_encoder_decodes_in_dcmtk()
    {
        var dir = TestPaths.NewTempDirectory();
        Images(color: true).Sample(image =>
        {
            var native = Write(image, dir);
            var encoded = native + ".rle.dcm";
            ExternalTool.Run("dcmcrle", [native, encoded]).EnsureSuccess($"dcmcrle on {image}");
            Check(image, encoded, 0);

            // Our RLE encoder, decoded by dcmtk back to native: the same values.
            var ours = native + ".ours.dcm";
            DicomFile.Open(native).Clone(DicomTransferSyntax.RLELossless).Save(ours);
            var decoded = native + ".dcmdrle.dcm";
            ExternalTool.Run("dcmdrle", [ours, decoded]).EnsureSuccess($"dcmdrle on our RLE of {image}");
            Check(image, decoded, 0);
        }, iter: 40, threads: 1);
    }

    private static string Write(Image image, string dir)
    {
        var ds = new DicomDataset();
        ds.Add(DicomTag.SOPClassUID, DicomUID.SecondaryCaptureImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.Modality, "OT");
        ds.Add(DicomTag.ConversionType, "WSD");
        ds.Add(DicomTag.SamplesPerPixel, (ushort)image.Samples);
        ds.Add(DicomTag.PhotometricInterpretation, image.Samples == 1 ? "MONOCHROME2" : "RGB");
        if (image.Samples > 1)
            ds.Add(DicomTag.PlanarConfiguration, (ushort)0);
        ds.Add(DicomTag.NumberOfFrames, image.Frames);
        ds.Add(DicomTag.Rows, (ushort)image.Rows);
        ds.Add(DicomTag.Columns, (ushort)image.Columns);
        ds.Add(DicomTag.BitsAllocated, (ushort)image.BitsAllocated);
        ds.Add(DicomTag.BitsStored, (ushort)image.Bits);
        ds.Add(DicomTag.HighBit, (ushort)(image.Bits - 1));
        ds.Add(DicomTag.PixelRepresentation, (ushort)(image.Signed ? 1 : 0));
        byte[] bytes = image.BitsAllocated == 8
            ? image.Values.Select(v => (byte)v).ToArray()
            : MemoryMarshal.AsBytes(image.Values.Select(v => (ushort)v).ToArray().AsSpan()).ToArray();
        ds.Add(new DicomElement(DicomTag.PixelData, image.BitsAllocated == 8 ? DicomVR.OB : DicomVR.OW, bytes));
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".dcm");
        new DicomFile(ds).Save(path);
        return path;
    }

    private static void Check(Image image, string path, int pointTransform)
    {
        var pixels = DicomPixelData.Create(DicomFile.Open(path).Dataset);
        var perFrame = image.Rows * image.Columns * image.Samples;
        for (var f = 0; f < image.Frames; f++)
        {
            var values = pixels.GetStoredValues(f);
            for (var i = 0; i < perFrame; i++)
            {
                var raw = (image.Values[f * perFrame + i] >> pointTransform) << pointTransform;
                var expected = image.Signed && raw >= 1 << (image.Bits - 1) ? raw - (1 << image.Bits) : raw;
                if (values[i] != expected)
                    Assert.Fail($"{image}: frame {f}, value {i} (row {i / image.Samples / image.Columns}, column {i / image.Samples % image.Columns}) is {values[i]}, expected {expected}.");
            }
        }
    }
}
