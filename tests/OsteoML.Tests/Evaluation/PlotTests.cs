using OsteoML.Evaluation;
using OsteoML.Evaluation.Plots;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Evaluation;

[TestClass]
public sealed class PlotTests
{
    private static EvaluationResult result = null!;

    [ClassInitialize]
    public static void Evaluate(TestContext _)
    {
        var dir = TestPaths.NewTempDirectory("osteoml-plots");
        var table = PredictionTable.ReadCsv(PredictionsFile.Write(dir, seed: 31, n: 240));
        result = PredictionEvaluator.Evaluate(table, new EvaluationOptions { By = ["site"], Replicates = 100 });
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    public void Roc_curves_are_a_png_with_text() => Check(EvaluationPlots.Roc(result.AllRows), 800, 600, "ROC");

    [TestMethod]
    public void Predicted_vs_reference_is_a_png_with_text() => Check(EvaluationPlots.PredictedVsReference(result.AllRows), 800, 600, "scatter");

    [TestMethod]
    public void Bland_altman_is_a_png_with_text() => Check(EvaluationPlots.BlandAltman(result.AllRows), 800, 600, "Bland–Altman");

    [TestMethod]
    public void Confusion_matrix_is_a_png_with_text() => Check(EvaluationPlots.Confusion(result.AllRows), 640, 600, "confusion");

    [TestMethod]
    public void Per_site_bars_are_pngs_with_text()
    {
        var sites = result.Subsets.Where(s => s.Key.By.Count == 1).ToArray();
        Assert.HasCount(3, sites);
        Check(EvaluationPlots.ClassificationBars("site", sites), 900, 520, "classification bars");
        Check(EvaluationPlots.RegressionBars("site", sites), 900, 520, "regression bars");
    }

    [TestMethod]
    public void Least_squares_line_matches_the_normal_equations()
    {
        // x 1 2 3 4, y 2 3 5 6: x̄ 2.5, ȳ 4; Sxy = (−1.5)(−2) + (−0.5)(−1) + 0.5·1 + 1.5·2 = 7; Sxx = 5 → slope 1.4, intercept 4 − 3.5 = 0.5
        var fit = LeastSquaresLine.Fit([1, 2, 3, 4], [2, 3, 5, 6])!;
        Assert.AreEqual(1.4, fit.Slope, 1e-12);
        Assert.AreEqual(0.5, fit.Intercept, 1e-12);
        Assert.IsNull(LeastSquaresLine.Fit([3, 3], [1, 2]), "constant x determines no line");
    }

    private static void Check(byte[] png, int width, int height, string what)
    {
        using var bitmap = PngImage.AssertPng(png, width, height, what);
        PngImage.AssertTextRendered(bitmap, what);
    }
}
