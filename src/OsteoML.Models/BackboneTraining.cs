using System.Diagnostics;
using System.Runtime.InteropServices;
using OsteoML.Models.Cards;
using OsteoML.Models.Data;
using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Models.Training;
using OsteoML.Models.Validation;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Rendering;
using TorchSharp;

namespace OsteoML.Models;

/// <summary>Which backbone to train and on what; the defaults reproduce the shipped models.</summary>
public sealed record BackboneTrainingOptions
{
    /// <summary><c>vbnet</c> or <c>densenet</c>.</summary>
    public required string Model { get; init; }
    public string Preset { get; init; } = "paper";
    /// <summary>Seeds the cohort and the training alike, so one number reproduces a model.</summary>
    public ulong Seed { get; init; } = 42;
    public required string OutputDirectory { get; init; }
    /// <summary>Optimisation steps; null takes the recipe's.</summary>
    public int? Steps { get; init; }
    /// <summary>Use at most this many training cases (in cohort order); null takes the recipe's.</summary>
    public int? TrainCases { get; init; }
    /// <summary>Validation cases per site on the test and independent splits (cohort order); 0 skips validation.</summary>
    public int ValidationCasesPerSite { get; init; } = 10;
    /// <summary>The tiny recipes, for smoke runs and tests.</summary>
    public bool Tiny { get; init; }
    public int Threads { get; init; } = Math.Min(Environment.ProcessorCount, 2);
    /// <summary>VB-Net-lite: export and score a checkpoint every this many steps (0: none) ...</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>... on this many train-split cases not trained on (the test and independent splits stay unseen).</summary>
    public int CheckpointCases { get; init; } = 24;
}

/// <summary>
/// <c>osteoml-train train</c>: renders the preset's train split in memory, trains one backbone, exports it to ONNX,
/// validates the exported file on the test and independent splits and writes <c>model.onnx</c> + <c>card.json</c>.
/// </summary>
public static class BackboneTraining
{
    public static ModelCard Run(BackboneTrainingOptions options, Action<string> log, CancellationToken cancel = default)
    {
        torch.set_num_threads(options.Threads);
        torch.manual_seed((long)(options.Seed % long.MaxValue));
        var cohort = SyntheticCohort.Create(options.Preset, options.Seed);
        return options.Model switch
        {
            "vbnet" => TrainVBNet(cohort, options, log, cancel),
            "densenet" => TrainDenseNet(cohort, options, log, cancel),
            _ => throw new ArgumentException($"unknown model '{options.Model}'; expected vbnet or densenet"),
        };
    }

    private static ModelCard TrainVBNet(SyntheticCohort cohort, BackboneTrainingOptions options, Action<string> log, CancellationToken cancel)
    {
        var recipe = options.Tiny ? SegmentationRecipe.Tiny : SegmentationRecipe.Paper;
        if (options.Steps is { } steps)
            recipe = recipe with { Steps = steps };
        var clock = Stopwatch.StartNew();
        var trainCases = options.TrainCases ?? recipe.MaxTrainCases;
        var examples = TrainCases(cohort, trainCases)
            .Select(c => SyntheticCases.SegmentationExample(c, recipe))
            .ToList();
        log($"rendered and prepared {examples.Count} training cases in {clock.Elapsed.TotalMinutes:F1} min");

        using var network = new VBNetLite(recipe.Network);
        var heldOut = HeldOutTrainCases(cohort, examples.Count, options.CheckpointCases);
        void Checkpoint(int step, TrainingRun soFar)
        {
            var directory = Path.Combine(options.OutputDirectory, "checkpoints", $"step-{step:D5}");
            var (bytes, card) = PackageVBNet(network, recipe, options, examples.Count, step, soFar, clock,
                new Dictionary<string, IReadOnlyList<int>> { ["train-held-out"] = heldOut }, cohort, log);
            ModelPackage.Write(directory, bytes, card);
            log($"checkpoint {directory}");
        }
        var run = SegmentationTraining.Train(network, examples, recipe, (int)(options.Seed % int.MaxValue), Progress(log), cancel,
            heldOut.Count > 0 ? options.CheckpointEvery : 0, Checkpoint);
        foreach (var e in examples)
            e.Dispose();
        var validation = new Dictionary<string, IReadOnlyList<int>>();
        if (options.ValidationCasesPerSite > 0)
            foreach (var split in new[] { CohortSplit.Test, CohortSplit.Independent })
                validation[split.Name()] = ValidationCases(cohort, split, options.ValidationCasesPerSite).ToList();
        var (onnx, final) = PackageVBNet(network, recipe, options, examples.Count, recipe.Steps, run, clock, validation, cohort, log);
        return ModelPackage.Write(options.OutputDirectory, onnx, final);
    }

