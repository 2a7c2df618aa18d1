using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace OsteoML.Tests.Models;

/// <summary>Tiny configurations train for a few steps on toy phantoms whose classes follow from HU, so the loss must fall.
/// Not in parallel: torch's random generator is process-wide, and another class drawing from it mid-run changed these
/// runs' initial weights and batches (the DenseNet's loss once missed its 30 % fall that way).</summary>
[TestClass]
[DoNotParallelize]
public sealed class TrainingTests
{
    [TestMethod]
    public void VBNet_loss_falls_and_the_trained_net_exports_equivalently()
    {
        torch.manual_seed(3);
        var examples = Enumerable.Range(0, 3).Select(i => ToyPhantom.Segmentation(i)).ToList();
        var recipe = SegmentationRecipe.Tiny with { Steps = 60 };
        using var net = new VBNetLite(recipe.Network);
        var run = SegmentationTraining.Train(net, examples, recipe, seed: 5);

        Assert.HasCount(60, run.Losses);
        var first = run.MeanLoss(0, 5);
        var last = run.MeanLoss(55, 5);
        Assert.IsLessThan(0.7 * first, last, $"loss {first:F3} → {last:F3}");

        var input = recipe.Normalization.Apply(examples[0].Hu[TensorIndex.Slice(0, 16), TensorIndex.Slice(0, 16), TensorIndex.Slice(0, 16)]).reshape(1, 1, 16, 16, 16);
        using var expected = nn.functional.softmax(net.forward(input), 1);
        OnnxExportTests.AssertClose(expected, OnnxExportTests.RunOnnx(net.ExportOnnx("test").ToBytes(), VBNetLite.InputName, input));
    }

    [TestMethod]
    public void DenseNet_loss_falls()
    {
        torch.manual_seed(4);
        var recipe = DenseNetRecipe.Tiny with { Steps = 40 };
        var examples = Enumerable.Range(0, 12).Select(i => ToyPhantom.DenseNet(i, recipe)).ToList();
        using var net = new DenseNetLite(recipe.Network);
        var run = DenseNetTraining.Train(net, examples, recipe, BmdScale.Of(examples.Select(e => e.BmdMgCm3)), seed: 6);

        var first = run.MeanLoss(0, 5);
        var last = run.MeanLoss(35, 5);
        Assert.IsLessThan(0.7 * first, last, $"loss {first:F3} → {last:F3}");
    }

    [TestMethod]
    [DataRow(80)]
    [DataRow(2000)]
    public void Learning_rate_warms_up_then_decays_to_two_percent(int n)
    {
        var warmup = n / 20;
        Assert.AreEqual(1.0 / warmup, LearningRateOf(0, n), 1e-12);
        Assert.AreEqual(1.0, LearningRateOf(warmup, n), 1e-12);
        Assert.AreEqual(0.02 + 0.98 * 0.5, LearningRateOf(warmup + (n - warmup) / 2, n), 1e-2);
        Assert.AreEqual(0.02, LearningRateOf(n, n), 1e-9);
    }

    private static double LearningRateOf(int step, int steps) => TrainingSchedule.LearningRate(step, steps, 1.0);
}

/// <summary>Toy volumes: a box of trabecular bone (≈ 150–250 HU) in a cortical shell (≈ 700 HU), a rib rod, soft tissue and air.</summary>
internal static class ToyPhantom
{
    public static SegmentationExample Segmentation(int seed, int size = 24)
    {
        var random = new Random(seed);
        var hu = new float[size * size * size];
        var classes = new byte[hu.Length];
        int lo = 6 + random.Next(3), hi = 16 + random.Next(3);
        for (var z = 0; z < size; z++)
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var i = (z * size + y) * size + x;
            var inBody = x >= lo && x < hi && y >= lo && y < hi && z >= 2 && z < size - 2;
            var inCore = x > lo && x < hi - 1 && y > lo && y < hi - 1 && z >= 2 && z < size - 2;
            var inRib = Math.Abs(y - 3) <= 1 && Math.Abs(z - size / 2) <= 1 && x > hi;
            (hu[i], classes[i]) = inCore ? (200f, (byte)SegmentationClasses.Trabecular)
                : inBody ? (700f, (byte)SegmentationClasses.OtherVertebralBone)
                : inRib ? (600f, (byte)SegmentationClasses.Rib)
                : (y > size - 3 ? -1000f : 40f, (byte)SegmentationClasses.Background);
            hu[i] += (float)(random.NextDouble() * 20 - 10);
        }
        return new SegmentationExample($"toy{seed}", torch.tensor(hu, [size, size, size]), torch.tensor(classes, [size, size, size]));
    }

    /// <summary>A crop whose trabecular HU rises with BMD (≈ 1 HU per mg/cm³, as in calibrated QCT).</summary>
    public static DenseNetExample DenseNet(int seed, DenseNetRecipe recipe)
    {
        var random = new Random(100 + seed);
        var bmd = 40 + 160 * random.NextDouble();
        var shape = recipe.CropSize.Select(c => (long)(c + 2 * recipe.Margin)).ToArray();
        var mask = torch.zeros(shape);
        var core = TensorIndex.Slice(shape[0] / 4, 3 * shape[0] / 4);
        mask[core, TensorIndex.Slice(shape[1] / 4, 3 * shape[1] / 4), TensorIndex.Slice(shape[2] / 4, 3 * shape[2] / 4)] = 1;
        Tensor hu = 30 + mask * (float)(bmd - 30) + torch.randn(shape) * 10;
        return new DenseNetExample($"toy{seed}", torch.stack([hu, mask]), bmd);
    }
}
