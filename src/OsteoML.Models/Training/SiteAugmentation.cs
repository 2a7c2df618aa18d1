using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>
/// Random changes that mimic what differs between scanners and sites: a calibration offset and gain in HU, noise
/// (dose, kernel), blur (reconstruction kernel, slice thickness) and voxel spacing (applied when a patch is cut,
/// see <see cref="PatchSampler"/>). All ranges are uniform; zero ranges switch a change off.
/// </summary>
public sealed record SiteAugmentation
{
    public double HuOffset { get; init; } = 30;
    public double HuScale { get; init; } = 0.08;
    public double MaxNoiseHu { get; init; } = 30;
    public double MaxBlurSigmaVoxels { get; init; } = 1.0;
    /// <summary>Patch zoom range ±: 0.15 resamples as if the spacing were 0.85–1.15 × the model's.</summary>
    public double SpacingJitter { get; init; } = 0.15;
    public bool MirrorLeftRight { get; init; } = true;

    public static readonly SiteAugmentation None = new()
    {
        HuOffset = 0, HuScale = 0, MaxNoiseHu = 0, MaxBlurSigmaVoxels = 0, SpacingJitter = 0, MirrorLeftRight = false,
    };

    /// <summary>The DenseNet regresses BMD from HU, so its HU gain and offset stay small: a large one would teach it to ignore the signal.</summary>
    public static readonly SiteAugmentation DenseNet = new() { HuOffset = 8, HuScale = 0.03, MaxNoiseHu = 25, MaxBlurSigmaVoxels = 0.8, SpacingJitter = 0.08 };

    /// <summary>Applies the HU changes to a (N, 1, D, H, W) batch of HU patches, one draw per patch.</summary>
    public Tensor ApplyToHu(Tensor hu, Random random)
    {
        var n = hu.shape[0];
        var patches = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            var x = hu[i];
            var gain = 1 + Uniform(random, HuScale);
            var offset = Uniform(random, HuOffset);
            x = x * gain + offset;
            if (MaxBlurSigmaVoxels > 0)
                x = GaussianBlur(x.unsqueeze(0), random.NextDouble() * MaxBlurSigmaVoxels).squeeze(0);
            if (MaxNoiseHu > 0)
                x = x + torch.randn_like(x) * (random.NextDouble() * MaxNoiseHu);
            patches[i] = x;
        }
        return torch.stack(patches);
    }

    /// <summary>Separable Gaussian blur of a (N, 1, D, H, W) tensor, edges replicated; σ in voxels.</summary>
    public static Tensor GaussianBlur(Tensor x, double sigma)
    {
        if (sigma < 0.2)
            return x;
        var radius = (int)Math.Ceiling(2.5 * sigma);
        var taps = Enumerable.Range(-radius, 2 * radius + 1).Select(t => Math.Exp(-0.5 * t * t / (sigma * sigma))).ToArray();
        var total = taps.Sum();
        var kernel = torch.tensor(taps.Select(t => (float)(t / total)).ToArray());
        var k = 2 * radius + 1;
        var padded = nn.functional.pad(x, [radius, radius, radius, radius, radius, radius], PaddingModes.Replicate);
        var y = nn.functional.conv3d(padded, kernel.reshape(1, 1, k, 1, 1));
        y = nn.functional.conv3d(y, kernel.reshape(1, 1, 1, k, 1));
        return nn.functional.conv3d(y, kernel.reshape(1, 1, 1, 1, k));
    }

    internal static double Uniform(Random random, double halfWidth) => (2 * random.NextDouble() - 1) * halfWidth;
}
