using System.Diagnostics;
using OsteoML.Cli.Benchmarks;

namespace OsteoML.Bench.Dicom;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- dicom-codecs [--rounds 5] [--quick] [--json FILE]</c>
/// <para>The 512×512×300 benchmark series as one multi-frame file in JPEG 2000 lossless and JPEG-LS lossless (both
/// encoded by <c>gdcmconv</c>), decoded side by side, alternating: ours on one thread (every frame through the
/// codec registry: OpenJPEG, CharLS) and <c>gdcmconv --raw</c> (GDCM, one process; its time includes starting and
/// writing the 157 MB decoded file, about 0.1–0.2 s). GDCM runs OpenJPEG with a thread per core, so besides wall time
/// its CPU time (user + system, from /usr/bin/time) is recorded, and ours (the process's processor time around the
/// decode): "per core" compares CPU seconds, which a loaded shared machine distorts less than wall time. Ratios = median over rounds of GDCM ÷ ours.</para>
/// </summary>
public static class CodecComparison
{
    public static void Run(string[] args)
    {
        var rounds = (int)BenchRun.Number(args, "--rounds", 5);
        if (BenchRun.Flag(args, "--quick")) DicomBenchmarkData.UseQuickSizes();
        DicomBenchmarkData.Ensure();
        var output = Path.Combine(Path.GetTempPath(), $"osteoml-bench-gdcm-{Environment.ProcessId}.dcm");
        (string Name, string File)[] inputs = [("J2k", DicomBenchmarkData.MultiFrameJ2k), ("JpegLs", DicomBenchmarkData.MultiFrameJpegLs)];

        foreach (var (_, file) in inputs) // warm-up: JIT, library loading, page cache
        {
            DicomBenchmarks.MultiFrameDecodeOneThread(file);
            Gdcm(file, output);
        }
        var times = new Dictionary<string, List<double>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, file) in inputs)
            {
                var ourCpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                DicomBenchmarks.MultiFrameDecodeOneThread(file);
                Add(times, $"ours{name}Seconds", clock.Elapsed.TotalSeconds);
                Add(times, $"ours{name}CpuSeconds", (Process.GetCurrentProcess().TotalProcessorTime - ourCpu).TotalSeconds);
                var (wall, cpu) = Gdcm(file, output);
                Add(times, $"gdcm{name}Seconds", wall);
                Add(times, $"gdcm{name}CpuSeconds", cpu);
            }
            Console.WriteLine($"round {round + 1}/{rounds}: " + string.Join(", ", times.Select(t => $"{t.Key} {t.Value[^1]:F3}")));
        }
        File.Delete(output);
        var values = times.ToDictionary(p => p.Key, p => p.Value.ToArray());
        foreach (var (name, file) in inputs)
            values[$"{name}CompressedBytes"] = [new FileInfo(file).Length];
        var summary = string.Join("; ", inputs.Select(i =>
            $"{i.Name}: ours {Median(values[$"ours{i.Name}Seconds"]):F2} s, gdcmconv --raw {Median(values[$"gdcm{i.Name}Seconds"]):F2} s, " +
            $"{BenchStatistics.MedianRatio(values[$"gdcm{i.Name}Seconds"], values[$"ours{i.Name}Seconds"]):F2}× GDCM wall; " +
            $"CPU ours {Median(values[$"ours{i.Name}CpuSeconds"]):F2} s, GDCM {Median(values[$"gdcm{i.Name}CpuSeconds"]):F2} s, " +
            $"{BenchStatistics.MedianRatio(values[$"gdcm{i.Name}CpuSeconds"], values[$"ours{i.Name}CpuSeconds"]):F2}× per core"));
        Console.WriteLine(summary);
        BenchRun.WriteFragment(args, "dicom-codecs", values,
            $"{DicomBenchmarkData.Size}×{DicomBenchmarkData.Size}×{DicomBenchmarkData.Slices} frames, {rounds} rounds, one thread each", summary,
            "gdcmconv --raw: one process, includes start-up and writing the decoded file");
    }

    private static void Add(Dictionary<string, List<double>> times, string key, double value)
    {
        if (!times.TryGetValue(key, out var list))
            times[key] = list = [];
        list.Add(value);
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);

    /// <summary>Wall and CPU seconds of one <c>gdcmconv --raw</c>, measured by /usr/bin/time.</summary>
    private static (double Wall, double Cpu) Gdcm(string input, string output)
    {
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-f", "TIME %e %U %S", "gdcmconv", "--raw", input, output }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/time gdcmconv");
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"gdcmconv exited {process.ExitCode}: {error.Result.Trim()}");
        var line = error.Result.Split('\n').Last(l => l.StartsWith("TIME ", StringComparison.Ordinal)).Split(' ');
        double P(int i) => double.Parse(line[i], System.Globalization.CultureInfo.InvariantCulture);
        return (P(1), P(2) + P(3));
    }
}
