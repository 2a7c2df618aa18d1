using Microsoft.Data.Analysis;
using OsteoML.Pipelines.Screening;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Notebooks;

/// <summary>
/// Executes every notebook in <c>notebooks/</c> headlessly and checks what it shows. The notebooks share one output
/// folder, as they would in a user's checkout: the first to need the synthetic cohort or the model writes it and
/// the others reuse it (methods of one class run one after another).
/// </summary>
[TestClass]
public sealed class NotebookTests
{
    private static string _output = "";

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void CreateOutput(TestContext _) => _output = TestPaths.NewTempDirectory("osteoml-notebooks");

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
        var trials = run.Value<DataFrame>("bmdTrials");
        Assert.AreEqual(8L, trials.Rows.Count);
        Assert.IsTrue(run.Formatted("text/html").Count(h => h.Contains("data:image/png;base64,")) >= 3, "the plots were not displayed inline.");
    }

    private async Task<NotebookRun> Run(string name, params string[] variables)
    {
        var run = await NotebookRunner.RunAsync(name, _output, variables, TestContext);
        TestContext.WriteLine($"{name}: {run.Elapsed.TotalSeconds:F1} s");
        return run;
    }
}
