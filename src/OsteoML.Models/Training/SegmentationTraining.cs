using OsteoML.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>How VB-Net-lite is trained: network shape, the spacing it sees, patches, steps and augmentation.</summary>
public sealed record SegmentationRecipe
{
    public VBNetOptions Network { get; init; } = new();
    /// <summary>Isotropic voxel size (mm) the network takes; cases are resampled to it. 2 mm: the synthesis renders
    /// training cases on a 2 mm grid, and a vertebral body's cancellous core is still ≈ 15 voxels across.</summary>
    public double SpacingMm { get; init; } = 2.0;
    /// <summary>Training patch (D, H, W) in voxels at <see cref="SpacingMm"/>: 96 mm, a vertebral body with its neighbours' halves.</summary>
    public int[] PatchSize { get; init; } = [48, 48, 48];
    /// <summary>Sliding-window size for inference: larger than the training patch (the network is fully convolutional),
    /// so the overlap costs fewer recomputed voxels.</summary>
    public int[] InferencePatchSize { get; init; } = [96, 96, 96];
    public double InferenceOverlap { get; init; } = 0.25;
    public int BatchSize { get; init; } = 2;
    /// <summary>34.4 min of steps on 2 quiet cores (≈ 0.1 s a step; the same steps take 20× longer when other jobs take the
    /// cores, because libtorch's OpenMP threads wait on each other). Validated L1/L2 Dice (10 cases per site, model grid) rose
    /// from 0.63–0.67 at 1500 steps to 0.85–0.89 at 3000, 0.86–0.90 at 6000, 0.90–0.91 at 15000 and, with the 3×3×3
    /// full-resolution head and labels resampled centre-aligned, 0.92–0.94 at 20000.</summary>
    public int Steps { get; init; } = 20000;
    /// <summary>Training cases used (the first of the train split, in cohort order); null for all. The remaining 63 of
    /// the paper preset's 703 score the checkpoints.</summary>
    public int? MaxTrainCases { get; init; } = 640;
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 1e-4;
    public SiteAugmentation Augmentation { get; init; } = new();
    public HuNormalization Normalization { get; init; } = HuNormalization.Segmentation;

    /// <summary>The recipe of the shipped model.</summary>
    public static SegmentationRecipe Paper => new();

    /// <summary>A few-second configuration for tests and smoke runs.</summary>
    public static SegmentationRecipe Tiny => new()
    {
        Network = new VBNetOptions { Widths = [8, 16], EncoderBlocks = [1, 1], DecoderBlocks = [1], HeadWidth = 4 },
        PatchSize = [16, 16, 16],
        InferencePatchSize = [32, 32, 32],
        Steps = 30,
        LearningRate = 2e-2,
    };
}

/// <summary>Trains VB-Net-lite with Dice + cross-entropy on augmented patches.</summary>
public static class SegmentationTraining
{
    public static TrainingRun Train(VBNetLite network, IReadOnlyList<SegmentationExample> examples, SegmentationRecipe recipe,
        int seed, IProgress<TrainingStep>? progress = null, CancellationToken cancel = default,
        int checkpointEvery = 0, Action<int, TrainingRun>? checkpoint = null)
    {
        if (examples.Count == 0)
            throw new ArgumentException("no training cases");
        var random = new Random(seed);
        var sampler = new PatchSampler(examples, recipe.PatchSize, recipe.Augmentation, random);
        return TrainingSchedule.Run(network, recipe.Steps, recipe.LearningRate, recipe.WeightDecay, () =>
        {
            var (hu, labels) = sampler.Next(recipe.BatchSize);
            var input = recipe.Normalization.Apply(recipe.Augmentation.ApplyToHu(hu, random));
            return SegmentationLoss.Compute(network.forward(input), labels);
        }, progress, cancel, checkpointEvery, checkpoint);
    }
}
