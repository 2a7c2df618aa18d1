using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.ML.OnnxRuntime;
using OsteoML.Models.Cards;
using OsteoML.Models.Data;
using OsteoML.Inference;
using OsteoML.Models.Training;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Rendering;
using TorchSharp;

namespace OsteoML.Bench.Models;

/// <summary>
/// The shipped VB-Net-lite on one <c>full</c> synthetic case (the scanner's 512×512 grid) through ONNX Runtime on two
/// threads: preprocessing (canonical frame, resampling to the model's spacing, HU normalisation) and the sliding
/// window (patches, overlap 0.5, Gaussian weighting). The setup prints the case, the window count and the model's
/// convolution FLOPs for the case, so GFLOP/s = FLOPs / the SlidingWindow mean.
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*SegmentationBenchmark*'</c>
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

    private InferenceSession session = null!;
    private SlidingWindowSegmenter segmenter = null!;
    private SyntheticCase fullCase = null!;
    private SegmentationRecipe recipe = null!;
    private float[] input = [];
    private int[] size = [];

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(2);
        var directory = Path.Combine(RepositoryRoot(), "models", ModelPackage.VBNetName);
        var card = ModelCard.Read(Path.Combine(directory, ModelCard.FileName));
        recipe = SegmentationRecipe.Paper with { SpacingMm = card.Preprocessing.SpacingMm[0], InferencePatchSize = card.Preprocessing.PatchSize };
        session = OnnxRuntimeSessions.Open(Path.Combine(directory, card.File), threads: 2);
        segmenter = new SlidingWindowSegmenter(session, recipe.InferencePatchSize, recipe.InferenceOverlap, padValue: recipe.Normalization.Apply(-1000f),
            foregroundAbove: recipe.Normalization.Apply(SlidingWindowSegmenter.BodyThresholdHu));
        var cohort = SyntheticCohort.Create("paper", 42);
        var index = cohort.CasesIn(CohortSplit.Test).First(c => c.Coverage.CoversL1AndL2).Index;
        fullCase = cohort.Render(index, RenderOptions.Full);
        Preprocess();
        var windows = Enumerable.Range(0, 3).Select(a => SlidingWindowSegmenter.Starts(Math.Max(size[a], recipe.InferencePatchSize[a]), recipe.InferencePatchSize[a], recipe.InferenceOverlap).Length)
            .Aggregate(1, (a, b) => a * b);
        Console.WriteLine($"// full case {fullCase.CaseId}: {fullCase.Hu.Size} voxels at {fullCase.Hu.Geometry.Spacing} mm → {string.Join("×", size)} at {recipe.SpacingMm} mm; "
            + $"{windows} windows × {card.Architecture.GigaFlopsPerInput:F2} GFLOP = {windows * card.Architecture.GigaFlopsPerInput:F1} GFLOP");
    }

    [Benchmark]
    public int Preprocess()
    {
        using var scope = torch.NewDisposeScope();
        var (hu, _) = SyntheticCases.Canonical(fullCase, recipe.SpacingMm);
        size = hu.shape.Select(d => (int)d).ToArray();
        input = VolumeTensors.ToArray(recipe.Normalization.Apply(hu));
        return input.Length;
    }

    [Benchmark]
    public int SlidingWindow()
    {
        var probabilities = segmenter.Predict(input, size, out _);
        return probabilities.Length;
    }

    [GlobalCleanup]
    public void Cleanup() => session.Dispose();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OsteoML.sln")))
                return dir.FullName;
        throw new InvalidOperationException("OsteoML.sln not found above the benchmark's directory.");
    }
}
