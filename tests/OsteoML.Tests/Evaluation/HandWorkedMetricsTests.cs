using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Tests.Evaluation;

/// <summary>Small cases worked out by hand; the arithmetic is written next to each expected value.</summary>
[TestClass]
public sealed class HandWorkedMetricsTests
{
    private static readonly IReadOnlyList<string> Acr = AcrClasses.Names;

    // truth     0 0 0 1 1 2
    // predicted 0 0 1 1 2 2
    // confusion (rows truth): [2 1 0] [0 1 1] [0 0 1]
    private static readonly int[] Truth = [0, 0, 0, 1, 1, 2];
    private static readonly int[] Predicted = [0, 0, 1, 1, 2, 2];

    private static double[][] Uniform(int n) => Enumerable.Range(0, n).Select(_ => new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0 }).ToArray();

    [TestMethod]
    public void Counting_metrics_of_a_three_class_example()
    {
        var m = Metrics.Classification(Truth, Uniform(6), Predicted, Acr);

        CollectionAssert.AreEqual(new[] { 2, 1, 0 }, m.Confusion.Counts[0].ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 1 }, m.Confusion.Counts[1].ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 1 }, m.Confusion.Counts[2].ToArray());
        Assert.AreEqual(4.0 / 6, m.Accuracy!.Value, 1e-15);  // diagonal 2 + 1 + 1 of 6

        // class 0: TP 2, FP 0, FN 1, TN 3 → P 1, R 2/3, spec 3/3, F1 2·2/(2·2+0+1) = 4/5
        // class 1: TP 1, FP 1, FN 1, TN 3 → P 1/2, R 1/2, spec 3/4, F1 2/(2+1+1) = 1/2
        // class 2: TP 1, FP 1, FN 0, TN 4 → P 1/2, R 1, spec 4/5, F1 2/(2+1+0) = 2/3
        AssertClass(m["normal"], 3, precision: 1, recall: 2.0 / 3, specificity: 1, f1: 4.0 / 5);
        AssertClass(m["osteopenia"], 2, precision: 0.5, recall: 0.5, specificity: 0.75, f1: 0.5);
        AssertClass(m["osteoporosis"], 1, precision: 0.5, recall: 1, specificity: 0.8, f1: 2.0 / 3);

        Assert.AreEqual((1 + 0.5 + 0.5) / 3, m.Precision!.Value, 1e-15);          // 2/3
        Assert.AreEqual((2.0 / 3 + 0.5 + 1) / 3, m.Recall!.Value, 1e-15);         // 13/18
        Assert.AreEqual((1 + 0.75 + 0.8) / 3, m.Specificity!.Value, 1e-15);       // 0.85
        Assert.AreEqual((0.8 + 0.5 + 2.0 / 3) / 3, m.F1!.Value, 1e-15);           // 59/90
    }

    [TestMethod]
    public void Auc_counts_tied_pairs_as_one_half()
    {
        // positives 0.9 0.6 0.6, negatives 0.6 0.3; pairs (positive, negative):
        // 0.9: beats both → 2; each 0.6: ties 0.6 (½) and beats 0.3 (1) → 1.5 each; total 5 of 3·2 = 6.
        bool[] positive = [true, true, true, false, false];
        double[] scores = [0.9, 0.6, 0.6, 0.6, 0.3];
        Assert.AreEqual(5.0 / 6, Metrics.RocAuc(positive, scores)!.Value, 1e-15);

        var curve = Metrics.RocCurve(positive, scores);
        // thresholds +∞, 0.9, 0.6, 0.3 → (FPR, TPR) (0,0) (0,1/3) (1/2,1) (1,1); trapezoids 0 + 0.5·(1/3+1)/2 + 0.5·1 = 5/6
        CollectionAssert.AreEqual(new[] { 0, 0, 0.5, 1 }, curve.Points.Select(p => p.FalsePositiveRate).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1.0 / 3, 1, 1 }, curve.Points.Select(p => p.TruePositiveRate).ToArray());
        CollectionAssert.AreEqual(new[] { double.PositiveInfinity, 0.9, 0.6, 0.3 }, curve.Points.Select(p => p.Threshold).ToArray());
    }

    [TestMethod]
    public void A_class_absent_from_the_truths_has_an_undefined_auc_and_recall_and_the_means_skip_it()
    {
        // No row is osteoporosis; one row is predicted osteoporosis (the last).
        int[] truth = [0, 0, 1, 1];
        double[][] p = [[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.3, 0.6, 0.1], [0.1, 0.3, 0.6]];
        var m = Metrics.Classification(truth, p, classNames: Acr);

        Assert.IsNull(m["osteoporosis"].Auc);
        Assert.IsNull(m["osteoporosis"].Recall);
        Assert.AreEqual(0.0, m["osteoporosis"].Precision);    // predicted once, wrongly: 0/1 — defined, and 0
        Assert.AreEqual(0.0, m["osteoporosis"].F1);           // 2·0/(0 + 1 + 0)
        // normal: scores 0.7 0.6 | 0.3 0.1 → perfectly separated, AUC 1.
        // osteopenia: positives 0.6, 0.3 vs negatives 0.2, 0.3 → 1 + 1 + 1 + ½ = 3.5 of 4.
        Assert.AreEqual(1.0, m["normal"].Auc);
        Assert.AreEqual(3.5 / 4, m["osteopenia"].Auc);
        Assert.AreEqual((1 + 3.5 / 4) / 2, m.MeanAuc!.Value, 1e-15);
        // recall: normal 2/2, osteopenia 1/2 (argmax of the last row is osteoporosis) → mean over the two defined
        Assert.AreEqual((1 + 0.5) / 2, m.Recall!.Value, 1e-15);
    }

    [TestMethod]
    public void Argmax_takes_the_first_class_on_tied_probabilities()
    {
        var m = Metrics.Classification([1], [[0.4, 0.4, 0.2]], classNames: Acr);
        Assert.AreEqual(1, m.Confusion[1, 0], "tie between normal and osteopenia goes to normal, like numpy.argmax");
    }

    [TestMethod]
    public void Regression_metrics_of_four_rows()
    {
        double[] reference = [100, 110, 90, 120];
        double[] predicted = [102, 108, 95, 118];
        var m = Metrics.Regression(reference, predicted);

        // differences predicted − reference: 2, −2, 5, −2
        Assert.AreEqual((2 + 2 + 5 + 2) / 4.0, m.Mae!.Value, 1e-13);                  // 2.75
        Assert.AreEqual(Math.Sqrt((4 + 4 + 25 + 4) / 4.0), m.Rmse!.Value, 1e-13);      // √9.25
        // reference mean 105 → SS_tot = 25 + 25 + 225 + 225 = 500; SS_res = 37
        Assert.AreEqual(1 - 37.0 / 500, m.R2!.Value, 1e-13);                           // 0.926
        // centred reference −5 5 −15 15, predicted (mean 105.75) −3.75 2.25 −10.75 12.25
        // Sxy = 18.75 + 11.25 + 161.25 + 183.75 = 375; Sxx = 500; Syy = 284.75
        var r = 375 / Math.Sqrt(500 * 284.75);
        Assert.AreEqual(r, m.PearsonR!.Value, 1e-13);
        // with n − 2 = 2 degrees of freedom the t test of r has the closed form p = 1 − |r|
        Assert.AreEqual(1 - r, m.PearsonP!.Value, 1e-12);
        // bias 3/4; deviations 1.25 −2.75 4.25 −2.75 → squares sum 34.75; SD = √(34.75/3)
        var sd = Math.Sqrt(34.75 / 3);
        Assert.AreEqual(0.75, m.Bias!.Value, 1e-13);
        Assert.AreEqual(0.75 - 1.96 * sd, m.LowerLimitOfAgreement!.Value, 1e-12);
        Assert.AreEqual(0.75 + 1.96 * sd, m.UpperLimitOfAgreement!.Value, 1e-12);
    }

    [TestMethod]
    public void Pearson_p_with_one_degree_of_freedom_is_the_cauchy_tail()
    {
        // ν = 1: t is Cauchy, t = r/√(1 − r²) = tan(asin r), so p = 1 − 2·asin|r|/π.
        double[] reference = [1, 2, 3];
        double[] predicted = [1, 3, 2.5];
        var m = Metrics.Regression(reference, predicted);
        Assert.AreEqual(1 - 2 * Math.Asin(Math.Abs(m.PearsonR!.Value)) / Math.PI, m.PearsonP!.Value, 1e-12);
    }

    [TestMethod]
    public void Undefined_regression_values_are_null()
    {
        var constantReference = Metrics.Regression([100, 100, 100], [90, 100, 115]);
        Assert.IsNull(constantReference.R2, "SS_tot = 0");
        Assert.IsNull(constantReference.PearsonR);
        Assert.IsNull(constantReference.PearsonP);
        Assert.AreEqual((10 + 0 + 15) / 3.0, constantReference.Mae!.Value, 1e-13);

        var one = Metrics.Regression([100], [104]);
        Assert.AreEqual(4.0, one.Bias);
        Assert.IsNull(one.LowerLimitOfAgreement, "the SD of one difference is undefined");
        Assert.IsNull(one.PearsonR);

        var empty = Metrics.Regression([], []);
        Assert.AreEqual(0, empty.N);
        Assert.IsNull(empty.Mae);
    }

    [TestMethod]
    public void Perfect_correlation_has_p_zero()
    {
        var m = Metrics.Regression([1, 2, 3, 4], [2, 4, 6, 8]); // Sxy = 10, Sxx = 5, Syy = 20 → r = 10/√100 = 1 exactly
        Assert.AreEqual(1.0, m.PearsonR);
        Assert.AreEqual(0.0, m.PearsonP);
    }

    [TestMethod]
    public void Bad_arguments_are_rejected_with_the_row()
    {
        var label = Assert.ThrowsExactly<ArgumentException>(() => Metrics.Classification([0, 3], Uniform(2), classNames: Acr));
        StringAssert.Contains(label.Message, "row 1");
        var nan = Assert.ThrowsExactly<ArgumentException>(() => Metrics.Regression([1, 2], [1, double.NaN]));
        StringAssert.Contains(nan.Message, "row 1");
        Assert.ThrowsExactly<ArgumentException>(() => Metrics.Regression([1, 2], [1]));
    }

    [TestMethod]
    public void Text_shows_p_below_a_thousandth_as_less_than()
    {
        var strong = Metrics.Regression([50, 80, 120, 160, 90, 70], [52, 79, 123, 158, 93, 69]);
        Assert.IsLessThan(0.001, strong.PearsonP!.Value);
        StringAssert.Contains(strong.ToString(), "p < 0.001");
        var weak = Metrics.Regression([100, 110, 90, 120], [102, 108, 95, 118]);
        StringAssert.Contains(weak.ToString(), $"p {1 - weak.PearsonR!.Value:F3}");
    }

    private static void AssertClass(ClassMetrics c, int support, double precision, double recall, double specificity, double f1)
    {
        Assert.AreEqual(support, c.Support, c.Name);
        Assert.AreEqual(precision, c.Precision!.Value, 1e-15, c.Name);
        Assert.AreEqual(recall, c.Recall!.Value, 1e-15, c.Name);
        Assert.AreEqual(specificity, c.Specificity!.Value, 1e-15, c.Name);
        Assert.AreEqual(f1, c.F1!.Value, 1e-15, c.Name);
    }
}
