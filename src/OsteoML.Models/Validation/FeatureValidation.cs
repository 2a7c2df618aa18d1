using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Models.Data;
using OsteoML.Models.Training;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Truth;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Validation;

/// <summary>One case's DenseNet features: from the crop around the true L1/L2 masks, and around the masks the
/// segmentation model and level rule found (null when they named no L1/L2, or when no segmentation model was given).</summary>
public sealed record FeatureCase(string CaseId, string Split, string Site, double ReferenceBmd, float[] TrueMaskFeatures,
    float[]? PredictedMaskFeatures, LevelStatus? Status);

/// <summary>
/// Measures an exported DenseNet feature extractor through ONNX Runtime, without its training heads (they are not
/// exported): a ridge read-out of the features is fitted on the train split's true-mask crops and scored on held-out
/// crops cut around the true masks and around VB-Net-lite's masks — what the pipeline feeds it.
/// </summary>
public sealed class FeatureValidation(InferenceSession densenet, ModelCard card, SlidingWindowSegmenter? segmenter, SegmentationRecipe? segmentation)
{
    private readonly HuNormalization window = new(card.Preprocessing.Hu.Min, card.Preprocessing.Hu.Max, card.Preprocessing.Hu.Center, card.Preprocessing.Hu.Scale);

    /// <summary>Features of one case, or null when its series does not cover both L1 and L2.</summary>
    public FeatureCase? Extract(SyntheticCase c)
    {
        if (!c.CoversL1AndL2)
            return null;
        using var scope = torch.NewDisposeScope();
        var spacing = card.Preprocessing.SpacingMm[0];
        var size = card.Preprocessing.PatchSize;
        var trueCrop = SyntheticCases.DenseNetCrop(c, spacing, size);
        if (trueCrop is null)
            return null;
        float[]? predicted = null;
        LevelStatus? status = null;
        if (segmenter is not null && segmentation is not null)
        {
            var (hu, _) = SyntheticCases.Canonical(c, segmentation.SpacingMm);
            var levels = SegmentationValidation.Levels(segmenter, hu, segmentation);
            status = levels.Status;
            if (levels.Status == LevelStatus.Identified)
            {
                var l1 = levels.Body("L1")!.Component;
                var l2 = levels.Body("L2")!.Component;
                var map = levels.Components.Map(v => v == l1 ? (byte)1 : v == l2 ? (byte)2 : (byte)0);
                var mapTensor = torch.tensor(map.Voxels, [hu.shape[0], hu.shape[1], hu.shape[2]]);
                if (SyntheticCases.CropAroundL1L2(hu, mapTensor, size) is { } crop)
                    predicted = Features(crop);
            }
        }
        return new FeatureCase(c.CaseId, c.Split.Name(), SyntheticCases.Site(c.Spec), c.QctBmd, Features(trueCrop), predicted, status);
    }

    /// <summary>The extractor's output for a (2, D, H, W) crop of HU and mask.</summary>
    private float[] Features(Tensor crop)
    {
        var input = torch.cat([window.Apply(crop[TensorIndex.Slice(0, 1)]), crop[TensorIndex.Slice(1, 2)]], 0).contiguous();
        var values = input.data<float>().ToArray();
        var shape = new[] { 1 }.Concat(input.shape.Select(d => (int)d)).ToArray();
        using var results = densenet.Run([NamedOnnxValue.CreateFromTensor(card.Inputs[0].Name, new DenseTensor(values, shape))]);
        return results[0].AsTensor<float>().ToArray();
    }

    /// <summary>
    /// BMD MAE (mg/cm³), Pearson r, AUC of the predicted BMD for osteoporosis against the rest, and the accuracy of the
    /// ACR class read off the predicted BMD, for the ridge head's predictions of a set of cases.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Score(IReadOnlyList<double> reference, IReadOnlyList<double> predicted)
    {
        var osteoporosis = reference.Select(r => BmdClasses.Of(r) == BmdClass.Osteoporosis).ToList();
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["cases"] = reference.Count,
            ["bmdMae"] = reference.Zip(predicted, (r, p) => Math.Abs(r - p)).Average(),
            ["bmdPearsonR"] = DenseNetValidation.Pearson(predicted, reference),
            ["aucOsteoporosis"] = Metrics.Auc(predicted.Select(p => -p).ToList(), osteoporosis),
            ["accuracy"] = reference.Zip(predicted, (r, p) => BmdClasses.Of(r) == BmdClasses.Of(p) ? 1.0 : 0.0).Average(),
        };
    }
}
