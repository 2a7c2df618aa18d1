using System.Globalization;
using System.Text.Json;
using OsteoML.Domain;
using OsteoML.Evaluation;
using OsteoML.Export;
using OsteoML.Export.ModelBuilder;
using OsteoML.Pipelines.Features;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

[TestClass]
public sealed class ModelBuilderExportTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// The generated files alone, in a new console project with only the ML.NET packages the export lists: its
    /// predictions (Predict, PredictAllLabels, from parallel threads) equal the bundle's own chain exactly, and
    /// RetrainModel on the exported training data gives the same heads back.
    /// </summary>
    [TestMethod]
    public void AFreshConsoleProjectPredictsWhatTheBundlePredicts()
    {
        var data = ExportTestData.Instance;
        var root = TestPaths.NewTempDirectory("osteoml-mb");
        var files = ModelBuilderExporter.Export(BundleHeads.FromBundle(data.Bundle), Path.Combine(root, "export"),
            new ModelBuilderOptions { TrainingRows = data.TrainingRows });

        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        foreach (var model in new[] { files.Bmd, files.Class })
            foreach (var file in new[] { model.MlNet, model.Consumption, model.Training })
                File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
            {string.Join("\n", files.Packages.Select(p => $"    <PackageReference Include=\"{p.Split(' ')[0]}\" Version=\"{p.Split(' ')[1]}\" />"))}
              </ItemGroup>
              <ItemGroup>
                <None Include="*.mlnet" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        var rows = data.Split("test").Concat(data.Split("independent")).ToList();
        var inputs = Path.Combine(root, "inputs.csv");
        FeatureTableCsv.Write(inputs, BundleHeads.FromBundle(data.Bundle).Layout, rows.Select(ExportTestData.Row));

        var output = DotnetProject.Run(app, ["run", "-c", "Release", "--", inputs], TimeSpan.FromMinutes(4));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.AreEqual(rows.Count, lines.Count, output);

        double worstRetrainedBmd = 0, worstRetrainedProbability = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var ours = rows[i];
            var line = lines[i];
            var where = $"study {ours.Study.StudyId}";
            Assert.AreEqual(ours.PredictedBmd, Single(line, "bmd"), $"{where}: Predict");
            var scores = line.GetProperty("scores").EnumerateArray().Select(e => float.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
            CollectionAssert.AreEqual(ours.ClassProbabilities, scores, $"{where}: class scores");
            var best = AcrClasses.Names[Array.IndexOf(ours.ClassProbabilities, ours.ClassProbabilities.Max())];
            Assert.AreEqual(best, line.GetProperty("label").GetString(), $"{where}: PredictedLabel");
            var all = line.GetProperty("all").EnumerateArray().Select(e => (Label: e[0].GetString()!, Score: float.Parse(e[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
            var expected = AcrClasses.Names.Select((name, k) => (Label: name, Score: ours.ClassProbabilities[k])).OrderByDescending(p => p.Score).ToList();
            CollectionAssert.AreEqual(expected, all, $"{where}: PredictAllLabels");
            Assert.AreEqual(ours.PredictedBmd, Single(line, "bmdParallel"), $"{where}: Predict from a parallel thread");

            worstRetrainedBmd = Math.Max(worstRetrainedBmd, Math.Abs(Single(line, "retrainedBmd") - ours.PredictedBmd));
            var retrained = line.GetProperty("retrainedScores").EnumerateArray().Select(e => float.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
            worstRetrainedProbability = Math.Max(worstRetrainedProbability, retrained.Zip(ours.ClassProbabilities, (a, b) => Math.Abs(a - b)).Max());
        }
        TestContext.WriteLine($"{rows.Count} studies: Predict and PredictAllLabels equal the bundle's chain exactly; RetrainModel: " +
            $"largest BMD difference {worstRetrainedBmd:G3} mg/cm³, largest probability difference {worstRetrainedProbability:G3}");
        // Same data, same trainers and options, same seed: the retrained heads are the bundle's, to the last bit.
        Assert.AreEqual(0, worstRetrainedBmd, "RetrainModel's BMD differs from the bundle's.");
        Assert.AreEqual(0, worstRetrainedProbability, "RetrainModel's class probabilities differ from the bundle's.");
    }

    private static float Single(JsonElement line, string name) => float.Parse(line.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    /// <summary>The console program: only the generated classes and ML.NET.</summary>
    private const string Program = """
        using System;
        using System.Globalization;
        using System.Linq;
        using System.Text.Json;
        using System.Threading.Tasks;
        using Microsoft.ML;
        using OsteoML.Exported;

        var ml = new MLContext();
        string R(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        var bmdRows = ml.Data.CreateEnumerable<OsteoMLBmd.ModelInput>(OsteoMLBmd.LoadIDataViewFromFile(ml, args[0], ',', true, false), false).ToList();
        var classRows = ml.Data.CreateEnumerable<OsteoMLClass.ModelInput>(OsteoMLClass.LoadIDataViewFromFile(ml, args[0], ',', true, false), false).ToList();

        var parallel = new float[bmdRows.Count];
        Parallel.For(0, bmdRows.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = OsteoMLBmd.Predict(bmdRows[i]).Score);

        var retrainContext = new MLContext(seed: 1);
        var bmdModel = OsteoMLBmd.RetrainModel(retrainContext, OsteoMLBmd.LoadIDataViewFromFile(retrainContext, OsteoMLBmd.RetrainFilePath, ',', true, false));
        var bmdEngine = retrainContext.Model.CreatePredictionEngine<OsteoMLBmd.ModelInput, OsteoMLBmd.ModelOutput>(bmdModel);
        var classContext = new MLContext(seed: 1);
        var classModel = OsteoMLClass.RetrainModel(classContext, OsteoMLClass.LoadIDataViewFromFile(classContext, OsteoMLClass.RetrainFilePath, ',', true, false));
        var classEngine = classContext.Model.CreatePredictionEngine<OsteoMLClass.ModelInput, OsteoMLClass.ModelOutput>(classModel);

        for (var i = 0; i < bmdRows.Count; i++)
        {
            var c = OsteoMLClass.Predict(classRows[i]);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                bmd = R(OsteoMLBmd.Predict(bmdRows[i]).Score),
                bmdParallel = R(parallel[i]),
                label = c.PredictedLabel,
                scores = c.Score.Select(R).ToArray(),
                all = OsteoMLClass.PredictAllLabels(classRows[i]).Select(p => new[] { p.Key, R(p.Value) }).ToArray(),
                retrainedBmd = R(bmdEngine.Predict(bmdRows[i]).Score),
                retrainedScores = classEngine.Predict(classRows[i]).Score.Select(R).ToArray(),
            }));
        }
        """;
}
