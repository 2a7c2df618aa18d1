using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using OsteoML.Evaluation;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Evaluation;

/// <summary>The notebook API on Microsoft.Data.Analysis DataFrames (as <c>DataFrame.LoadCsv</c> gives them).</summary>
[TestClass]
public sealed class DataFrameTests
{
    private static string directory = null!;
    private static string csv = null!;

    private static readonly Type[] Types =
        [typeof(string), typeof(string), typeof(string), typeof(string), typeof(double), typeof(double), typeof(string), typeof(double), typeof(double), typeof(double)];

    [ClassInitialize]
    public static void Write(TestContext _)
    {
        directory = TestPaths.NewTempDirectory("osteoml-dataframe");
        csv = PredictionsFile.Write(directory, seed: 52, n: 150);
    }

    [ClassCleanup]
    public static void Remove() => Directory.Delete(directory, recursive: true);

    private static DataFrame Load() => DataFrame.LoadCsv(csv, dataTypes: Types);

    [TestMethod]
    public void Metrics_of_a_loaded_frame_agree_with_sklearn_on_the_same_file()
    {
        var frame = Load();
        var classification = Metrics.Classification(frame);
        var regression = Metrics.Regression(frame);
        var reference = JsonNode.Parse(ExternalTool.Run(ExternalTool.DebianPython,
            [TestPaths.Data("evaluation", "evaluate_csv.py"), csv, ""]).EnsureSuccess("evaluate_csv.py").StdOut)!.AsArray()[0]!;
        var agreement = new Agreement();
        var c = reference["classification"]!;
        for (var k = 0; k < 3; k++)
            agreement.Check(c["auc"]![k], classification.PerClass[k].Auc, $"AUC {k}");
        agreement.Check(c["meanAuc"], classification.MeanAuc, "mean AUC");
        agreement.Check(c["accuracy"], classification.Accuracy, "accuracy");
        agreement.Check(c["precision"], classification.Precision, "precision");
        agreement.Check(c["recall"], classification.Recall, "recall");
        agreement.Check(c["specificity"], classification.Specificity, "specificity");
        agreement.Check(c["f1"], classification.F1, "F1");
        var r = reference["regression"]!;
        agreement.Check(r["mae"], regression.Mae, "MAE");
        agreement.Check(r["rmse"], regression.Rmse, "RMSE");
        agreement.Check(r["r2"], regression.R2, "R²");
        agreement.Check(r["pearsonR"], regression.PearsonR, "r");
        agreement.Check(r["pearsonP"], regression.PearsonP, "p", floor: 1e-300);
        agreement.Check(r["bias"], regression.Bias, "bias");
        Assert.AreEqual(3 + 6 + 6, agreement.Compared);
    }

    [TestMethod]
    public void Bootstrap_over_the_id_column_matches_the_array_api()
    {
        var frame = Load();
        var table = PredictionTable.ReadCsv(csv);
        var bootstrap = new PatientBootstrap(table.Rows.Select(r => r.Id).ToArray(), 100, seed: 3);
        var expected = Metrics.Regression(table.Rows.Select(r => r.BmdTrue).ToArray(), table.Rows.Select(r => r.BmdPred).ToArray(), bootstrap);
        var actual = Metrics.Regression(frame, replicates: 100, seed: 3);
        Assert.AreEqual(expected.Ci!.Mae, actual.Ci!.Mae);
        Assert.AreEqual(expected.Ci.R2, actual.Ci.R2);
    }

    [TestMethod]
    public void A_frame_evaluates_like_the_file()
    {
        var fromFrame = PredictionEvaluator.Evaluate(PredictionTable.FromDataFrame(Load()), new EvaluationOptions { By = ["site"], Replicates = 20 });
        var fromFile = PredictionEvaluator.Evaluate(PredictionTable.ReadCsv(csv), new EvaluationOptions { By = ["site"], Replicates = 20 });
        Assert.HasCount(fromFile.Subsets.Count, fromFrame.Subsets);
        for (var i = 0; i < fromFile.Subsets.Count; i++)
            Assert.AreEqual(fromFile.Subsets[i].ToString(), fromFrame.Subsets[i].ToString());
    }

    [TestMethod]
    public void Classification_needs_only_the_class_columns()
    {
        var frame = new DataFrame(
            new StringDataFrameColumn("class_true", ["normal", "osteoporosis", "osteopenia"]),
            new DoubleDataFrameColumn("p_normal", [0.8, 0.1, 0.2]),
            new DoubleDataFrameColumn("p_osteopenia", [0.1, 0.3, 0.5]),
            new DoubleDataFrameColumn("p_osteoporosis", [0.1, 0.6, 0.3]));
        var m = Metrics.Classification(frame);
        Assert.AreEqual(1.0, m.Accuracy);
        Assert.AreEqual(3, m.N);
    }

    [TestMethod]
    public void Bad_cells_and_missing_columns_are_named()
    {
        var frame = new DataFrame(
            new DoubleDataFrameColumn("bmd_true", [100, 110, 120]),
            new DoubleDataFrameColumn("bmd_pred", [101, null, 119]));
        Assert.AreEqual("DataFrame: row index 1, column bmd_pred: empty",
            Assert.ThrowsExactly<InvalidDataException>(() => Metrics.Regression(frame)).Message);
        Assert.AreEqual("DataFrame: missing column id",
            Assert.ThrowsExactly<InvalidDataException>(() => Metrics.Regression(frame, replicates: 10)).Message);
        Assert.AreEqual("DataFrame: missing columns class_true, p_normal, p_osteopenia, p_osteoporosis",
            Assert.ThrowsExactly<InvalidDataException>(() => Metrics.Classification(frame)).Message);
    }
}
