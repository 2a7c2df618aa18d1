using OsteoML.Models.Networks;
using OsteoML.Synthesis.Truth;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>
/// One DenseNet training example: a crop (2, D, H, W) around L1–L2 — HU (not yet normalised, so the HU
/// augmentation applies) and the L1/L2 trabecular mask — cut larger than the network's crop by
/// <see cref="DenseNetRecipe.Margin"/> voxels per side for translation jitter; with its targets.
/// </summary>
public sealed class DenseNetExample(string id, Tensor crop, double bmdMgCm3) : IDisposable
{
    public string Id { get; } = id;
    public Tensor Crop { get; } = crop;
    public double BmdMgCm3 { get; } = bmdMgCm3;
    /// <summary>The ACR class index (normal 0, osteopenia 1, osteoporosis 2) the class head learns.</summary>
    public int AcrClass { get; } = (int)BmdClasses.Of(bmdMgCm3);
    public void Dispose() => Crop.Dispose();
}

/// <summary>How DenseNet-lite is trained.</summary>
public sealed record DenseNetRecipe
{
    public DenseNetOptions Network { get; init; } = new();
    public double SpacingMm { get; init; } = 2.0;
    /// <summary>The crop (D, H, W) the exported network takes, centred midway between the L1 and L2 trabecular centroids:
    /// 96 × 80 × 80 mm holds both bodies, their discs and the nearby psoas and aorta.</summary>
    public int[] CropSize { get; init; } = [48, 40, 40];
    /// <summary>Extra voxels per side kept around training crops for translation jitter.</summary>
    public int Margin { get; init; } = 4;
    public int BatchSize { get; init; } = 8;
    /// <summary>Sized to fit about 45 minutes of a shared 2-core machine, rendering and validation included.</summary>
    public int Steps { get; init; } = 600;
    /// <summary>Training cases used (the first of the train split, in cohort order); null for all.</summary>
    public int? MaxTrainCases { get; init; }
    public double LearningRate { get; init; } = 2e-3;
    public double WeightDecay { get; init; } = 1e-4;
    public SiteAugmentation Augmentation { get; init; } = SiteAugmentation.DenseNet;
    public HuNormalization Normalization { get; init; } = HuNormalization.DenseNet;

    public static DenseNetRecipe Paper => new();

    public static DenseNetRecipe Tiny => new()
    {
        Network = new DenseNetOptions { InitialFeatures = 8, GrowthRate = 4, BlockLayers = [2, 2] },
        CropSize = [16, 16, 16],
        Margin = 2,
        BatchSize = 4,
        Steps = 30,
        LearningRate = 1e-2,
    };
}

/// <summary>The BMD standardisation the regression head learns in (its mean and spread over the training set).</summary>
public sealed record BmdScale(double Mean, double StandardDeviation)
{
    public static BmdScale Of(IEnumerable<double> bmd)
    {
        var values = bmd.ToArray();
        var mean = values.Average();
        var sd = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Sum() / Math.Max(1, values.Length - 1));
        return new BmdScale(mean, Math.Max(sd, 1));
    }
}

/// <summary>Trains DenseNet-lite's features through its two heads: MSE on standardised BMD + cross-entropy on the ACR class.</summary>
public static class DenseNetTraining
{
    public static TrainingRun Train(DenseNetLite network, IReadOnlyList<DenseNetExample> examples, DenseNetRecipe recipe,
        BmdScale scale, int seed, IProgress<TrainingStep>? progress = null, CancellationToken cancel = default)
    {
        if (examples.Count == 0)
            throw new ArgumentException("no training cases");
        var random = new Random(seed);
        return TrainingSchedule.Run(network, recipe.Steps, recipe.LearningRate, recipe.WeightDecay, () =>
        {
            var batch = Enumerable.Range(0, recipe.BatchSize).Select(_ => examples[random.Next(examples.Count)]).ToArray();
            var crops = torch.stack(batch.Select(e => Jitter(e.Crop, recipe, random)).ToArray());
            var hu = recipe.Augmentation.ApplyToHu(crops[TensorIndex.Colon, TensorIndex.Slice(0, 1)], random);
            var input = torch.cat([recipe.Normalization.Apply(hu), crops[TensorIndex.Colon, TensorIndex.Slice(1, 2)]], 1);
            var (bmd, logits) = network.Heads(network.forward(input));
            var bmdTarget = torch.tensor(batch.Select(e => (float)((e.BmdMgCm3 - scale.Mean) / scale.StandardDeviation)).ToArray());
            var classTarget = torch.tensor(batch.Select(e => (long)e.AcrClass).ToArray());
            return nn.functional.mse_loss(bmd, bmdTarget) + nn.functional.cross_entropy(logits, classTarget);
        }, progress, cancel);
    }

    /// <summary>The network's crop from a margin-padded example: shifted by up to the margin, zoomed ± the spacing jitter, mirrored left–right at random.</summary>
    private static Tensor Jitter(Tensor crop, DenseNetRecipe recipe, Random random)
    {
        var zoom = 1 + SiteAugmentation.Uniform(random, recipe.Augmentation.SpacingJitter);
        var centre = Enumerable.Range(0, 3)
            .Select(a => crop.shape[a + 1] / 2 + (long)Math.Round(SiteAugmentation.Uniform(random, recipe.Margin))).ToArray();
        var extent = recipe.CropSize.Select(c => (long)Math.Round(c * zoom)).ToArray();
        var size = recipe.CropSize.Select(c => (long)c).ToArray();
        var hu = VolumeTensors.Resize(PatchSampler.Cut(crop[0], centre, extent, -1000f), size);
        var mask = VolumeTensors.Resize(PatchSampler.Cut(crop[1], centre, extent, 0f), size, labels: true);
        var result = torch.stack([hu, mask]);
        return random.NextDouble() < 0.5 && recipe.Augmentation.MirrorLeftRight ? result.flip(3) : result;
    }
}
