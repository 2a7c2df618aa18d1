using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace OsteoML.Bench.Models;

/// <summary>
/// The shipped VB-Net on one <c>full</c> case (<see cref="SegmentationCase"/>) through ONNX Runtime on two threads.
/// The setup prints the case, the window count and the model's FLOPs for the case, so GFLOP/s = FLOPs / the
/// SlidingWindow mean. <c>dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*SegmentationBenchmark*'</c>;
/// <c>… -- models segment</c> (<see cref="SegmentationRunner"/>) measures the same for <c>bench/run</c>.
/// </summary>
[Config(typeof(InProcessMonitoring))]
public class SegmentationBenchmark
{
    /// <summary>In this process (a generated job project would get an unpatched libtorch), 1 warm-up and 5 measured runs.</summary>
    private sealed class InProcessMonitoring : ManualConfig
    {
        public InProcessMonitoring() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5));
    }

    private SegmentationCase segmentation = null!;

    [GlobalSetup]
    public void Setup()
    {
        segmentation = new SegmentationCase(threads: 2);
        Console.WriteLine("// " + segmentation.Description);
    }

    [Benchmark]
    public int Preprocess() => segmentation.Preprocess();

    [Benchmark]
    public int SlidingWindow() => segmentation.SlidingWindow();

    [GlobalCleanup]
    public void Cleanup() => segmentation.Dispose();
}
