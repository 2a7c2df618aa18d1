using Microsoft.ML.OnnxRuntime;
using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Models.Onnx;
using OsteoML.Models.Training;

namespace OsteoML.Tests.Models;

/// <summary>The small pure pieces of export and inference against hand-computed values.</summary>
[TestClass]
public sealed class ExportMathTests
{
    [TestMethod]
    public void Batch_norm_folds_into_the_convolution_by_hand()
    {
        // 1×1×1 conv, 2 inputs → 2 outputs; BN: γ = (2, 0.5), β = (1, −1), μ = (0.5, 2), σ² = (3, 0.25), ε = 1.
        var conv = new ConvWeights(2, 2, 1, [1, 2, 3, 4], [0.5f, -1]);
        var bn = new BatchNormWeights([2, 0.5f], [1, -1], [0.5f, 2], [3, 0.25f], 1);
        var folded = BatchNormFolding.Fold(conv, bn);
        // s = γ/√(σ²+ε) = (1, 0.5/√1.25); w′ = w·s; b′ = (b − μ)·s + β.
        var s1 = 0.5 / Math.Sqrt(1.25);
        CollectionAssert.AreEqual(new[] { 1f, 2f, (float)(3 * s1), (float)(4 * s1) }, folded.Weight);
        CollectionAssert.AreEqual(new[] { 1f, (float)(-3 * s1 - 1) }, folded.Bias);
    }

    [TestMethod]
    public void Transposed_convolution_folds_along_its_second_axis()
    {
        // Weight (in 1, out 2, 1, 1, 1): output channel is axis 1.
        var conv = new ConvWeights(2, 1, 1, [10, 20], null);
        var bn = new BatchNormWeights([1, 3], [0, 0], [0, 0], [1, 1], 0);
        CollectionAssert.AreEqual(new[] { 10f, 60f }, BatchNormFolding.Fold(conv, bn, transposed: true).Weight);
    }

    [TestMethod]
    public void Conv_flops_per_input_voxel_match_a_hand_count()
    {
        using var net = new VBNetLite(new VBNetOptions { Widths = [4, 8], EncoderBlocks = [1, 1], DecoderBlocks = [1], HeadWidth = 4 });
        // Per voxel at its own resolution: stem 2·1·4·8 = 64 (at 1/8), block(4) 16 + 216 + 16 = 248 (1/8), down 2·4·8·8 = 512
        // (1/64), block(8) 64 + 864 + 64 = 992 (1/64), up 2·8·4·8 = 512 per input voxel (1/64), fuse 2·8·4 = 64 (1/8),
        // block(4) 248 (1/8), head up 2·4·4·8 = 256 per input voxel (1/8), head 3×3×3 2·27·5·4 = 1080 (1), head 1×1 2·4·4 = 32 (1).
        var expected = 64 / 8.0 + 248 / 8.0 + 512 / 64.0 + 992 / 64.0 + 512 / 64.0 + 64 / 8.0 + 248 / 8.0 + 256 / 8.0 + 1080 + 32;
        Assert.AreEqual(expected, net.ExportOnnx("test").ConvFlopsPerInputVoxel, 1e-9);
    }

    [TestMethod]
    public void Receptive_field_counts_every_convolution()
    {
        // stem 2 (jump 2); level 0 block +4 → 6; down +2 → 8 (jump 4); level 1 block +8 → 16; decoder level 0 block +4 → 20;
        // the full-resolution 3×3×3 head +2 → 22.
        Assert.AreEqual(22, new VBNetOptions { Widths = [4, 8], EncoderBlocks = [1, 1], DecoderBlocks = [1] }.ReceptiveFieldVoxels);
        Assert.AreEqual(20, new VBNetOptions { Widths = [4, 8], EncoderBlocks = [1, 1], DecoderBlocks = [1], HeadKernel = 1 }.ReceptiveFieldVoxels);
    }

    [TestMethod]
    public void Sliding_window_of_a_pointwise_model_equals_the_pointwise_model()
    {
        using var session = PointwiseSession();

        int[] size = [11, 9, 7];
        var random = new Random(7);
        var volume = Enumerable.Range(0, 11 * 9 * 7).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var probabilities = new SlidingWindowSegmenter(session, [4, 4, 4], overlap: 0.5).Predict(volume, size, out var classes);

        Assert.AreEqual(2, classes);
        for (var i = 0; i < volume.Length; i++)
        {
            Assert.AreEqual(1 / (1 + Math.Exp(-2 * volume[i])), probabilities[i], 1e-5, $"voxel {i}");
            Assert.AreEqual(1, probabilities[i] + probabilities[volume.Length + i], 1e-5);
        }
    }

