using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OsteoML.Inference;

/// <summary>
/// Runs the segmentation ONNX model over a whole volume in overlapping patches (MONAI's SlidingWindowInferer, nnU-Net's
/// Gaussian weighting): each patch's class probabilities are weighted by a Gaussian centred on the patch (σ = size/8),
/// so patch borders, which see less context, count less; the weighted sum is divided by the summed weights.
/// With <paramref name="foregroundAbove"/> the windows cover only the box around the voxels above it (MONAI's
/// CropForeground): a CT's field of view is mostly air, whose windows cost as much as the spine's; outside the box
/// every voxel is background (class 0) with probability 1.
/// </summary>
public sealed class SlidingWindowSegmenter(InferenceSession session, int[] patchSize, double overlap = 0.5,
    string inputName = SlidingWindowSegmenter.DefaultInputName, float padValue = -2.75f, float? foregroundAbove = null)
{
    /// <summary>The segmentation network's input name (VB-Net-lite's <c>image</c>).</summary>
    public const string DefaultInputName = "image";

    /// <summary>Body versus air in HU (fat is −100, lung −850, air −1000): what the foreground box is drawn around.</summary>
    public const float BodyThresholdHu = -500f;

    /// <summary>Voxels kept around the foreground box, so the network sees the body's edge with some air beyond it.</summary>
    public const int ForegroundMargin = 8;

    /// <summary>Class probabilities (C, D, H, W), flattened, for a normalised volume (D, H, W).</summary>
    public float[] Predict(float[] volume, int[] size, out int classes)
    {
        if (foregroundAbove is not { } threshold)
            return PredictWhole(volume, size, out classes);
        var (lo, boxSize) = ForegroundBox(volume, size, threshold, ForegroundMargin);
        if (boxSize.Contains(0) || boxSize.SequenceEqual(size)) // all air, or nothing to save: the whole volume
            return PredictWhole(volume, size, out classes);
        var box = Crop(volume, size, lo, boxSize);
        var inner = PredictWhole(box, boxSize, out classes);
        var voxels = (long)size[0] * size[1] * size[2];
        var boxVoxels = (long)boxSize[0] * boxSize[1] * boxSize[2];
        var result = new float[classes * voxels];
        Array.Fill(result, 1f, 0, (int)voxels);
        for (var z = 0; z < boxSize[0]; z++)
        for (var y = 0; y < boxSize[1]; y++)
        {
            var to = ((long)(lo[0] + z) * size[1] + lo[1] + y) * size[2] + lo[2];
            var from = ((long)z * boxSize[1] + y) * boxSize[2];
            Array.Fill(result, 0f, (int)to, boxSize[2]);
            for (var c = 0; c < classes; c++)
                Array.Copy(inner, c * boxVoxels + from, result, c * voxels + to, boxSize[2]);
        }
        return result;
    }

    /// <summary>Start and size of the box holding every voxel above <paramref name="threshold"/>, widened by
    /// <paramref name="margin"/> and clipped to the volume; a zero size when no voxel is above it.</summary>
    public static (int[] Start, int[] Size) ForegroundBox(float[] volume, int[] size, float threshold, int margin)
    {
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue], hi = [-1, -1, -1];
        for (var z = 0; z < size[0]; z++)
        for (var y = 0; y < size[1]; y++)
        {
            var row = ((long)z * size[1] + y) * size[2];
            for (var x = 0; x < size[2]; x++)
            {
                if (!(volume[row + x] > threshold)) continue;
                lo[0] = Math.Min(lo[0], z); hi[0] = Math.Max(hi[0], z);
                lo[1] = Math.Min(lo[1], y); hi[1] = Math.Max(hi[1], y);
                lo[2] = Math.Min(lo[2], x); hi[2] = Math.Max(hi[2], x);
            }
        }
        if (hi[0] < 0)
            return ([0, 0, 0], [0, 0, 0]);
        var start = new int[3];
        var extent = new int[3];
        for (var a = 0; a < 3; a++)
        {
            start[a] = Math.Max(0, lo[a] - margin);
            extent[a] = Math.Min(size[a] - 1, hi[a] + margin) - start[a] + 1;
        }
        return (start, extent);
    }

    private static float[] Crop(float[] volume, int[] size, int[] start, int[] extent)
    {
        var result = new float[(long)extent[0] * extent[1] * extent[2]];
        for (var z = 0; z < extent[0]; z++)
        for (var y = 0; y < extent[1]; y++)
            Array.Copy(volume, ((long)(start[0] + z) * size[1] + start[1] + y) * size[2] + start[2], result, ((long)z * extent[1] + y) * extent[2], extent[2]);
        return result;
    }

    private float[] PredictWhole(float[] volume, int[] size, out int classes)
    {
        var padded = size.Select((s, a) => Math.Max(s, patchSize[a])).ToArray();
        var input = Pad(volume, size, padded, padValue);
        var weight = GaussianImportance(patchSize);
        var starts = Enumerable.Range(0, 3).Select(a => Starts(padded[a], patchSize[a], overlap)).ToArray();
        float[]? sum = null;
        var weightSum = new float[(long)padded[0] * padded[1] * padded[2]];
        classes = 0;
        var patch = new float[patchSize[0] * patchSize[1] * patchSize[2]];
        foreach (var z0 in starts[0])
        foreach (var y0 in starts[1])
        foreach (var x0 in starts[2])
        {
            CopyPatch(input, padded, patch, patchSize, [z0, y0, x0]);
            var tensor = new DenseTensor<float>(patch, [1, 1, patchSize[0], patchSize[1], patchSize[2]]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
            var probabilities = results[0].AsTensor<float>();
            classes = probabilities.Dimensions[1];
            sum ??= new float[(long)classes * weightSum.Length];
            Accumulate(probabilities, weight, sum, weightSum, padded, patchSize, [z0, y0, x0], classes);
        }

        var voxels = (long)size[0] * size[1] * size[2];
        var result = new float[classes * voxels];
        for (var c = 0; c < classes; c++)
        for (var z = 0; z < size[0]; z++)
        for (var y = 0; y < size[1]; y++)
        for (var x = 0; x < size[2]; x++)
        {
            var p = ((long)z * padded[1] + y) * padded[2] + x;
            result[c * voxels + ((long)z * size[1] + y) * size[2] + x] = sum![c * weightSum.Length + p] / weightSum[p];
        }
        return result;
    }

    /// <summary>Window starts along one axis: evenly spread, first at 0 and last flush with the end, stepping at most (1 − overlap)·patch.</summary>
    public static int[] Starts(int length, int patch, double overlap)
    {
        if (length <= patch)
            return [0];
        var step = Math.Max(1, patch * (1 - overlap));
        var count = (int)Math.Ceiling((length - patch) / step) + 1;
        return Enumerable.Range(0, count).Select(i => (int)Math.Round((double)i * (length - patch) / (count - 1))).ToArray();
    }

    /// <summary>exp(−d²/2σ²) per axis with σ = patch/8, normalised to a maximum of 1 and floored so no voxel gets zero weight.</summary>
    public static float[] GaussianImportance(int[] patch)
    {
        var axes = patch.Select(p =>
        {
            var sigma = p / 8.0;
            var centre = (p - 1) / 2.0;
            return Enumerable.Range(0, p).Select(i => Math.Exp(-0.5 * (i - centre) * (i - centre) / (sigma * sigma))).ToArray();
        }).ToArray();
        var result = new float[patch[0] * patch[1] * patch[2]];
        for (var z = 0; z < patch[0]; z++)
        for (var y = 0; y < patch[1]; y++)
        for (var x = 0; x < patch[2]; x++)
            result[(z * patch[1] + y) * patch[2] + x] = (float)Math.Max(axes[0][z] * axes[1][y] * axes[2][x], 1e-3);
        return result;
    }

    private static float[] Pad(float[] volume, int[] size, int[] padded, float value)
    {
        if (size.SequenceEqual(padded))
            return volume;
        var result = new float[(long)padded[0] * padded[1] * padded[2]];
        Array.Fill(result, value);
        for (var z = 0; z < size[0]; z++)
        for (var y = 0; y < size[1]; y++)
            Array.Copy(volume, ((long)z * size[1] + y) * size[2], result, ((long)z * padded[1] + y) * padded[2], size[2]);
        return result;
    }

    private static void CopyPatch(float[] volume, int[] size, float[] patch, int[] patchSize, int[] origin)
    {
        for (var z = 0; z < patchSize[0]; z++)
        for (var y = 0; y < patchSize[1]; y++)
            Array.Copy(volume, ((long)(origin[0] + z) * size[1] + origin[1] + y) * size[2] + origin[2], patch, (z * patchSize[1] + y) * patchSize[2], patchSize[2]);
    }

    private static void Accumulate(Tensor<float> probabilities, float[] weight, float[] sum, float[] weightSum, int[] size,
        int[] patchSize, int[] origin, int classes)
    {
        var dense = probabilities as DenseTensor<float> ?? probabilities.ToDenseTensor();
        var values = dense.Buffer.Span;
        var patchVoxels = patchSize[0] * patchSize[1] * patchSize[2];
        long volumeVoxels = weightSum.Length;
        for (var z = 0; z < patchSize[0]; z++)
        for (var y = 0; y < patchSize[1]; y++)
        {
            var v = ((long)(origin[0] + z) * size[1] + origin[1] + y) * size[2] + origin[2];
            var p = (z * patchSize[1] + y) * patchSize[2];
            for (var x = 0; x < patchSize[2]; x++)
            {
                var w = weight[p + x];
                weightSum[v + x] += w;
                for (var c = 0; c < classes; c++)
                    sum[c * volumeVoxels + v + x] += w * values[c * patchVoxels + p + x];
            }
        }
    }
}
