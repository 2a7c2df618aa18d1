using System.Text.Json;
using OsteoML.Inference;
using OsteoML.Models.Cards;
using OsteoML.Models.Networks;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Rendering;
using OsteoML.Tests.Support;
using TorchSharp;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// What the pipeline tests run on, built at test time: a small synthetic cohort written as DICOM (the `ci` preset's
/// sites, with one independent scanner given enough cases to calibrate), stand-in backbones with random weights
/// but the shipped models' IO contracts (the tests check the pipeline's mechanics, not the networks' skill), and the
/// cohort's true label maps put in the segmentation store, so everything after segmentation runs on true masks.
/// </summary>
internal sealed class PipelineTestData
{
    public const ulong Seed = 7;

    private PipelineTestData(string root) => Root = root;

    public string Root { get; }
    public string Cohort => Path.Combine(Root, "cohort");
    public string Cache => Path.Combine(Root, "cache");
    public string Models => Path.Combine(Root, "models");
    public string Pipelines => Path.Combine(Root, "pipelines");
    public string SegmentationModel => Path.Combine(Models, "vbnet-lite");
    public string FeaturesModel => Path.Combine(Models, "densenet-lite");
    public string QctDefinition => Path.Combine(Pipelines, "qct-screening.json");
    public string BaselineDefinition => Path.Combine(Pipelines, "hu-baseline.json");
    public IReadOnlyList<string[]> ManifestLines => File.ReadAllLines(Path.Combine(Cohort, "manifest.csv")).Select(l => l.Split(',')).ToList();

    /// <summary>The calibration site: an independent scanner with <see cref="CalibrationCases"/> cases.</summary>
    public const string CalibrationScanner = "H2-CT1";
    public const int CalibrationCases = 7;

    public static PipelineTestData Create()
    {
        var data = new PipelineTestData(TestPaths.NewTempDirectory("osteoml-pipeline"));
        var preset = CohortPreset.Ci with
        {
            Name = "pipeline-test",
            Hospitals = CohortPreset.Ci.Hospitals.Select(h => h with
            {
                Scanners = h.Scanners.Select(s => s.Id == CalibrationScanner ? s with { Cases = new SplitCounts(Independent: CalibrationCases) }
                    : s.Id == "H1-CT1" ? s with { Cases = new SplitCounts(6, 2) } : s).ToList(),
            }).ToList(),
        };
        var written = CohortWriter.Write(SyntheticCohort.Create(preset, Seed), data.Cohort, RenderOptions.Reduced);
        if (written.Failures.Count > 0) throw new InvalidOperationException(written.Failures[0].Reason);
        data.WriteStandInModels();
        data.WriteDefinitions();
        ReferenceSegmentation.SeedCohort(data.Cohort, data.Cache, data.SegmentationModel);
        return data;
    }

    /// <summary>VB-Net-lite and DenseNet-lite with small widths and random weights, exported with the shipped models' names and shapes.</summary>
    private void WriteStandInModels()
    {
        torch.manual_seed(11);
        using var vbnet = new VBNetLite(new VBNetOptions { Widths = [8, 16], EncoderBlocks = [1, 1], DecoderBlocks = [1], HeadWidth = 4 });
        vbnet.eval();
        ModelPackage.Write(SegmentationModel, vbnet.ExportOnnx("test").ToBytes(), Card(ModelPackage.VBNetName, "segmentation",
            [new TensorSpec(VBNetLite.InputName, "float32", ["batch", 1L, "depth", "height", "width"])],
            [new TensorSpec(VBNetLite.OutputName, "float32", ["batch", (long)SegmentationClasses.Count, "depth", "height", "width"])],
            new HuWindow(-1000, 1500, 100, 400), [32, 32, 32], SegmentationClasses.Names));
        using var densenet = new DenseNetLite(new DenseNetOptions { InitialFeatures = 4, GrowthRate = 4, BlockLayers = [1, 1] });
        densenet.eval();
        int[] crop = [48, 40, 40];
        ModelPackage.Write(FeaturesModel, densenet.ExportOnnx(crop, "test").ToBytes(), Card(ModelPackage.DenseNetName, "feature-extraction",
            [new TensorSpec(DenseNetLite.InputName, "float32", [1L, 2L, 48L, 40L, 40L])],
            [new TensorSpec(DenseNetLite.OutputName, "float32", [1L, (long)densenet.Options.FeatureCount])],
            new HuWindow(-200, 1000, 150, 150), crop, []));
    }

    private static ModelCard Card(string name, string task, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs, HuWindow hu, int[] patch,
        IReadOnlyList<string> classes) => new()
    {
        Name = name,
        Description = "stand-in with random weights for the pipeline tests",
        Task = task,
        Sha256 = "",
        Inputs = inputs,
        Outputs = outputs,
        Preprocessing = new Preprocessing { SpacingMm = [2, 2, 2], Hu = hu, PatchSize = patch, SizeMultiple = 16 },
        Classes = classes,
        Architecture = new Architecture("stand-in", "random weights", 0, 0, "", null),
        Training = new TrainingRecord
        {
            Preset = "none", Seed = 0, Cases = 0, Steps = 0, BatchSize = 0, Epochs = 0, WallTimeMinutes = 0, Machine = "", FirstLoss = 0, FinalLoss = 0,
        },
    };

    private void WriteDefinitions()
    {
        Directory.CreateDirectory(Pipelines);
        foreach (var name in new[] { "qct-screening.json", "hu-baseline.json" })
        {
            var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "pipelines", name))
                .Replace("\"../models/vbnet-lite\"", JsonSerializer.Serialize(SegmentationModel))
                .Replace("\"../models/densenet-lite\"", JsonSerializer.Serialize(FeaturesModel));
            File.WriteAllText(Path.Combine(Pipelines, name), text);
        }
    }

    public string Column(string[] row, string column) => row[ManifestLines[0].ToList().IndexOf(column)];
}
