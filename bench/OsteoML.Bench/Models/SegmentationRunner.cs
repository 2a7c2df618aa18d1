using System.Diagnostics;
using OsteoML.Cli.Benchmarks;

namespace OsteoML.Bench.Models;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- models segment [--runs 5] [--threads 2] [--json FILE]</c>
/// <para>Segmentation inference of one <c>full</c> case (<see cref="SegmentationCase"/>): preprocessing and the sliding
/// window, one warm-up then the runs; the model's FLOPs for the case over the median sliding-window time is the
/// achieved GFLOP/s (compare with <see cref="GemmCeiling"/>).</para>
/// </summary>
public static class SegmentationRunner
{
    public static void Run(string[] args)
    {
        var runs = (int)BenchRun.Number(args, "--runs", 5);
        var threads = (int)BenchRun.Number(args, "--threads", 2);
        using var segmentation = new SegmentationCase(threads);
        Console.WriteLine(segmentation.Description);
        segmentation.SlidingWindow();
        var preprocess = new double[runs];
        var window = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            segmentation.Preprocess();
            preprocess[i] = clock.Elapsed.TotalSeconds;
            clock.Restart();
            segmentation.SlidingWindow();
            window[i] = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"run {i + 1}/{runs}: preprocess {preprocess[i]:F2} s, sliding window {window[i]:F2} s");
        }
        var gflops = segmentation.GigaFlops / BenchStatistics.Median(window);
        Console.WriteLine($"{segmentation.GigaFlops:F1} GFLOP in {BenchStatistics.Median(window):F2} s (median) = {gflops:F1} GFLOP/s on {threads} threads");
        BenchRun.WriteFragment(args, "segmentation", new()
        {
            ["segmentPreprocessSeconds"] = preprocess, ["segmentWindowSeconds"] = window, ["segmentGigaFlops"] = [segmentation.GigaFlops],
            ["segmentWindows"] = [segmentation.Windows], ["segmentThreads"] = [threads],
        }, segmentation.Description);
    }
}
