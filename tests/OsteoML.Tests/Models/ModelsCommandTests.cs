using OsteoML.Inference;
using OsteoML.Cli;
using OsteoML.Models.Cards;
using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Models;

/// <summary><c>osteoml models verify</c> on freshly packaged tiny models, intact and tampered with.</summary>
[TestClass]
public sealed class ModelsCommandTests
{
    [TestMethod]
    public void Verify_accepts_an_intact_model_directory()
    {
        var dir = Package();
        var run = CliRun.Of("models", "verify", dir);
        Assert.AreEqual(ExitCodes.Success, run.ExitCode, run.Error);
        StringAssert.Contains(run.Out, "ok (vbnet-lite");
    }

    [TestMethod]
    public void Verify_refuses_a_changed_onnx_file()
    {
        var dir = Package();
        var onnx = Path.Combine(dir, ModelCard.OnnxFileName);
        var bytes = File.ReadAllBytes(onnx);
        bytes[^1] ^= 0x01; // one bit of the last initializer's data
        File.WriteAllBytes(onnx, bytes);

        var run = CliRun.Of("models", "verify", dir);
        Assert.AreEqual(ExitCodes.Failure, run.ExitCode);
        StringAssert.Contains(run.Error, "sha256");
    }

    [TestMethod]
    public void Verify_refuses_a_card_whose_contract_differs_from_the_graph()
    {
        var dir = Package();
        var cardPath = Path.Combine(dir, ModelCard.FileName);
        var card = ModelCard.Read(cardPath);
        card = card with { Inputs = [card.Inputs[0] with { Name = "volume" }], Outputs = [card.Outputs[0] with { Shape = ["batch", 3L, "depth", "height", "width"] }] };
        card.Write(cardPath);

        var run = CliRun.Of("models", "verify", dir, Path.Combine(dir, "missing"));
        Assert.AreEqual(ExitCodes.Failure, run.ExitCode);
        StringAssert.Contains(run.Error, "input 0 is named 'image', the card says 'volume'");
        StringAssert.Contains(run.Error, "has shape [batch, 4, depth, height, width], the card says [batch, 3, depth, height, width]");
        StringAssert.Contains(run.Error, "missing: no such directory");
    }

    private static string Package()
    {
        var recipe = SegmentationRecipe.Tiny;
        using var net = new VBNetLite(recipe.Network);
        var export = net.ExportOnnx("test");
        var training = new TrainingRecord
        {
            Preset = "test", Seed = 1, Cases = 0, Steps = 0, BatchSize = 1, Epochs = 0, WallTimeMinutes = 0,
            Machine = "test", FirstLoss = 0, FinalLoss = 0,
        };
        var dir = Path.Combine(TestPaths.NewTempDirectory(), ModelPackage.VBNetName);
        ModelPackage.Write(dir, export.ToBytes(), ModelPackage.VBNetCard(net, recipe, export, training, new Dictionary<string, IReadOnlyDictionary<string, double>>()));
        return dir;
    }
}
