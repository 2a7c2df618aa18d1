using System.Diagnostics;
using System.Globalization;
using OsteoML.Cli.Benchmarks;

namespace OsteoML.Bench.Dicom;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- dicom [--rounds 5] [--quick] [--json FILE]</c>
/// <para>Issue 3's DICOM targets side by side, alternating: each round times, back to back on the same files, our
/// series → HU volume, pydicom + numpy doing the same, and dcmtk's <c>dcmdump +M</c> parsing every file with its pixel
/// data in one process (dcmtk has no HU-volume tool; this is its reading alone); then our single-thread JPEG-lossless
/// decode of a 300-frame file and <c>dcmdjpeg</c> on it (its time includes writing the decoded file and starting the
/// process, about 10 ms); then the header-only scan of 10,000 files, ours and pydicom's <c>stop_before_pixels</c>.
/// Ours and pydicom run warm (one untimed pass first, each in its own long-lived process); median ratios come from
/// <see cref="BenchStatistics.MedianRatio"/>.</para>
/// </summary>
public static class DicomComparison
{
    public static void Run(string[] args)
    {
        var rounds = (int)BenchRun.Number(args, "--rounds", 5);
        if (BenchRun.Flag(args, "--quick")) DicomBenchmarkData.UseQuickSizes();
        var clock = Stopwatch.StartNew();
        DicomBenchmarkData.Ensure();
        Console.WriteLine($"data in {DicomBenchmarkData.Root} ({clock.Elapsed.TotalSeconds:F0} s to ensure)");
        var ours = new DicomBenchmarks();
        var nativeFiles = Directory.GetFiles(DicomBenchmarkData.Native, "*.dcm").Order(StringComparer.Ordinal).ToArray();
        using var pydicom = PydicomServer.Start();
        string[] dcmdump = ["-q", "+M", .. nativeFiles];
        var decoded = Path.Combine(Path.GetTempPath(), $"osteoml-bench-dcmdjpeg-{Environment.ProcessId}.dcm");
        string[] dcmdjpeg = [DicomBenchmarkData.MultiFrameJpeg, decoded];

        // Warm-up: JIT, the page cache, Python's imports; not recorded.
        ours.NativeSeriesToHuVolume(); pydicom.Time("series"); Tool("dcmdump", dcmdump);
        ours.JpegMultiFrameDecodeOneThread(); Tool("dcmdjpeg", dcmdjpeg);
        ours.HeaderScan10000Files(); pydicom.Time("scan");

        var names = new[] { "oursSeriesSeconds", "pydicomSeriesSeconds", "dcmdumpSeriesSeconds", "oursJpegSeconds", "dcmdjpegSeconds", "oursScanSeconds", "pydicomScanSeconds" };
        var times = names.ToDictionary(n => n, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            times["oursSeriesSeconds"].Add(Time(() => ours.NativeSeriesToHuVolume()));
            times["pydicomSeriesSeconds"].Add(pydicom.Time("series"));
            times["dcmdumpSeriesSeconds"].Add(Tool("dcmdump", dcmdump));
            times["oursJpegSeconds"].Add(Time(() => ours.JpegMultiFrameDecodeOneThread()));
            times["dcmdjpegSeconds"].Add(Tool("dcmdjpeg", dcmdjpeg));
            times["oursScanSeconds"].Add(Time(() => ours.HeaderScan10000Files()));
            times["pydicomScanSeconds"].Add(pydicom.Time("scan"));
            Console.WriteLine($"round {round + 1}/{rounds}: " + string.Join(", ", names.Select(n => $"{n} {times[n][^1]:F3}")));
        }
        File.Delete(decoded);
        var values = times.ToDictionary(p => p.Key, p => p.Value.ToArray());
        var pixelBytes = 2.0 * DicomBenchmarkData.Size * DicomBenchmarkData.Size * DicomBenchmarkData.Slices;
        values["seriesPixelBytes"] = [pixelBytes];
        values["scanFiles"] = [DicomBenchmarkData.ScanFiles];
        Console.WriteLine($"series: {BenchStatistics.MedianRatio(values["pydicomSeriesSeconds"], values["oursSeriesSeconds"]):F2}× pydicom, " +
                          $"{BenchStatistics.MedianRatio(values["dcmdumpSeriesSeconds"], values["oursSeriesSeconds"]):F2}× dcmdump; " +
                          $"JPEG {BenchStatistics.MedianRatio(values["dcmdjpegSeconds"], values["oursJpegSeconds"]):F2}× dcmdjpeg; " +
                          $"scan {BenchStatistics.MedianRatio(values["pydicomScanSeconds"], values["oursScanSeconds"]):F2}× pydicom");
        BenchRun.WriteFragment(args, "dicom", values,
            $"{DicomBenchmarkData.Size}×{DicomBenchmarkData.Size}×{DicomBenchmarkData.Slices} series, {DicomBenchmarkData.ScanFiles} scan files, {rounds} rounds",
            $"series vs dcmtk dcmdump +M (parse with pixel data, no HU volume): {BenchStatistics.MedianRatio(values["dcmdumpSeriesSeconds"], values["oursSeriesSeconds"]):F2}× (median ratio)",
            "dcmdjpeg: one process, includes writing the decoded file");
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds one run of a dcmtk tool took, start to exit, its output discarded.</summary>
    private static double Tool(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        drain.Wait();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited {process.ExitCode}: {error.Trim()}");
        return seconds;
    }

    /// <summary>pydicom_bench.py under Debian's python3, kept running so its imports and page cache stay warm between rounds.</summary>
    private sealed class PydicomServer : IDisposable
    {
        private readonly Process process;
        private PydicomServer(Process process) => this.process = process;

        public static PydicomServer Start()
        {
            var script = Path.Combine(BenchRun.RepositoryRoot(), "bench", "OsteoML.Bench", "Dicom", "pydicom_bench.py");
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { script, DicomBenchmarkData.Root, $"{DicomBenchmarkData.Slices}", $"{DicomBenchmarkData.Size}", $"{DicomBenchmarkData.ScanFiles}" })
                start.ArgumentList.Add(a);
            return new PydicomServer(Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3"));
        }

        public double Time(string task)
        {
            process.StandardInput.WriteLine(task);
            process.StandardInput.Flush();
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"pydicom_bench.py stopped during '{task}' (exit {(process.HasExited ? process.ExitCode : -1)}).");
            return double.Parse(line, CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            process.StandardInput.Close();
            process.WaitForExit();
            process.Dispose();
        }
    }
}
