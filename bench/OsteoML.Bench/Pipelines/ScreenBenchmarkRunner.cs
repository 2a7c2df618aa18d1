using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OsteoML.Domain;
using OsteoML.Inference;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Volumes;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Bench.Pipelines;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- pipelines screen --model BUNDLE [--cases 6] --out DIR [--json FILE]</c>
/// <para>Issue 6's speed targets on <c>full</c> cases (512×512, the scanner's own slices) of the paper preset's test
/// split: renders the cases into <c>DIR/cases</c> (once) and times the stages of one study in-process (read, resample,
/// sliding window + level count, measure, crop, DenseNet). <c>osteoml bench --model BUNDLE --studies DIR/cases</c> then
/// times <c>screen</c> and <c>batch</c> on them as new processes with peak RSS; <c>bench/run</c> runs both.</para>
/// </summary>
public static class ScreenBenchmarkRunner
{
    public static void Run(string[] args)
    {
        string Arg(string name, string? fallback = null) =>
            args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"{name} is required");
        var bundle = ModelBundle.Load(Path.GetFullPath(Arg("--model")));
        var count = int.Parse(Arg("--cases", "6"), CultureInfo.InvariantCulture);
        var output = Path.GetFullPath(Arg("--out"));
        var casesDirectory = Path.Combine(output, "cases");
        Console.WriteLine($"# Screening benchmark {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}; bundle {bundle.Manifest.Name} ({bundle.Definition.Name})");

        var cohort = SyntheticCohort.Create("paper", 42);
        var specs = cohort.CasesIn(CohortSplit.Test).Where(c => c.Coverage.CoversL1AndL2).Take(count).ToList();
        if (!Directory.Exists(casesDirectory))
        {
            var clock = Stopwatch.StartNew();
            foreach (var spec in specs)
                CaseDicomWriter.Write(cohort.Render(spec.Index, RenderOptions.Full), Path.Combine(casesDirectory, spec.CaseId));
            Console.WriteLine($"rendered {specs.Count} full cases in {clock.Elapsed.TotalSeconds:F0} s");
        }
        var first = Path.Combine(casesDirectory, specs[0].CaseId);
        var truth = cohort.Render(specs[0].Index, RenderOptions.Full).Labels;

        // Stage breakdown, in-process, one thread per stage as the CLI runs it.
        var stage = Stopwatch.StartNew();
        var volume = StudyVolumes.Read(first, "");
        var read = stage.Elapsed.TotalSeconds;
        Console.WriteLine($"case {specs[0].CaseId}: {volume.Hu.Size} voxels, spacing {volume.Hu.Geometry.Spacing}");
        using var segmenter = new VertebraSegmenter(bundle.SegmentationModelDirectory, bundle.Definition.Segmentation);
        stage.Restart();
        var grid = new CanonicalGrid(volume.Hu.Geometry, segmenter.SpacingMm);
        var modelHu = grid.Resample(volume.Hu);
        var resample = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var segmentation = segmenter.Segment(volume.Hu, volume.SeriesInstanceUid);
        var segment = stage.Elapsed.TotalSeconds;
        // Measure on the case's true masks too, so the stage is timed on real L1/L2 even when the network names none.
        var reference = ReferenceSegmentation.FromLabels(truth, l => SyntheticLabels.Legend.TryGetValue(l, out var n) && n.EndsWith("_trabecular", StringComparison.Ordinal)
            ? n[..^"_trabecular".Length] : null, volume.SeriesInstanceUid, segmenter.Sha256, segmenter.SpacingMm);
        stage.Restart();
        var measurement = StudyMeasurer.Measure(volume, segmentation.Identified ? segmentation : reference, bundle.Definition.Measures);
        var measure = stage.Elapsed.TotalSeconds;
        if (!segmentation.Identified) segmentation = reference;
        double crop = 0, densenet = 0;
        if (bundle.FeaturesModelDirectory is { } features && segmentation.Identified)
        {
            var card = ModelCard.ReadFolder(features);
            stage.Restart();
            var values = DenseNetCropSpec.Cut(grid.Resample(volume.Hu), grid.Size, segmentation.ModelLevels, DenseNetCropSpec.FromCard(card, features));
            crop = stage.Elapsed.TotalSeconds;
            using var session = OnnxRuntimeSessions.Open(Path.Combine(features, card.File));
            stage.Restart();
            using var _ = session.Run([NamedOnnxValue.CreateFromTensor(card.Inputs[0].Name, new DenseTensor<float>(values, [1, 2, 48, 40, 40]))]);
            densenet = stage.Elapsed.TotalSeconds;
        }
        Console.WriteLine($"| stage | seconds |\n|---|---|\n| read DICOM → HU volume | {read:F2} |\n| resample to the model grid (also inside segment) | {resample:F2} |" +
                          $"\n| segment: resample + sliding window + level count + native masks | {segment:F2} |\n| measure (levels, tissues, QA) | {measure:F2} |" +
                          $"\n| crop (resample + cut) | {crop:F2} |\n| DenseNet (ONNX Runtime) | {densenet:F2} |");
        Console.WriteLine($"level count: {segmentation.Status} ({segmentation.Reason}); measured on {(segmentation == reference ? "the true masks" : "the network's masks")}: {measurement.Measurable}");

        BenchRun.WriteFragment(args, "stages", new()
        {
            ["stageReadSeconds"] = [read], ["stageResampleSeconds"] = [resample], ["stageSegmentSeconds"] = [segment],
            ["stageMeasureSeconds"] = [measure], ["stageCropSeconds"] = [crop], ["stageDenseNetSeconds"] = [densenet],
        }, $"case {specs[0].CaseId}, {volume.Hu.Size} voxels; level count {segmentation.Status}; measured on {(segmentation == reference ? "the true masks" : "the network's masks")}");
    }
}
