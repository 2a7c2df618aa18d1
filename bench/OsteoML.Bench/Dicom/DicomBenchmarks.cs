using BenchmarkDotNet.Attributes;
using OsteoML.Dicom;
using OsteoML.Dicom.IO;
using OsteoML.Dicom.Series;

namespace OsteoML.Bench.Dicom;

/// <summary>
/// The issue 3 speed targets, on data from <see cref="DicomBenchmarkData"/>. <c>compare.sh</c> runs these beside
/// pydicom + numpy and dcmtk's dcmdjpeg on the same files and prints the ratios.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class DicomBenchmarks
{
    [GlobalSetup]
    public void Setup() => DicomBenchmarkData.Ensure();

    /// <summary>Uncompressed 512×512×300 series → HU volume: scan headers, sort, read and rescale every slice.</summary>
    [Benchmark]
    public float NativeSeriesToHuVolume() => CtVolume.Load(DicomBenchmarkData.Native).Hu.Voxels[12345];

    /// <summary>The same series JPEG-lossless (SV1): decode every slice into an HU volume.</summary>
    [Benchmark]
    public float JpegSeriesToHuVolume() => CtVolume.Load(DicomBenchmarkData.Jpeg).Hu.Voxels[12345];

    /// <summary>300 JPEG-lossless frames of one file, one thread: the codec against dcmdjpeg on the same file.</summary>
    [Benchmark]
    public long JpegMultiFrameDecodeOneThread() => MultiFrameDecodeOneThread(DicomBenchmarkData.MultiFrameJpeg);

    /// <summary>The same 300 frames as JPEG 2000 lossless (gdcmconv --j2k), one thread: OpenJPEG through our codec.</summary>
    [Benchmark]
    public long J2kMultiFrameDecodeOneThread() => MultiFrameDecodeOneThread(DicomBenchmarkData.MultiFrameJ2k);

    /// <summary>The same 300 frames as JPEG-LS lossless (gdcmconv --jpegls), one thread: CharLS through our codec.</summary>
    [Benchmark]
    public long JpegLsMultiFrameDecodeOneThread() => MultiFrameDecodeOneThread(DicomBenchmarkData.MultiFrameJpegLs);

    /// <summary>Every frame of one file decoded in turn on this thread.</summary>
    public static long MultiFrameDecodeOneThread(string path)
    {
        var pixels = DicomPixelData.Create(DicomFile.Open(path).Dataset);
        var frame = new byte[pixels.Format.FrameBytes];
        long check = 0;
        for (var f = 0; f < pixels.NumberOfFrames; f++)
        {
            pixels.ReadFrame(f, frame);
            check += frame[f];
        }
        return check;
    }

    /// <summary>Header-only scan of 10,000 files into studies, series and stacks (warm page cache).</summary>
    [Benchmark]
    public int HeaderScan10000Files() => DicomSeriesScanner.Scan(DicomBenchmarkData.Scan).Stacks.Count;

    /// <summary>The same 10,000 headers read one after another, without grouping (the reader alone).</summary>
    [Benchmark]
    public int HeaderRead10000FilesOneThread()
    {
        var options = new DicomReadOptions { StopAtPixelData = true };
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(DicomBenchmarkData.Scan))
            count += DicomFile.Open(file, options).Dataset.Count;
        return count;
    }
}
