using System.Text.RegularExpressions;
using OsteoML.Export.Onnx;
using OsteoML.Inference;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

[TestClass]
public sealed partial class OnnxOutputNamesTests
{
    /// <summary>
    /// The heads' output names agree in the four places a consumer meets them: the graph of heads.onnx (read by ONNX
    /// Runtime), chain.json's heads model and its heads step (and the calibration step that reads the BMD), and the
    /// heads.onnx row of docs/export.md.
    /// </summary>
    [TestMethod]
    public void HeadsOnnxChainJsonAndTheDocNameTheOutputsAlike()
    {
        var export = OnnxExporter.Export(ExportTestData.Instance.Bundle, TestPaths.NewTempDirectory("osteoml-onnx-names"));
        using var session = OnnxRuntimeSessions.Open(export.Heads);
        var graph = session.OutputMetadata.Keys.ToArray();

        var chain = OnnxChain.Read(export.Chain);
        var model = chain.Models.Single(m => m.Role == "heads").Outputs.Select(o => o.Name).ToArray();
        var step = chain.Steps.Single(s => s.Model == "heads").Outputs.Keys.ToArray();
        var calibrationBmd = chain.Steps.Single(s => s.Name == "calibration").Inputs["bmd"];

        var row = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "docs", "export.md")).Single(l => l.StartsWith("| `heads.onnx` |", StringComparison.Ordinal));
        var documented = Backticked().Matches(OutputsClause().Match(row).Groups[1].Value).Select(m => m.Groups[1].Value).ToArray();

        CollectionAssert.AreEqual(new[] { "PredictedBmd", "ClassProbabilities" }, graph, "heads.onnx");
        CollectionAssert.AreEqual(graph, model, "chain.json: the heads model's outputs");
        CollectionAssert.AreEqual(graph, step, "chain.json: the heads step's outputs");
        Assert.AreEqual($"heads.{graph[0]}", calibrationBmd, "chain.json: the calibration step's BMD input");
        CollectionAssert.AreEqual(graph, documented, "docs/export.md, heads.onnx row");
        CollectionAssert.AreEqual(OnnxExporter.HeadsOutputs.ToArray(), graph, "OnnxExporter's constants");
    }

    [GeneratedRegex(@"outputs (.+?);")]
    private static partial Regex OutputsClause();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Backticked();
}