    [TestMethod]
    public void Foreground_crop_keeps_the_model_inside_the_box_and_background_outside()
    {
        using var session = PointwiseSession();

        // 30×30×30 of "air" (−3) with one voxel of "body" (+1) at (15, 14, 13): box = that voxel ± 8, 17³ voxels.
        int[] size = [30, 30, 30];
        var volume = Enumerable.Repeat(-3f, 27000).ToArray();
        volume[(15 * 30 + 14) * 30 + 13] = 1f;
        var (start, extent) = SlidingWindowSegmenter.ForegroundBox(volume, size, threshold: 0f, margin: 8);
        CollectionAssert.AreEqual(new[] { 7, 6, 5 }, start);
        CollectionAssert.AreEqual(new[] { 17, 17, 17 }, extent);

        var probabilities = new SlidingWindowSegmenter(session, [8, 8, 8], overlap: 0.5, foregroundAbove: 0f).Predict(volume, size, out var classes);

        Assert.AreEqual(2, classes);
        for (var z = 0; z < 30; z++)
        for (var y = 0; y < 30; y++)
        for (var x = 0; x < 30; x++)
        {
            var i = (z * 30 + y) * 30 + x;
            var inside = z is >= 7 and < 24 && y is >= 6 and < 23 && x is >= 5 and < 22;
            var expected = inside ? 1 / (1 + Math.Exp(-2 * volume[i])) : 1.0; // outside: background for certain
            Assert.AreEqual(expected, probabilities[i], 1e-5, $"voxel {z},{y},{x}");
            Assert.AreEqual(1, probabilities[i] + probabilities[27000 + i], 1e-5);
        }
        CollectionAssert.AreEqual(new[] { 0, 0, 0 }, SlidingWindowSegmenter.ForegroundBox(Enumerable.Repeat(-3f, 27000).ToArray(), size, 0f, 8).Size);
    }

    /// <summary>Conv 1×1×1 (1 → 2 channels, weights 1 and −1) + softmax: p0 = σ(2x) voxel by voxel, whatever the tiling.</summary>
    private static InferenceSession PointwiseSession()
    {
        var graph = new OnnxGraphBuilder("pointwise");
        var input = graph.AddInput(VBNetLite.InputName, [null, 1, null, null, null]);
        var logits = graph.Conv(input, new ConvWeights(2, 1, 1, [1, -1], null));
        graph.AddOutput(graph.Softmax(logits), VBNetLite.OutputName, [null, 2, null, null, null]);
        return OnnxRuntimeSessions.Open(graph.Build("test", "test").ToBytes(), threads: 1);
    }

    [TestMethod]
    public void Window_starts_cover_the_axis_evenly()
    {
        CollectionAssert.AreEqual(new[] { 0 }, SlidingWindowSegmenter.Starts(50, 64, 0.5));
        CollectionAssert.AreEqual(new[] { 0, 32, 64, 96 }, SlidingWindowSegmenter.Starts(160, 64, 0.5));
        CollectionAssert.AreEqual(new[] { 0, 29, 58 }, SlidingWindowSegmenter.Starts(122, 64, 0.5));
    }

    [TestMethod]
    public void Canonical_orientation_flips_and_permutes_to_LPS()
    {
        // Stored with i along patient −Z (feet), j along +X, k along +Y; spacing (1, 2, 3).
        var geometry = new VolumeGeometry(new Size3(2, 3, 4), new Vec3(1, 2, 3), Vec3.Zero,
            new Direction3(new Vec3(0, 0, -1), new Vec3(1, 0, 0), new Vec3(0, 1, 0)));
        var volume = new Volume<float>(geometry);
        for (var k = 0; k < 4; k++)
        for (var j = 0; j < 3; j++)
        for (var i = 0; i < 2; i++)
            volume[i, j, k] = 100 * i + 10 * j + k;

        var (data, spacing) = VolumeTensors.Canonical(volume);
        // Canonical (D, H, W) = (Z, Y, X) = (reversed i, k, j).
        CollectionAssert.AreEqual(new long[] { 2, 4, 3 }, data.shape);
        CollectionAssert.AreEqual(new[] { 1.0, 3.0, 2.0 }, spacing);
        for (var d = 0; d < 2; d++)
        for (var h = 0; h < 4; h++)
        for (var w = 0; w < 3; w++)
            Assert.AreEqual(100 * (1 - d) + 10 * w + h, data[d, h, w].item<float>());
    }
}
