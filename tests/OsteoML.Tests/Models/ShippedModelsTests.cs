using OsteoML.Inference;
using OsteoML.Models.Cards;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Models;

/// <summary>The models in <c>models/</c>: their cards hold, the ONNX checker accepts them, their readable cards are current.</summary>
[TestClass]
public sealed class ShippedModelsTests
{
    private static readonly string[] Names = [ModelPackage.VBNetName, ModelPackage.DenseNetName];

    private static string Directory(string name) => Path.Combine(TestPaths.RepoRoot, "models", name);

    [TestMethod]
    public void Every_shipped_model_verifies_against_its_card()
    {
        foreach (var name in Names)
        {
            var problems = ModelVerifier.Verify(Directory(name));
            Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
        }
    }

    [TestMethod]
    public void The_onnx_checker_accepts_every_shipped_model()
    {
        var files = Names.Select(n => Path.Combine(Directory(n), ModelCard.OnnxFileName)).ToArray();
        ExternalTool.Python("""
            import sys, onnx
            for p in sys.argv[1:]:
                onnx.checker.check_model(onnx.load(p), full_check=True)
            """, files).EnsureSuccess("onnx.checker");
    }

    [TestMethod]
    public void Readable_cards_match_card_json()
    {
        foreach (var name in Names)
        {
            var card = ModelCard.ReadFolder(Directory(name));
            var readable = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "model-cards", name + ".md"));
            Assert.AreEqual(ModelCardMarkdown.Render(card), readable, $"docs/model-cards/{name}.md is stale: re-render it from the card");
        }
    }
}
