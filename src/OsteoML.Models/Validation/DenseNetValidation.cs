using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using OsteoML.Synthesis.Truth;
using TorchSharp;
using static TorchSharp.torch;

namespace OsteoML.Models.Validation;

/// <summary>
/// The DenseNet's own heads on held-out crops (cut around the true L1/L2 masks, so the number isolates the
/// DenseNet from the segmentation): BMD MAE in mg/cm³, AUC of the osteoporosis probability for osteoporosis vs the
/// rest, and the macro one-vs-rest AUC over the three ACR classes.
/// </summary>
public static class DenseNetValidation
{
    public static IReadOnlyDictionary<string, double> Assess(DenseNetLite network, IReadOnlyList<DenseNetExample> examples, DenseNetRecipe recipe, BmdScale scale)
    {
        network.eval();
        var bmd = new List<double>();
        var probabilities = new List<float[]>();
        using (torch.no_grad())
        {
            foreach (var example in examples)
            {
                using var scope = torch.NewDisposeScope();
                var crop = Centre(example.Crop, recipe);
                var input = torch.cat([recipe.Normalization.Apply(crop[TensorIndex.Slice(0, 1)]), crop[TensorIndex.Slice(1, 2)]], 0).unsqueeze(0);
                var (b, logits) = network.Heads(network.forward(input));
                bmd.Add(b.item<float>() * scale.StandardDeviation + scale.Mean);
                probabilities.Add(nn.functional.softmax(logits, 1).squeeze(0).data<float>().ToArray());
            }
        }
        var truth = examples.Select(e => e.BmdMgCm3).ToList();
        var classes = examples.Select(e => e.AcrClass).ToList();
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["cases"] = examples.Count,
            ["bmdMae"] = bmd.Zip(truth, (p, t) => Math.Abs(p - t)).Average(),
            ["bmdPearsonR"] = Pearson(bmd, truth),
            ["aucOsteoporosis"] = Metrics.Auc(probabilities.Select(p => (double)p[(int)BmdClass.Osteoporosis]).ToList(), classes.Select(c => c == (int)BmdClass.Osteoporosis).ToList()),
            ["aucMacro"] = Enumerable.Range(0, 3).Select(k => Metrics.Auc(probabilities.Select(p => (double)p[k]).ToList(), classes.Select(c => c == k).ToList()))
                .Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average(),
            ["accuracy"] = probabilities.Zip(classes, (p, c) => Array.IndexOf(p, p.Max()) == c ? 1.0 : 0.0).Average(),
        };
        return result;
    }

    /// <summary>The centred, unjittered network crop of a margin-padded example.</summary>
    internal static Tensor Centre(Tensor crop, DenseNetRecipe recipe)
    {
        var m = recipe.Margin;
        var c = recipe.CropSize;
        return crop[TensorIndex.Colon, TensorIndex.Slice(m, m + c[0]), TensorIndex.Slice(m, m + c[1]), TensorIndex.Slice(m, m + c[2])];
    }

    private static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var ma = a.Average();
        var mb = b.Average();
        var cov = a.Zip(b, (x, y) => (x - ma) * (y - mb)).Sum();
        var va = a.Sum(x => (x - ma) * (x - ma));
        var vb = b.Sum(y => (y - mb) * (y - mb));
        return cov / Math.Sqrt(va * vb);
    }
}
