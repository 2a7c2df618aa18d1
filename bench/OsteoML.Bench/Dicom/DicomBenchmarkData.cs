using System.Diagnostics;
using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;

namespace OsteoML.Bench.Dicom;

/// <summary>
/// The benchmark inputs, generated once into <c>$OSTEOML_BENCH_DICOM</c> (default: a folder under /tmp): a
/// 512×512×300 CT series written by our writer (explicit VR little endian, 16-bit signed), the same series
/// JPEG-lossless (SV1) by dcmtk's dcmcjpeg, one 300-frame JPEG-lossless file of the same pixels, and 10,000 small
/// CT files for the header scan. <see cref="UseQuickSizes"/> shrinks all three for a smoke run (another folder).
/// </summary>
public static class DicomBenchmarkData
{
    public static int Size { get; private set; } = 512;
    public static int Slices { get; private set; } = 300;
    public static int ScanFiles { get; private set; } = 10_000;
    private static string suffix = "";

    /// <summary>128×128×40 and 500 scan files, in the root's <c>-quick</c> sibling.</summary>
    public static void UseQuickSizes() => (Size, Slices, ScanFiles, suffix) = (128, 40, 500, "-quick");

    public static string Root => (Environment.GetEnvironmentVariable("OSTEOML_BENCH_DICOM") is { Length: > 0 } dir
        ? dir
        : Path.Combine(Path.GetTempPath(), "osteoml-bench-dicom")) + suffix;

    public static string Native => Path.Combine(Root, "native");
    public static string Jpeg => Path.Combine(Root, "jpeg");
    public static string MultiFrameJpeg => Path.Combine(Root, "multiframe-jpeg.dcm");
    public static string Scan => Path.Combine(Root, "scan");
    public static string MultiFrameJ2k => Path.Combine(Root, "multiframe-j2k.dcm");
    public static string MultiFrameJpegLs => Path.Combine(Root, "multiframe-jpegls.dcm");

    public static void Ensure()
    {
        if (File.Exists(Path.Combine(Root, "complete")))
        {
            // Data written before the JPEG 2000 / JPEG-LS files existed: add them from the phantom.
            if (!File.Exists(MultiFrameJpegLs))
            {
                var native = Path.Combine(Root, "multiframe-native.dcm");
                WriteMultiFrame(Phantom(Size, Size, Slices), native);
                EncodeWithGdcm(native);
                File.Delete(native);
            }
            return;
        }
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
        Directory.CreateDirectory(Root);

        var volume = Phantom(Size, Size, Slices);
        CtSeriesWriter.Write(volume, Native, new CtSeriesDescription { Acquisition = new CtAcquisition { Manufacturer = "Bench", KVP = 120, ConvolutionKernel = "B30f" } });

        Directory.CreateDirectory(Jpeg);
        Parallel.ForEach(Directory.GetFiles(Native), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            file => Run("dcmcjpeg", "+e1", file, Path.Combine(Jpeg, Path.GetFileName(file))));

        // One multi-frame file of all slices, for timing dcmdjpeg without 300 process starts.
        var multi = Path.Combine(Root, "multiframe-native.dcm");
        WriteMultiFrame(volume, multi);
        Run("dcmcjpeg", "+e1", multi, MultiFrameJpeg);
        EncodeWithGdcm(multi);
        File.Delete(multi);

        CtSeriesWriter.Write(Phantom(32, 32, ScanFiles), Scan);
        File.WriteAllText(Path.Combine(Root, "complete"), DateTime.UtcNow.ToString("O"));
    }

    /// <summary>Body-like HU: air around an ellipse of soft tissue with a bony ring and noise, so compression has real work.</summary>
    public static Volume<float> Phantom(int x, int y, int z)
    {
        var volume = new Volume<float>(new VolumeGeometry(new Size3(x, y, z), new Vec3(0.7, 0.7, 1.0), new Vec3(-179, -179, -300), Direction3.Identity));
        Parallel.For(0, z, k =>
        {
            var random = new Random(k);
            var slice = volume.Slice(k);
            for (var j = 0; j < y; j++)
            for (var i = 0; i < x; i++)
            {
                var u = (i - x / 2.0) / (0.45 * x);
                var v = (j - y / 2.0) / (0.35 * y);
                var r = Math.Sqrt(u * u + v * v);
                var hu = r > 1 ? -1000 : r > 0.93 ? 300 + 500 * Math.Sin(k * 0.05) : 40 + 20 * Math.Sin(i * 0.05) * Math.Cos(j * 0.07);
                slice[j * x + i] = (float)Math.Round(hu + random.NextDouble() * 20 - 10);
            }
        });
        return volume;
    }

    private static void WriteMultiFrame(Volume<float> volume, string path)
    {
        var first = Path.Combine(Root, "one");
        var slices = CtSeriesWriter.Write(new Volume<float>(volume.Geometry with { Size = volume.Size with { Z = 1 } }, volume.Slice(0).ToArray()), first);
        var ds = DicomFile.Open(slices[0]).Dataset.Clone();
        var pixels = new byte[(long)Size * Size * 2 * Slices];
        var stored = new short[Size * Size];
        for (var z = 0; z < Slices; z++)
        {
            var slice = volume.Slice(z);
            for (var i = 0; i < stored.Length; i++)
                stored[i] = (short)(slice[i] + 1024);
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(stored.AsSpan()).CopyTo(pixels.AsSpan(z * Size * Size * 2));
        }
        ds.AddOrUpdate(DicomTag.NumberOfFrames, Slices);
        ds.AddOrUpdate(new DicomElement(DicomTag.PixelData, DicomVR.OW, pixels));
        new DicomFile(ds).Save(path);
        Directory.Delete(first, recursive: true);
    }

    /// <summary>The multi-frame file as JPEG 2000 and JPEG-LS lossless, encoded by GDCM (the encoder most archives meet).</summary>
    private static void EncodeWithGdcm(string multiFrameNative)
    {
        Run("gdcmconv", "--j2k", multiFrameNative, MultiFrameJ2k);
        Run("gdcmconv", "--jpegls", multiFrameNative, MultiFrameJpegLs);
    }

    private static void Run(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true, UseShellExecute = false })
                            ?? throw new InvalidOperationException($"could not start {tool}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} failed: {error}");
    }
}
