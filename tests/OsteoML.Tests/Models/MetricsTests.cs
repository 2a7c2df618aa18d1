using System.Globalization;
using OsteoML.Models.Validation;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Models;

/// <summary>The card metrics against scikit-learn and hand counts.</summary>
[TestClass]
public sealed class MetricsTests
{
    [TestMethod]
    public void Auc_matches_scikit_learn_with_ties()
    {
        var random = new Random(11);
        // Scores on a coarse grid so ties occur; labels correlated with the score.
        var scores = Enumerable.Range(0, 200).Select(_ => Math.Round(random.NextDouble() * 10) / 10).ToList();
        var labels = scores.Select(s => random.NextDouble() < 0.2 + 0.6 * s).ToList();
        var expected = ExternalTool.Python("""
            import sys
            from sklearn.metrics import roc_auc_score
            s = [float(x) for x in sys.argv[1].split(',')]
            y = [int(x) for x in sys.argv[2].split(',')]
            print(repr(roc_auc_score(y, s)))
            """, string.Join(',', scores.Select(s => s.ToString(CultureInfo.InvariantCulture))), string.Join(',', labels.Select(l => l ? "1" : "0")))
            .EnsureSuccess("scikit-learn roc_auc_score").StdOut.Trim();
        Assert.AreEqual(double.Parse(expected, CultureInfo.InvariantCulture), Metrics.Auc(scores, labels), 1e-12);
    }

    [TestMethod]
    public void Auc_is_undefined_without_both_classes()
    {
        Assert.IsTrue(double.IsNaN(Metrics.Auc([0.1, 0.2], [true, true])));
    }

    [TestMethod]
    public void Dice_by_hand()
    {
        byte[] a = [1, 1, 1, 0, 2, 2];
        byte[] b = [1, 1, 0, 1, 2, 0];
        Assert.AreEqual(2.0 * 2 / (3 + 3), Metrics.Dice(a, b, 1), 1e-12);
        Assert.AreEqual(2.0 * 1 / (2 + 1), Metrics.Dice(a, b, 2), 1e-12);
        Assert.AreEqual(1.0, Metrics.Dice(a, b, 3), "both empty");
    }
}
