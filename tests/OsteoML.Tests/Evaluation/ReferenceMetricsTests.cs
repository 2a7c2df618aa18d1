using System.Text.Json.Nodes;
using OsteoML.Evaluation;

namespace OsteoML.Tests.Evaluation;

/// <summary>
/// Every metric against scikit-learn / scipy / numpy (Debian's) on random data generated here: small and
/// large sets, heavy score ties, a class missing, explicit and argmax predictions, and bootstrap replicate
/// weights (the reference sees the rows repeated instead). Agreement: 1e-6 relative.
/// </summary>
[TestClass]
public sealed class ReferenceMetricsTests
{
    private static readonly List<ReferenceCase> Cases = [];
    private static JsonArray answers = [];

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void RunReference(TestContext _)
    {
        Cases.Add(RandomData.Case(seed: 1, n: 7));
        Cases.Add(RandomData.Case(seed: 2, n: 60, decimals: 1));                 // many tied scores
        Cases.Add(RandomData.Case(seed: 3, n: 300, explicitPredictions: true));
        Cases.Add(RandomData.Case(seed: 4, n: 1219, decimals: 2));
        Cases.Add(RandomData.Case(seed: 5, n: 40, missingClass: 2));             // AUC of class 2 undefined
        Cases.Add(RandomData.Case(seed: 6, n: 60, bmdNoise: 25));                 // p around 1e-20
        Cases.Add(RandomData.Case(seed: 7, n: 25, bmdNoise: 400));                // p not small
        var replicateBase = RandomData.Case(seed: 8, n: 200, decimals: 2);
        var ids = RandomData.PatientIds(seed: 8, rows: 200, patients: 120);
        foreach (var weights in new PatientBootstrap(ids, replicates: 3, seed: 99).RowWeights())
            Cases.Add(replicateBase with { Weights = weights });
        answers = SklearnReference.Run(Cases);
    }

    [TestMethod]
    public void Classification_metrics_agree_with_sklearn()
    {
        var agreement = new Agreement();
        for (var i = 0; i < Cases.Count; i++)
        {
            var data = Cases[i];
            var ours = data.Weights is null
                ? Metrics.Classification(data.Truth!, data.Proba!, data.Pred)
                : ClassificationOfReplicate(data);
            CompareClassification(answers[i]!["classification"]!, ours, $"case {i}", agreement);
        }
        TestContext.WriteLine($"classification: {agreement.Compared} values, max relative difference {agreement.MaxRelativeDifference:E2}");
    }

    [TestMethod]
    public void Macro_averages_equal_sklearn_macro_when_every_class_value_is_defined()
    {
        var agreement = new Agreement();
        for (var i = 0; i < Cases.Count; i++)
        {
            var data = Cases[i];
            if (data.Weights is not null) continue;
            var ours = Metrics.Classification(data.Truth!, data.Proba!, data.Pred);
            if (ours.PerClass.Any(c => c.Precision is null || c.Recall is null)) continue;
            var macro = answers[i]!["classification"]!["sklearnMacro"]!;
            agreement.Check(macro["precision"], ours.Precision, $"case {i} precision");
            agreement.Check(macro["recall"], ours.Recall, $"case {i} recall");
            agreement.Check(macro["f1"], ours.F1, $"case {i} f1");
        }
        Assert.IsGreaterThanOrEqualTo(15, agreement.Compared, "most cases have every class present and predicted");
    }

    [TestMethod]
    public void Regression_metrics_agree_with_sklearn_and_scipy()
    {
        var agreement = new Agreement();
        for (var i = 0; i < Cases.Count; i++)
        {
            var data = Cases[i];
            var ours = data.Weights is null
                ? Metrics.Regression(data.Reference!, data.Predicted!)
                : RegressionOfReplicate(data);
            var expected = answers[i]!["regression"]!;
            var what = $"case {i}";
            agreement.Check(expected["mae"], ours.Mae, $"{what} MAE");
            agreement.Check(expected["rmse"], ours.Rmse, $"{what} RMSE");
            agreement.Check(expected["r2"], ours.R2, $"{what} R²");
            agreement.Check(expected["pearsonR"], ours.PearsonR, $"{what} Pearson r");
            agreement.Check(expected["pearsonP"], ours.PearsonP, $"{what} Pearson p", floor: 1e-300);
            agreement.Check(expected["bias"], ours.Bias, $"{what} bias");
            agreement.Check(expected["loaLow"], ours.LowerLimitOfAgreement, $"{what} lower LoA");
            agreement.Check(expected["loaHigh"], ours.UpperLimitOfAgreement, $"{what} upper LoA");
        }
        var tiny = answers.Select(a => SklearnReference.Number(a!["regression"]!["pearsonP"])).Where(p => p is > 0 and < 1e-10);
        Assert.IsTrue(tiny.Any(), "a case with a tiny (but representable) p-value must be among the cases");
        TestContext.WriteLine($"regression: {agreement.Compared} values, max relative difference {agreement.MaxRelativeDifference:E2}");
    }

