using OsteoML.Inference;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines.Features;

/// <summary>The fixed-size crop the DenseNet sees, from its card: spacing, (D, H, W) and HU window.</summary>
public sealed record DenseNetCropSpec(double SpacingMm, int[] Size, HuWindow Hu)
{
    /// <summary>
    /// The crop shape this stage supports: two channels of 48×40×40 — the shipped DenseNet-lite's. ML.NET's
    /// ApplyOnnxModel needs a vector column of known size, and a custom stage's size is fixed when the model is
    /// loaded, so the size is part of the contract: a card that asks for another is refused with this in the message.
    /// </summary>
    public const int Channels = 2, Depth = 48, Height = 40, Width = 40, Length = Channels * Depth * Height * Width;

    public static DenseNetCropSpec FromCard(ModelCard card, string source)
    {
        var p = card.Preprocessing;
        var input = card.Inputs.Count == 1 ? card.Inputs[0].Shape.Select(d => d.Size ?? -1).ToArray() : [];
        if (!input.SequenceEqual([1L, Channels, Depth, Height, Width]) || !p.PatchSize.SequenceEqual([Depth, Height, Width]))
            throw new InvalidDataException($"{source}: the feature extractor's input is [{string.Join(", ", input)}]; this OsteoML's ExtractDenseNetFeatures takes [1, {Channels}, {Depth}, {Height}, {Width}].");
        if (p.SpacingMm.Distinct().Count() != 1)
            throw new InvalidDataException($"{source}: anisotropic crop spacing is not supported.");
        return new DenseNetCropSpec(p.SpacingMm[0], p.PatchSize, p.Hu);
    }

    /// <summary>
    /// The DenseNet input (2, D, H, W), as the network was trained: centred at the rounded midpoint of the L1 and L2
    /// centroids on the model grid, channel 0 the card's normalised HU (−1000 HU outside the volume), channel 1 the
    /// L1 ∪ L2 trabecular mask.
    /// </summary>
    public static float[] Cut(float[] modelHu, int[] size, byte[] levels, DenseNetCropSpec spec)
    {
        var l1 = VertebraSegmentation.LevelCode("L1");
        var l2 = VertebraSegmentation.LevelCode("L2");
        var c1 = SpineGeometry.Centroid(levels, size, l1)!.Value;
        var c2 = SpineGeometry.Centroid(levels, size, l2)!.Value;
        int[] centre = [(int)Math.Round((c1.D + c2.D) / 2), (int)Math.Round((c1.H + c2.H) / 2), (int)Math.Round((c1.W + c2.W) / 2)];
        var e = spec.Size;
        var result = new float[Length];
        var channel = (long)e[0] * e[1] * e[2];
        var w = spec.Hu;
        float Normalise(float v) => (float)((Math.Clamp(v, w.Min, w.Max) - w.Center) / w.Scale);
        var outside = Normalise(-1000f);
        for (var a = 0; a < e[0]; a++)
        for (var b = 0; b < e[1]; b++)
        for (var c = 0; c < e[2]; c++)
        {
            int d = centre[0] - e[0] / 2 + a, h = centre[1] - e[1] / 2 + b, x = centre[2] - e[2] / 2 + c;
            var o = ((long)a * e[1] + b) * e[2] + c;
            if ((uint)d < size[0] && (uint)h < size[1] && (uint)x < size[2])
            {
                var v = ((long)d * size[1] + h) * size[2] + x;
                result[o] = Normalise(modelHu[v]);
                result[channel + o] = levels[v] == l1 || levels[v] == l2 ? 1 : 0;
            }
            else result[o] = outside;
        }
        return result;
    }
}
