using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>A training volume in the model's frame and spacing: HU (D, H, W, float or int16) and class labels (D, H, W) uint8.</summary>
public sealed class SegmentationExample(string id, Tensor hu, Tensor classes) : IDisposable
{
    public string Id { get; } = id;
    public Tensor Hu { get; } = hu;
    public Tensor Classes { get; } = classes;
    /// <summary>Flat indices of each labelled class's voxels (index = class − 1), for class-balanced sampling.</summary>
    public long[][] Foreground { get; } = Enumerable.Range(1, 255)
        .TakeWhile(c => c <= classes.max().item<byte>())
        .Select(c => (classes.flatten() == c).nonzero().flatten().data<long>().ToArray())
        .ToArray();

    public void Dispose()
    {
        Hu.Dispose();
        Classes.Dispose();
    }
}

/// <summary>
/// Cuts training patches: with probability <see cref="ForegroundFraction"/> centred on a voxel of a labelled class
/// drawn uniformly among the classes the case has — so rare classes (ribs) are seen as often as common ones — else
/// anywhere; cut at a randomly jittered extent and resized to the patch size — the spacing augmentation — and
/// mirrored left–right at random. Outside the volume is air (HU −1000, background).
/// </summary>
public sealed class PatchSampler(IReadOnlyList<SegmentationExample> examples, int[] patchSize, SiteAugmentation augmentation, Random random)
{
    public double ForegroundFraction { get; init; } = 0.7;

    /// <summary>A batch: HU (N, 1, D, H, W) before normalisation, and labels (N, D, H, W) int64.</summary>
    public (Tensor Hu, Tensor Labels) Next(int batchSize)
    {
        var hu = new Tensor[batchSize];
        var labels = new Tensor[batchSize];
        for (var b = 0; b < batchSize; b++)
        {
            var example = examples[random.Next(examples.Count)];
            var shape = example.Hu.shape;
            long[] centre;
            var present = example.Foreground.Where(f => f.Length > 0).ToArray();
            if (present.Length > 0 && random.NextDouble() < ForegroundFraction)
            {
                var voxels = present[random.Next(present.Length)];
                var flat = voxels[random.Next(voxels.Length)];
                centre = [flat / (shape[1] * shape[2]), flat / shape[2] % shape[1], flat % shape[2]];
            }
            else
            {
                centre = [random.NextInt64(shape[0]), random.NextInt64(shape[1]), random.NextInt64(shape[2])];
            }
            var zoom = 1 + SiteAugmentation.Uniform(random, augmentation.SpacingJitter);
            var extent = patchSize.Select(p => (long)Math.Max(4, Math.Round(p * zoom))).ToArray();
            var patchHu = Cut(example.Hu, centre, extent, -1000f).to(ScalarType.Float32);
            var patchLabels = Cut(example.Classes, centre, extent, 0);
            var size = patchSize.Select(p => (long)p).ToArray();
            patchHu = VolumeTensors.Resize(patchHu, size);
            patchLabels = VolumeTensors.Resize(patchLabels.to(ScalarType.Float32), size, labels: true);
            if (augmentation.MirrorLeftRight && random.NextDouble() < 0.5)
            {
                patchHu = patchHu.flip(2);
                patchLabels = patchLabels.flip(2);
            }
            hu[b] = patchHu.unsqueeze(0);
            labels[b] = patchLabels.to(ScalarType.Int64);
        }
        return (torch.stack(hu), torch.stack(labels));
    }

    /// <summary>The block of <paramref name="extent"/> voxels centred at <paramref name="centre"/>, padded with <paramref name="fill"/> outside.</summary>
    internal static Tensor Cut(Tensor volume, long[] centre, long[] extent, float fill)
    {
        var result = torch.full(extent, fill, dtype: volume.dtype);
        var src = new TensorIndex[3];
        var dst = new TensorIndex[3];
        for (var a = 0; a < 3; a++)
        {
            var start = centre[a] - extent[a] / 2;
            var from = Math.Max(0, start);
            var to = Math.Min(volume.shape[a], start + extent[a]);
            if (to <= from)
                return result;
            src[a] = TensorIndex.Slice(from, to);
            dst[a] = TensorIndex.Slice(from - start, to - start);
        }
        result[dst] = volume[src];
        return result;
    }
}