    /// <summary>Exports the network, validates the ONNX file through ONNX Runtime on the given cases and builds its card.</summary>
    private static (byte[] Onnx, ModelCard Card) PackageVBNet(VBNetLite network, SegmentationRecipe recipe, BackboneTrainingOptions options,
        int cases, int steps, TrainingRun run, Stopwatch clock, IReadOnlyDictionary<string, IReadOnlyList<int>> validation,
        SyntheticCohort cohort, Action<string> log)
    {
        var export = network.ExportOnnx(VersionOf());
        var bytes = export.ToBytes();
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        if (validation.Count > 0)
        {
            using var session = OnnxRuntimeSessions.Open(bytes, options.Threads);
            var segmenter = new SlidingWindowSegmenter(session, recipe.InferencePatchSize, recipe.InferenceOverlap, padValue: recipe.Normalization.Apply(-1000f),
                foregroundAbove: recipe.Normalization.Apply(SlidingWindowSegmenter.BodyThresholdHu));
            foreach (var (name, indices) in validation)
            {
                var results = indices
                    .Select(index => SegmentationValidation.Assess(segmenter, cohort.Render(index, RenderOptions.Reduced), recipe))
                    .ToList();
                metrics[name] = SegmentationValidation.Summarise(results);
                log($"step {steps} {name}: {Describe(metrics[name], "levelAccuracy", "diceL1", "diceL2", "worstSiteDiceL1L2", "diceTrabecular", "ruleOnTruthLevelAccuracy")}");
            }
        }
        var training = Record(options, cases, steps, recipe.BatchSize, run, clock, recipe.Augmentation,
            $"{recipe.PatchSize[0]}³-voxel patches at {recipe.SpacingMm} mm, 70 % centred on a bone class drawn uniformly");
        return (bytes, ModelPackage.VBNetCard(network, recipe, export, training, metrics));
    }

    /// <summary>
    /// Train-split cases after the ones trained on, spread evenly, at most <paramref name="count"/>: what checkpoints are
    /// scored on, so that the test and independent splits stay untouched until the final model.
    /// </summary>
    private static IReadOnlyList<int> HeldOutTrainCases(SyntheticCohort cohort, int trained, int count)
    {
        var rest = cohort.CasesIn(CohortSplit.Train).Skip(trained).Select(c => c.Index).ToList();
        if (count <= 0 || rest.Count == 0)
            return [];
        var take = Math.Min(count, rest.Count);
        return Enumerable.Range(0, take).Select(i => rest[(int)((long)i * rest.Count / take)]).ToList();
    }