    [TestMethod]
    public void Roc_curves_agree_with_sklearn_roc_curve()
    {
        var agreement = new Agreement();
        for (var i = 0; i < Cases.Count; i++)
        {
            var data = Cases[i];
            if (data.Weights is not null) continue;
            var expected = answers[i]!["classification"]!["roc"]!.AsArray();
            for (var c = 0; c < data.Classes; c++)
            {
                var curve = Metrics.RocCurve(data.Truth!.Select(t => t == c).ToArray(), data.Proba!.Select(p => p[c]).ToArray());
                if (expected[c] is null)
                {
                    Assert.IsEmpty(curve.Points);
                    Assert.IsNull(curve.Auc);
                    continue;
                }
                var fpr = expected[c]!["fpr"]!.AsArray();
                var tpr = expected[c]!["tpr"]!.AsArray();
                Assert.HasCount(fpr.Count, curve.Points, $"case {i} class {c}: one point per distinct score plus the origin");
                for (var p = 0; p < fpr.Count; p++)
                {
                    agreement.Check(fpr[p], curve.Points[p].FalsePositiveRate, $"case {i} class {c} FPR[{p}]");
                    agreement.Check(tpr[p], curve.Points[p].TruePositiveRate, $"case {i} class {c} TPR[{p}]");
                }
            }
        }
        TestContext.WriteLine($"ROC curves: {agreement.Compared} values, max relative difference {agreement.MaxRelativeDifference:E2}");
    }

    private static void CompareClassification(JsonNode expected, ClassificationMetrics ours, string what, Agreement agreement)
    {
        for (var c = 0; c < ours.PerClass.Count; c++)
        {
            var ourClass = ours.PerClass[c];
            agreement.Check(expected["auc"]![c], ourClass.Auc, $"{what} AUC class {c}");
            agreement.Check(expected["precisionPerClass"]![c], ourClass.Precision, $"{what} precision class {c}");
            agreement.Check(expected["recallPerClass"]![c], ourClass.Recall, $"{what} recall class {c}");
            agreement.Check(expected["specificityPerClass"]![c], ourClass.Specificity, $"{what} specificity class {c}");
            agreement.Check(expected["f1PerClass"]![c], ourClass.F1, $"{what} F1 class {c}");
        }
        agreement.Check(expected["meanAuc"], ours.MeanAuc, $"{what} mean AUC");
        agreement.Check(expected["accuracy"], ours.Accuracy, $"{what} accuracy");
        agreement.Check(expected["precision"], ours.Precision, $"{what} macro precision");
        agreement.Check(expected["recall"], ours.Recall, $"{what} macro recall");
        agreement.Check(expected["specificity"], ours.Specificity, $"{what} macro specificity");
        agreement.Check(expected["f1"], ours.F1, $"{what} macro F1");
        var confusion = expected["confusion"]!.AsArray();
        for (var t = 0; t < confusion.Count; t++)
            CollectionAssert.AreEqual(confusion[t]!.AsArray().Select(v => v!.GetValue<int>()).ToArray(), ours.Confusion.Counts[t].ToArray(), $"{what} confusion row {t}");
    }

    /// <summary>A replicate's metrics as the bootstrap computes them: the weighted kernel, weights = patient draw counts.</summary>
    private static ClassificationMetrics ClassificationOfReplicate(ReferenceCase data) =>
        new ClassificationSample(data.Truth!, data.Proba!, data.Pred, null).Compute(data.Weights);

    private static RegressionMetrics RegressionOfReplicate(ReferenceCase data) =>
        new RegressionSample(data.Reference!, data.Predicted!).Compute(data.Weights);
}
