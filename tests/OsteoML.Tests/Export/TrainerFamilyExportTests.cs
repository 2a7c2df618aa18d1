using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML;
using Microsoft.ML.Data;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Search;
using OsteoML.Export;
using OsteoML.Export.ModelBuilder;
using OsteoML.Export.Onnx;
using OsteoML.Inference;
using OsteoML.Pipelines.Heads;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

/// <summary>
/// Every trainer the tuner may pick, through both exports: heads fitted as ScreeningTrainer fits them (preparation,
/// then the family's estimator from the catalogue at its start point) on the fixture's training studies, paired with a
/// default trainer for the other head.
/// </summary>
[TestClass]
public sealed class TrainerFamilyExportTests
{
    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Families =>
        TrainerCatalog.Regression.Select(f => new object[] { f.Name, "LbfgsMaximumEntropy" })
            .Concat(TrainerCatalog.Multiclass.Select(f => new object[] { "Sdca", f.Name }));

    [TestMethod]
    public void EveryTrainerTheTunerMayPickHasAModelBuilderTemplate()
    {
        foreach (var family in TrainerCatalog.Regression.Concat(TrainerCatalog.Multiclass))
            Assert.AreEqual(family.Name, TrainerCode.For(family).Family);
    }

    /// <summary>The generated BuildPipeline, compiled and fitted on the exported training data, predicts what the catalogue's trainer predicts.</summary>
    [TestMethod]
    [DynamicData(nameof(Families))]
    public void TrainingCodeRefitsTheHeads(string bmdFamily, string classFamily)
    {
        var data = ExportTestData.Instance;
        var (heads, ours) = Fit(bmdFamily, classFamily);
        var root = TestPaths.NewTempDirectory("osteoml-family");
        var files = ModelBuilderExporter.Export(heads, root, new ModelBuilderOptions { Name = "Family", TrainingRows = data.TrainingRows });
        var assembly = Compile(files);
        var test = Path.Combine(root, "test.csv");
        FeatureTableCsv.Write(test, heads.Layout, data.Split("test").Select(ExportTestData.Row));

        var worst = new double[2];
        foreach (var (model, index) in new[] { (files.Bmd, 0), (files.Class, 1) })
        {
            var type = assembly.GetType($"OsteoML.Exported.{model.ClassName}")!;
            var ml = new MLContext(seed: 1);
            IDataView Load(string path) => (IDataView)type.GetMethod("LoadIDataViewFromFile")!.Invoke(null, [ml, path, ',', true, false])!;
            var fitted = (ITransformer)type.GetMethod("RetrainModel")!.Invoke(null, [ml, Load((string)type.GetField("RetrainFilePath")!.GetValue(null)!)])!;
            var scored = fitted.Transform(Load(test));
            if (index == 0)
                worst[0] = scored.GetColumn<float>("Score").Zip(ours, (a, b) => (double)Math.Abs(a - b.Bmd)).Max();
            else
                worst[1] = scored.GetColumn<float[]>("Score").Zip(ours, (a, b) => a.Zip(b.Probabilities, (x, y) => (double)Math.Abs(x - y)).Max()).Max();
        }
        TestContext.WriteLine($"{bmdFamily} + {classFamily}: RetrainModel vs the catalogue's heads: BMD {worst[0]:G3} mg/cm³, probabilities {worst[1]:G3}");
        Assert.AreEqual(0, worst[0], $"{bmdFamily}: the retrained BMD head differs.");
        // SDCA maximum entropy shuffles with the context's random state, which the BMD head's training advanced when
        // both heads were fitted in one context; a class model retrained alone starts from another state and converges
        // to a slightly different optimum. Every other trainer is reproduced exactly.
        Assert.AreEqual(0, worst[1], classFamily == "SdcaMaximumEntropy" ? 0.02 : 0, $"{classFamily}: the retrained class head differs.");
    }