    private static ModelCard TrainDenseNet(SyntheticCohort cohort, BackboneTrainingOptions options, Action<string> log, CancellationToken cancel)
    {
        var recipe = options.Tiny ? DenseNetRecipe.Tiny : DenseNetRecipe.Paper;
        if (options.Steps is { } steps)
            recipe = recipe with { Steps = steps };
        var clock = Stopwatch.StartNew();
        var examples = TrainCases(cohort, options.TrainCases ?? recipe.MaxTrainCases)
            .Select(c => SyntheticCases.DenseNetExample(c, recipe))
            .OfType<DenseNetExample>()
            .ToList();
        log($"rendered and cropped {examples.Count} training cases covering L1 and L2 in {clock.Elapsed.TotalMinutes:F1} min");
        var scale = BmdScale.Of(examples.Select(e => e.BmdMgCm3));

        using var network = new DenseNetLite(recipe.Network);
        var run = DenseNetTraining.Train(network, examples, recipe, scale, (int)(options.Seed % int.MaxValue), Progress(log), cancel);
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["train"] = DenseNetValidation.Assess(network, examples, recipe, scale),
        };
        foreach (var e in examples)
            e.Dispose();
        if (options.ValidationCasesPerSite > 0)
        {
            foreach (var split in new[] { CohortSplit.Test, CohortSplit.Independent })
            {
                var held = ValidationCases(cohort, split, options.ValidationCasesPerSite)
                    .Select(index => SyntheticCases.DenseNetExample(cohort.Render(index, RenderOptions.Reduced), recipe))
                    .OfType<DenseNetExample>()
                    .ToList();
                metrics[split.Name()] = DenseNetValidation.Assess(network, held, recipe, scale);
                foreach (var e in held)
                    e.Dispose();
                log($"{split.Name()}: {Describe(metrics[split.Name()], "bmdMae", "aucOsteoporosis", "aucMacro")}");
            }
        }
        var export = network.ExportOnnx(recipe.CropSize, VersionOf());
        var training = Record(options, examples.Count, recipe.Steps, recipe.BatchSize, run, clock, recipe.Augmentation,
            "targets: reference QCT BMD (L1–L2 mean) standardised for MSE, and its ACR class for cross-entropy; crops jittered ± margin voxels");
        var card = ModelPackage.DenseNetCard(network, recipe, export, training, scale, metrics);
        return ModelPackage.Write(options.OutputDirectory, export.ToBytes(), card);
    }

    private static IEnumerable<SyntheticCase> TrainCases(SyntheticCohort cohort, int? limit)
    {
        var cases = cohort.Generate(CohortSplit.Train, RenderOptions.Reduced);
        return limit is { } n ? cases.Take(n) : cases;
    }

    /// <summary>Indices of the first cases of each site in cohort order, at most <paramref name="perSite"/> per site (null: all).</summary>
    internal static IEnumerable<int> ValidationCases(SyntheticCohort cohort, CohortSplit split, int? perSite) =>
        cohort.CasesIn(split)
            .GroupBy(SyntheticCases.Site)
            .SelectMany(site => perSite is { } n ? site.Take(n) : site)
            .Select(spec => spec.Index)
            .Order();

    private static TrainingRecord Record(BackboneTrainingOptions options, int cases, int steps, int batchSize, TrainingRun run,
        Stopwatch clock, SiteAugmentation augmentation, string notes) => new()
    {
        Preset = options.Preset,
        Seed = (int)(options.Seed % int.MaxValue),
        Cases = cases,
        Steps = steps,
        BatchSize = batchSize,
        Epochs = Math.Round((double)steps * batchSize / Math.Max(1, cases), 2),
        WallTimeMinutes = Math.Round(clock.Elapsed.TotalMinutes, 1),
        Machine = $"{Environment.ProcessorCount} cores ({options.Threads} torch threads), {RuntimeInformation.OSDescription}, shared with other jobs",
        FirstLoss = Math.Round(run.MeanLoss(0, Math.Min(20, run.Losses.Count)), 4),
        FinalLoss = Math.Round(run.MeanLoss(Math.Max(0, run.Losses.Count - 20), 20), 4),
        Augmentation =
        [
            $"HU offset ±{augmentation.HuOffset} HU", $"HU gain ±{augmentation.HuScale:P0}", $"Gaussian noise σ ≤ {augmentation.MaxNoiseHu} HU",
            $"Gaussian blur σ ≤ {augmentation.MaxBlurSigmaVoxels} voxel", $"spacing ±{augmentation.SpacingJitter:P0}",
            augmentation.MirrorLeftRight ? "left–right mirror" : "no mirror",
        ],
        Notes = $"Rendered at the synthesis 'reduced' grid (2 mm); {notes}. Wall time includes rendering, training and validation.",
    };

    private static IProgress<TrainingStep> Progress(Action<string> log) => new SynchronousProgress<TrainingStep>(step =>
    {
        if (step.Step == 1 || step.Step % 25 == 0 || step.Step == step.Steps)
            log($"step {step.Step}/{step.Steps} loss {step.Loss:F4} lr {step.LearningRate:E2} {step.Elapsed.TotalMinutes:F1} min");
    });

    private static string Describe(IReadOnlyDictionary<string, double> metrics, params string[] keys) =>
        string.Join(", ", keys.Where(metrics.ContainsKey).Select(k => $"{k} {metrics[k]:F4}"));

    private static string VersionOf() => typeof(BackboneTraining).Assembly.GetName().Version?.ToString(3) ?? "0";

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
