using OsteoML.Domain;
using OsteoML.Inference;
using OsteoML.Cli;
using OsteoML.Models.Cards;
using OsteoML.Models.Data;
using OsteoML.Models.Networks;
using OsteoML.Tests.Cli;
using OsteoML.Tests.Support;
using TorchSharp;

namespace OsteoML.Tests.Models;

/// <summary>From synthetic cases to model data, and <c>osteoml-train train</c> end to end on a tiny recipe.</summary>
[TestClass]
public sealed class SyntheticCasesTests
{
    [TestMethod]
    public void Synthesis_labels_map_onto_the_model_classes()
    {
        foreach (var level in VertebralLevels.All)
        {
            Assert.AreEqual(SegmentationClasses.Trabecular, SyntheticCases.ClassOf(SyntheticLabels.Trabecular(level)), level.ToString());
            Assert.AreEqual(SegmentationClasses.OtherVertebralBone, SyntheticCases.ClassOf(SyntheticLabels.Cortical(level)), level.ToString());
            Assert.AreEqual(SegmentationClasses.OtherVertebralBone, SyntheticCases.ClassOf(SyntheticLabels.PosteriorElements(level)), level.ToString());
            Assert.AreEqual(SegmentationClasses.Background, SyntheticCases.ClassOf(SyntheticLabels.DiscBelow(level)), level.ToString());
            if (level.HasRibs())
                Assert.AreEqual(SegmentationClasses.Rib, SyntheticCases.ClassOf(SyntheticLabels.Rib(level)), level.ToString());
        }
        Assert.AreEqual(SegmentationClasses.OtherVertebralBone, SyntheticCases.ClassOf(SyntheticLabels.Sacrum));
        foreach (var soft in new[] { SyntheticLabels.Liver, SyntheticLabels.Aorta, SyntheticLabels.AorticCalcification, SyntheticLabels.Psoas, SyntheticLabels.Table })
            Assert.AreEqual(SegmentationClasses.Background, SyntheticCases.ClassOf(soft), soft.ToString());
    }

    [TestMethod]
    public void DenseNet_crop_is_centred_between_the_L1_and_L2_centroids()
    {
        var hu = torch.arange(20 * 10 * 10, dtype: torch.float32).reshape(20, 10, 10);
        var levels = torch.zeros([20, 10, 10], dtype: torch.uint8);
        levels[torch.TensorIndex.Slice(2, 6), torch.TensorIndex.Slice(2, 6), torch.TensorIndex.Slice(2, 6)] = 1;   // centroid (3.5, 3.5, 3.5)
        levels[torch.TensorIndex.Slice(10, 14), torch.TensorIndex.Slice(4, 8), torch.TensorIndex.Slice(4, 8)] = 2; // centroid (11.5, 5.5, 5.5)
        // Midpoint (7.5, 4.5, 4.5) rounds to (8, 4, 4) (round half to even); an 8×4×4 crop spans [4, 12) × [2, 6) × [2, 6).
        var crop = SyntheticCases.CropAroundL1L2(hu, levels, [8, 4, 4])!;
        CollectionAssert.AreEqual(new long[] { 2, 8, 4, 4 }, crop.shape);
        Assert.AreEqual(hu[4, 2, 2].item<float>(), crop[0, 0, 0, 0].item<float>());
        Assert.AreEqual(hu[11, 5, 5].item<float>(), crop[0, 7, 3, 3].item<float>());
        Assert.AreEqual(1f, crop[1, 0, 0, 0].item<float>(), "(4, 2, 2) is in L1");
        Assert.AreEqual(0f, crop[1, 3, 0, 0].item<float>(), "slice 7 is between the bodies");
        Assert.AreEqual(1f, crop[1, 7, 3, 3].item<float>(), "(11, 5, 5) is in L2");
        Assert.AreEqual(0f, crop[1, 7, 0, 0].item<float>(), "(11, 2, 2) is outside L2");
        Assert.IsNull(SyntheticCases.CropAroundL1L2(hu, torch.zeros_like(levels), [4, 4, 4]), "no L1: no crop");
    }

    [TestMethod]
    public void Train_command_writes_a_model_that_verifies()
    {
        var dir = Path.Combine(TestPaths.NewTempDirectory(), "vbnet");
        var train = CliRun.OfTrain("train", "--model", "vbnet", "--preset", "ci", "--seed", "7", "--tiny", "--steps", "5",
            "--train-cases", "2", "--validation-per-site", "1", "--out", dir);
        Assert.AreEqual(ExitCodes.Success, train.ExitCode, train.Error);
        StringAssert.Contains(train.Out, "step 5/5");

        var card = ModelCard.ReadFolder(dir);
        Assert.AreEqual("ci", card.Training.Preset);
        Assert.AreEqual(2, card.Training.Cases);
        CollectionAssert.IsSubsetOf(new[] { "test", "independent" }, card.Metrics.Keys.ToList());
        Assert.IsTrue(card.Metrics["independent"].ContainsKey("levelAccuracy"));

        var verify = CliRun.Of("models", "verify", dir);
        Assert.AreEqual(ExitCodes.Success, verify.ExitCode, verify.Error);
    }
}
