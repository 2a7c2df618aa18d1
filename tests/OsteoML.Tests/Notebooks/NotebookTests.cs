using Microsoft.Data.Analysis;
using OsteoML.Calibration;
using OsteoML.Domain;
using OsteoML.Interactive;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;
using OsteoML.Tests.Interactive;
using OsteoML.Tests.Support;
using OsteoML.Validation.Screening;

namespace OsteoML.Tests.Notebooks;

/// <summary>
/// Executes every notebook in <c>notebooks/</c> headlessly and checks what it shows. The notebooks share one output
/// folder, as they do in a checkout: the first to need the synthetic cohort or the model writes it and the others
/// reuse it (the methods of one class run one after another). Each logs its run time.
/// </summary>
[TestClass]
public sealed class NotebookTests
{
    private static string _output = "";

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void CreateOutput(TestContext _) => _output = TestPaths.NewTempDirectory("osteoml-notebooks");

    [TestMethod]
    public void EveryNotebookIsTested()
    {
        var notebooks = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "notebooks"), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        CollectionAssert.AreEqual(new[] { "01-quickstart", "02-train-and-evaluate", "03-site-recalibration", "04-export" }, notebooks);
    }

    [TestMethod]
    public async Task QuickstartScreensAStudyAndShowsItsQaImage()
    {
        var run = await Run("01-quickstart", "result", "withTrueMask", "qaPng", "study");
        var result = run.Value<StudyResult>("result");
        var study = run.Value<StudyRow>("study");
        // The shipped VB-Net decides whether L1/L2 are named; either way the study was read and a result formed.
        CollectionAssert.Contains(new[] { StudyStatus.Ok, StudyStatus.Refused }, result.Status, result.Error);
        if (result.Status == StudyStatus.Ok) AssertScreened(result);
        else Assert.IsTrue(result.QaFlags.Count > 0, "a refused study says why in its QA flags");
        var withTrueMask = run.Value<StudyResult>("withTrueMask");
        Assert.AreEqual(StudyStatus.Ok, withTrueMask.Status, withTrueMask.LevelReason);
        AssertScreened(withTrueMask);
        Assert.IsTrue(Math.Abs(withTrueMask.Bmd!.Value - study.Bmd) < 40, $"with its true mask the study's BMD {withTrueMask.Bmd} is more than a class width from its QCT reference {study.Bmd}.");
        var png = run.Value<byte[]>("qaPng");
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.IsTrue(run.Formatted("text/html").Any(h => h.Contains(Convert.ToBase64String(png)[..64])), "the QA image was not displayed.");
        // The first cell registers OsteoML.Interactive's formatters: the result displays as its summary table.
        Assert.IsTrue(Tables(run).Any(t => t.Headers.SequenceEqual(StudyResultHtml.Columns)), "the result was not displayed as a table.");
    }

    [TestMethod]
    public async Task TrainAndEvaluateShowsTheStudysTable()
    {
        var run = await Run("02-train-and-evaluate", "paperTable", "testMae", "bmdTrials");
        var table = run.Value<DataFrame>("paperTable");
        TestContext.WriteLine(table.ToString());
        CollectionAssert.AreEqual(PaperTable.Columns.ToArray(), table.Columns.Select(c => c.Name).ToArray());
        Assert.AreEqual(4, table.Rows.Count);
        var mae = run.Value<double>("testMae");
        Assert.IsTrue(mae is > 0 and < 25, $"test MAE {mae} mg/cm³ is outside (0, 25): the heads did not learn BMD.");
        Assert.AreEqual(8L, run.Value<DataFrame>("bmdTrials").Rows.Count);
        Assert.IsTrue(run.Formatted("text/html").Count(h => h.Contains("data:image/png;base64,")) >= 3, "the plots were not displayed inline.");
        var shown = Tables(run).SingleOrDefault(t => t.Headers.SequenceEqual(PaperTable.Columns));
        Assert.IsNotNull(shown, "the study's table was not displayed as an HTML table.");
        Assert.AreEqual(4, shown.Rows.Count);
    }

    /// <summary>Every HTML table the notebook displayed (OsteoML.Interactive's formatters write one per DataFrame or result).</summary>
    private static IEnumerable<HtmlTable> Tables(NotebookRun run) =>
        run.Formatted("text/html").Select(HtmlTable.TryParse).OfType<HtmlTable>();

    [TestMethod]
    public async Task SiteRecalibrationShowsBeforeAfterAndTheLearningCurve()
    {
        var run = await Run("03-site-recalibration", "beforeAfter", "learningCurve", "profile");
        var beforeAfter = run.Value<DataFrame>("beforeAfter");
        TestContext.WriteLine(beforeAfter.ToString());
        Assert.AreEqual(3, beforeAfter.Columns.Count);
        double Cell(int row, int column) => (double)beforeAfter.Columns[column][row]!;
        Assert.IsTrue(Cell(0, 1) > 0 && Cell(0, 2) > 0, "MAE before and after");
        var curve = run.Value<DataFrame>("learningCurve");
        TestContext.WriteLine(curve.ToString());
        CollectionAssert.AreEqual(new[] { "site", "source", "k", "draws", "mae_mean", "mae_sd", "bias_mean", "auc_mean", "auc_sd" }, curve.Columns.Select(c => c.Name).ToArray());
        // The global model alone and with k cases; the notebook's cases carry no per-study source, so the
        // one-standard-error choice at each k can only be "none" and repeats it.
        var rows = Enumerable.Range(0, (int)curve.Rows.Count).Select(i => (Source: (string)curve["source"][i]!, K: (int)curve["k"][i]!)).ToArray();
        CollectionAssert.AreEqual(new[] { 0, 5, 10, 20 }, rows.Where(r => r.Source == "none").Select(r => r.K).ToArray());
        CollectionAssert.AreEqual(new[] { 5, 10, 20 }, rows.Where(r => r.Source == LearningCurve.ChosenLabel).Select(r => r.K).ToArray());
        Assert.AreEqual(10, run.Value<SiteProfile>("profile").Cases);
        Assert.IsTrue(run.Formatted("text/html").Any(h => h.Contains("data:image/png;base64,")), "the learning curve was not plotted inline.");
    }

    [TestMethod]
    public async Task ExportShowsBothExportsPredictingWhatTheBundlePredicts()
    {
        var run = await Run("04-export", "consumed", "modelBuilderDifference", "onnxDifference");
        TestContext.WriteLine(run.Value<DataFrame>("consumed").ToString());
        Assert.AreEqual(0f, run.Value<float>("modelBuilderDifference"), "the Model Builder model predicts the bundle's BMD exactly.");
        Assert.IsTrue(run.Value<float>("onnxDifference") <= 1e-4f, $"ONNX differs from the bundle by {run.Value<float>("onnxDifference")} mg/cm³.");
        Assert.IsTrue(run.Value<DataFrame>("consumed").Rows.Count > 0);
    }

    private static void AssertScreened(StudyResult result)
    {
        Assert.IsTrue(result.Bmd is > 0 and < 400, $"BMD {result.Bmd}");
        // The contract (ProbabilityRounding): rounded to 5 decimals so that they still sum to 1; what is left is the
        // double addition of three 5-decimal values (≤ 3 ulp), not the rounding's 1.5e-5 that once failed on another CPU.
        Assert.AreEqual(1.0, result.Probabilities!.Sum(), 1e-12);
        CollectionAssert.Contains(OsteoML.Domain.AcrClasses.Names.ToArray(), result.Class);
    }

    private async Task<NotebookRun> Run(string name, params string[] variables)
    {
        var run = await NotebookRunner.RunAsync(name, _output, variables, TestContext);
        TestContext.WriteLine($"{name}: {run.Elapsed.TotalSeconds:F1} s");
        return run;
    }
}
