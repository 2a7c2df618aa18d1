using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Onnx;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Export;
using OsteoML.Export.Onnx;
using OsteoML.Inference;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

[TestClass]
public sealed class OnnxChainExportTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// The exported chain run in ONNX Runtime alone — DenseNet on each study's crop, then the heads on its features and
    /// measures, wired as chain.json says — gives the bundle's ML.NET predictions to 1e-4.
    /// </summary>
    [TestMethod]
    public void TheChainInOnnxRuntimeMatchesTheBundle()
    {
        var data = ExportTestData.Instance;
        var export = OnnxExporter.Export(data.Bundle, TestPaths.NewTempDirectory("osteoml-onnx"));
        var chain = OnnxChain.Read(export.Chain);
        CollectionAssert.AreEqual(new[] { "segmentation", "features", "heads" }, chain.Models.Select(m => m.Role).ToArray());
        var headsModel = chain.Models.Single(m => m.Role == "heads");
        CollectionAssert.AreEquivalent(data.Bundle.Manifest.FeatureColumns.ToArray(), headsModel.Inputs.Select(i => i.Name).ToArray(), "heads inputs: the feature columns, no label");
        foreach (var model in chain.Models)
            Assert.AreEqual(ModelBundle.Sha256(Path.Combine(export.Directory, model.File)), model.Sha256, model.File);
        Assert.AreEqual(ModelCard.ReadFolder(data.Bundle.FeaturesModelDirectory!).Sha256, chain.Models[1].Sha256, "DenseNet copied byte for byte");

        var heads = BundleHeads.FromBundle(data.Bundle);
        var step = chain.Steps.Single(s => s.Model == "heads");
        using var features = OnnxRuntimeSessions.Open(Path.Combine(export.Directory, chain.Models[1].File));
        using var headsSession = OnnxRuntimeSessions.Open(Path.Combine(export.Directory, headsModel.File));
        var crops = Crops(data.Bundle, data.Scored);
        var worst = 0.0;
        foreach (var study in data.Scored)
        {
            var densenet = features.Run([NamedOnnxValue.CreateFromTensor(chain.Models[1].Inputs[0].Name,
                new DenseTensor<float>(crops[study.Study.SeriesInstanceUid], [1, 2, 48, 40, 40]))]).Single().AsEnumerable<float>().ToArray();
            // Wire the heads' inputs as chain.json says: "features.<output>" or "measure.<column>".
            var parts = heads.Layout.Parts.Select(p => step.Inputs[p.Column] switch
            {
                var s when s.StartsWith("features.", StringComparison.Ordinal) => densenet,
                "measure.LevelMeasures" => study.LevelMeasures,
                "measure.TissueHu" => study.TissueHu,
                "measure.Acquisition" => study.Acquisition,
                var s => throw new AssertFailedException($"unexpected heads input source {s}"),
            }).ToArray();
            var (bmd, probabilities) = OnnxExporter.Run(headsSession, heads.Layout, parts);
            worst = Math.Max(worst, Math.Abs(bmd - study.PredictedBmd));
            for (var k = 0; k < AcrClasses.Names.Count; k++) worst = Math.Max(worst, Math.Abs(probabilities[k] - study.ClassProbabilities[k]));
        }
        TestContext.WriteLine($"{data.Scored.Count} studies: ONNX Runtime chain vs ML.NET, largest difference {worst:G3} (BMD mg/cm³ or probability); probe check {export.ProbeMaxDifference:G3}");
        Assert.IsTrue(worst <= 1e-4, $"the ONNX chain differs from ML.NET by {worst}.");
    }

    /// <summary>The exported segmentation model runs in ONNX Runtime with the names and shapes chain.json gives: per-voxel class probabilities.</summary>
    [TestMethod]
    public void TheSegmentationModelRunsAsChainJsonDescribesIt()
    {
        var export = OnnxExporter.Export(ExportTestData.Instance.Bundle, TestPaths.NewTempDirectory("osteoml-onnx"));
        var chain = OnnxChain.Read(export.Chain);
        var model = chain.Models.Single(m => m.Role == "segmentation");
        var card = ModelCard.Read(Path.Combine(export.Directory, model.Card!));
        using var session = OnnxRuntimeSessions.Open(Path.Combine(export.Directory, model.File));
        Assert.AreEqual(model.Inputs[0].Name, session.InputMetadata.Keys.Single());
        Assert.AreEqual(model.Outputs[0].Name, session.OutputMetadata.Keys.Single());
        const int size = 32;
        var air = (float)((Math.Clamp(-1000, card.Preprocessing.Hu.Min, card.Preprocessing.Hu.Max) - card.Preprocessing.Hu.Center) / card.Preprocessing.Hu.Scale);
        var input = new DenseTensor<float>(Enumerable.Repeat(air, size * size * size).ToArray(), [1, 1, size, size, size]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(model.Inputs[0].Name, input)]);
        var output = results.Single().AsTensor<float>();
        CollectionAssert.AreEqual(new[] { 1, card.Classes.Count, size, size, size }, output.Dimensions.ToArray());
        for (var v = 0; v < size * size * size; v += 997)
        {
            var sum = Enumerable.Range(0, card.Classes.Count).Sum(c => output[0, c, v / (size * size), v / size % size, v % size]);
            Assert.AreEqual(1.0, sum, 1e-4, "class probabilities of a voxel sum to 1");
        }
        Assert.AreEqual(0, Enumerable.Range(0, card.Classes.Count).Select(c => output[0, c, 16, 16, 16]).ToList()
            .IndexOf(Enumerable.Range(0, card.Classes.Count).Max(c => output[0, c, 16, 16, 16])), "air is background");
    }

    /// <summary>Each study's DenseNet crop, from the bundle's own chain cut before its ApplyOnnxModel.</summary>
    private static Dictionary<string, float[]> Crops(ModelBundle bundle, IReadOnlyList<StudyFeatures> studies)
    {
        var ml = new MLContext(1);
        using var runtime = bundle.CreateRuntime(ExportTestData.Instance.Cache);
        var leaves = BundleHeads.Leaves(bundle.LoadModel(ml, runtime)).ToList();
        var crop = BundleHeads.Chain(leaves.Take(leaves.FindIndex(l => l is OnnxTransformer)));
        var scored = crop.Transform(ml.Data.LoadFromEnumerable(studies.Select(s => s.Study).ToArray()));
        var uids = scored.GetColumn<string>(nameof(OsteoML.Pipelines.Studies.StudyRow.SeriesInstanceUid)).ToArray();
        var tensors = scored.GetColumn<float[]>(nameof(DenseNetCropOutput.DenseNetCrop)).ToArray();
        return uids.Zip(tensors).ToDictionary(p => p.First, p => p.Second);
    }
}