    /// <summary>
    /// A family the exporter does not list must convert and match ML.NET to 1e-4 in ONNX Runtime on real studies; a
    /// listed family is refused with one line. Not the converse: Poisson is listed for a float32 error that depends on
    /// the data (1.5e-4 when listed, 1.2e-7 on today's features), and refusing it where it happens to pass is the safe side.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Families))]
    public void OnnxExportIsExactOrRefused(string bmdFamily, string classFamily)
    {
        var data = ExportTestData.Instance;
        var (heads, ours) = Fit(bmdFamily, classFamily);
        string outcome;
        var exact = false;
        try
        {
            using var session = OnnxRuntimeSessions.Open(OnnxExporter.ConvertHeads(heads, out _));
            var test = data.Split("test");
            var worst = 0.0;
            for (var i = 0; i < test.Count; i++)
            {
                var at = 0;
                var parts = heads.Layout.Parts.Select(p => { var v = test[i].Features[at..(at + p.Length)]; at += p.Length; return v; }).ToArray();
                var (bmd, probabilities) = OnnxExporter.Run(session, heads.Layout, parts);
                worst = Math.Max(worst, Math.Abs(bmd - ours[i].Bmd));
                worst = Math.Max(worst, probabilities.Zip(ours[i].Probabilities, (a, b) => (double)Math.Abs(a - b)).Max());
            }
            exact = worst <= 1e-4;
            outcome = $"ONNX Runtime vs ML.NET, largest difference {worst:G3}";
        }
        catch (NotSupportedException ex) { outcome = $"conversion refused: {ex.Message}"; }
        TestContext.WriteLine($"{bmdFamily} + {classFamily}: {outcome}");

        var listed = OnnxExporter.NotExported.ContainsKey(bmdFamily) || OnnxExporter.NotExported.ContainsKey(classFamily);
        if (!listed)
            Assert.IsTrue(exact, $"{bmdFamily} + {classFamily}: {outcome}, but the exporter does not list it as not exported.");
        if (listed)
        {
            var refusal = Assert.ThrowsExactly<NotSupportedException>(() => OnnxExporter.CheckExportable(heads));
            StringAssert.Contains(refusal.Message, OnnxExporter.NotExported.ContainsKey(bmdFamily) ? bmdFamily : classFamily);
        }
    }

    /// <summary>Heads of the given families fitted on the fixture's training studies, and their predictions on its test studies.</summary>
    private static (BundleHeads Heads, (float Bmd, float[] Probabilities)[] Test) Fit(string bmdFamily, string classFamily)
    {
        var data = ExportTestData.Instance;
        var reference = BundleHeads.FromBundle(data.Bundle);
        var train = data.Split("train");
        var ml = new MLContext(1);
        var preparation = ScreeningHeads.FitPreparation(ml, ScreeningHeads.FeatureView(ml, train, reference.Layout.Length));
        var table = FeatureTable.FromDataView(preparation.Transform(ScreeningHeads.FeatureView(ml, train, reference.Layout.Length)));
        // The family's start point, with leaves of at least 2 studies: at the start's 10 to 20, the fixture's 14 training
        // studies give trees without a split (a forest of them predicts NaN), which would test nothing.
        HeadTrainer Trainer(HeadTask task, string name)
        {
            var family = TrainerCatalog.Select(task, [name])[0];
            var start = family.Space.Decode(family.Space.StartPoint());
            var parameters = new ParameterSet(start.Select(p => p.Key == "minLeaf" ? new KeyValuePair<string, object>(p.Key, 2) : p));
            return new HeadTrainer(family, parameters, "start point, minLeaf 2");
        }
        var bmd = Trainer(HeadTask.BmdRegression, bmdFamily);
        var @class = Trainer(HeadTask.ClassMulticlass, classFamily);
        var fitted = ScreeningHeads.Fit(ml, preparation, table, bmd.Family.Build(ml, bmd.Parameters, "Bmd"), @class.Family.Build(ml, @class.Parameters, "Class"));
        var heads = new BundleHeads($"{bmdFamily}+{classFamily}", reference.Layout, reference.Concatenate, fitted, bmd, @class,
            [new HeadTrial(1, bmdFamily, bmd.Parameters, null, double.NaN, 0, OsteoML.AutoTune.Experiments.TrialStatus.Fixed)], [new HeadTrial(1, classFamily, @class.Parameters, null, double.NaN, 0, OsteoML.AutoTune.Experiments.TrialStatus.Fixed)]);
        return (heads, ScreeningHeads.Predict(ml, fitted, data.Split("test"), reference.Layout.Length));
    }

    /// <summary>The generated consumption and training files of both models, compiled in memory against the loaded ML.NET.</summary>
    private static Assembly Compile(ModelBuilderFileSet files)
    {
        _ = new[] { typeof(Microsoft.ML.Trainers.FastTree.FastTreeRegressionTrainer), typeof(Microsoft.ML.Trainers.LightGbm.LightGbmRegressionTrainer) };
        var sources = new[] { files.Bmd, files.Class }.SelectMany(m => new[] { m.Consumption, m.Training })
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path));
        var references = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location));
        var compilation = CSharpCompilation.Create($"generated-{Guid.NewGuid():N}", sources, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
            Assert.Fail("the generated files do not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(stream.ToArray());
    }
}
