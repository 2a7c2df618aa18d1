using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Training;

/// <summary>Cross-entropy plus soft Dice over the foreground classes (nnU-Net's default pairing): CE for calibrated voxels, Dice against class imbalance.</summary>
public static class SegmentationLoss
{
    public static Tensor Compute(Tensor logits, Tensor labels, double diceWeight = 1.0)
    {
        var classes = logits.shape[1];
        var ce = nn.functional.cross_entropy(logits, labels);
        var probabilities = nn.functional.softmax(logits, 1);
        var oneHot = nn.functional.one_hot(labels, classes).permute(0, 4, 1, 2, 3).to(ScalarType.Float32);
        long[] sumDims = [0, 2, 3, 4];
        var intersection = (probabilities * oneHot).sum(sumDims);
        var denominator = probabilities.sum(sumDims) + oneHot.sum(sumDims);
        var dice = (2 * intersection + 1) / (denominator + 1);
        var diceLoss = 1 - dice[TensorIndex.Slice(1)].mean();
        return ce + diceWeight * diceLoss;
    }
}
