using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OsteoML.Inference;
using OsteoML.Models.Cards;
using OsteoML.Models.Data;
using OsteoML.Models.Training;
using OsteoML.Models.Validation;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Rendering;

namespace OsteoML.Models;

/// <summary>What <c>osteoml-train validate</c> measures: which shipped model, on which cases.</summary>
public sealed record BackboneValidationOptions
{
    /// <summary>A model directory (<c>model.onnx</c> + <c>card.json</c>): a segmentation model or a feature extractor.</summary>
    public required string ModelDirectory { get; init; }
    /// <summary>Feature extractor: also cut crops around this segmentation model's L1/L2 masks, as the pipeline does.</summary>
    public string? SegmentationDirectory { get; init; }
    public string Preset { get; init; } = "paper";
    public ulong Seed { get; init; } = 42;
    /// <summary>The first cases of each site in cohort order; null for every case of the splits.</summary>
    public int? CasesPerSite { get; init; }
    public IReadOnlyList<CohortSplit> Splits { get; init; } = [CohortSplit.Test, CohortSplit.Independent];
    /// <summary>Writes one row per case (outcome, Dice, diagnosis) here when set.</summary>
    public string? CasesCsv { get; init; }
    /// <summary>Segmentation: replaces the card's metrics for the validated splits (the ONNX file and its sha256 are untouched).</summary>
    public bool UpdateCard { get; init; }
    public int Threads { get; init; } = Math.Min(Environment.ProcessorCount, 2);
}

/// <summary>
/// <c>osteoml-train validate</c>: runs a shipped model through ONNX Runtime on the test and independent splits of a
/// preset, as the pipeline would, and scores it against the synthetic truth. A segmentation model: per-site L1/L2 Dice,
/// level identification and a <see cref="LevelOutcome"/> per case. A feature extractor: a ridge read-out fitted on
/// the train split, scored on crops around the true and the segmented L1/L2. Training validates a few cases per site;
/// this measures whole splits.
/// </summary>
public static class BackboneValidation
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Run(BackboneValidationOptions options, Action<string> log,
        CancellationToken cancel = default)
    {
        var card = Open(options.ModelDirectory);
        var cohort = SyntheticCohort.Create(options.Preset, options.Seed);
        return card.Task switch
        {
            "segmentation" => RunSegmentation(card, cohort, options, log, cancel),
            "feature-extraction" => RunFeatures(card, cohort, options, log, cancel),
            _ => throw new InvalidDataException($"{Path.Combine(options.ModelDirectory, ModelCard.FileName)}: task '{card.Task}' cannot be validated"),
        };
    }

    private static ModelCard Open(string directory)
    {
        var problems = ModelVerifier.Verify(directory);
        if (problems.Count > 0)
            throw new InvalidDataException(problems[0]);
        return ModelCard.Read(Path.Combine(directory, ModelCard.FileName));
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> RunSegmentation(ModelCard card, SyntheticCohort cohort,
        BackboneValidationOptions options, Action<string> log, CancellationToken cancel)
    {
        var recipe = RecipeOf(card);
        using var session = OnnxRuntimeSessions.Open(File.ReadAllBytes(Path.Combine(options.ModelDirectory, card.File)), options.Threads);
        var segmenter = new SlidingWindowSegmenter(session, recipe.InferencePatchSize, recipe.InferenceOverlap, card.Inputs[0].Name,
            recipe.Normalization.Apply(-1000f), recipe.Normalization.Apply(SlidingWindowSegmenter.BodyThresholdHu));
        using var csv = options.CasesCsv is { } path ? new StreamWriter(path) : null;
        csv?.WriteLine(SegmentationValidation.CsvHeader);
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>(card.Metrics);
        foreach (var split in options.Splits)
        {
            var cases = BackboneTraining.ValidationCases(cohort, split, options.CasesPerSite).ToList();
            var results = new List<SegmentationCaseResult>();
            foreach (var index in cases)
            {
                cancel.ThrowIfCancellationRequested();
                var result = SegmentationValidation.Assess(segmenter, cohort.Render(index, RenderOptions.Reduced), recipe);
                results.Add(result);
                csv?.WriteLine(SegmentationValidation.CsvRow(split, result));
                csv?.Flush();
                log($"{split.Name()} {results.Count}/{cases.Count} {result.CaseId} {result.Site}: {result.Diagnosis.Outcome}"
                    + (result.DiceL1 is { } d1 ? FormattableString.Invariant($", L1 {d1:F3}, L2 {result.DiceL2:F3}; on the CT grid {result.NativeDiceL1:F3}, {result.NativeDiceL2:F3}") : ""));
            }
            metrics[split.Name()] = SegmentationValidation.Summarise(results);
            log($"{split.Name()}: " + string.Join(", ", metrics[split.Name()].Where(m => !m.Key.Contains('@'))
                .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.####}"))));
        }
        if (options.UpdateCard)
            (card with
            {
                Metrics = metrics,
                Preprocessing = card.Preprocessing with { Notes = ModelPackage.VBNetNotes(recipe, card.Architecture.ReceptiveFieldVoxels ?? 0) },
                Postprocessing = ModelPackage.VBNetPostprocessing(),
            }).Write(Path.Combine(options.ModelDirectory, ModelCard.FileName));
        return metrics;
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> RunFeatures(ModelCard card, SyntheticCohort cohort,
        BackboneValidationOptions options, Action<string> log, CancellationToken cancel)
    {
        if (options.UpdateCard)
            throw new ArgumentException("--update-card applies to segmentation models; a feature extractor's card keeps the metrics of its own training heads");
        using var densenet = OnnxRuntimeSessions.Open(File.ReadAllBytes(Path.Combine(options.ModelDirectory, card.File)), options.Threads);
        InferenceSession? segmentationSession = null;
        SlidingWindowSegmenter? segmenter = null;
        SegmentationRecipe? recipe = null;
        if (options.SegmentationDirectory is { } segmentation)
        {
            var segmentationCard = Open(segmentation);
            recipe = RecipeOf(segmentationCard);
            segmentationSession = OnnxRuntimeSessions.Open(File.ReadAllBytes(Path.Combine(segmentation, segmentationCard.File)), options.Threads);
            segmenter = new SlidingWindowSegmenter(segmentationSession, recipe.InferencePatchSize, recipe.InferenceOverlap,
                segmentationCard.Inputs[0].Name, recipe.Normalization.Apply(-1000f), recipe.Normalization.Apply(SlidingWindowSegmenter.BodyThresholdHu));
        }
        using var _ = segmentationSession;
        var trueMasksOnly = new FeatureValidation(densenet, card, null, null);
        var train = cohort.CasesIn(CohortSplit.Train)
            .Select(spec => { cancel.ThrowIfCancellationRequested(); return trueMasksOnly.Extract(cohort.Render(spec.Index, RenderOptions.Reduced)); })
            .OfType<FeatureCase>()
            .ToList();
        var head = RidgeHead.FitCrossValidated(train.Select(f => f.TrueMaskFeatures).ToList(), train.Select(f => f.ReferenceBmd).ToList(),
            [0.1, 1, 10, 100, 1000]);
        log($"ridge read-out fitted on {train.Count} train cases (true-mask crops), λ = {head.Lambda}");

        var validation = new FeatureValidation(densenet, card, segmenter, recipe);
        using var csv = options.CasesCsv is { } path ? new StreamWriter(path) : null;
        csv?.WriteLine("split,case_id,site,reference_bmd,bmd_true_masks,level_status,bmd_predicted_masks");
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>
        {
            ["train (true masks, in-sample)"] = FeatureValidation.Score(train.Select(f => f.ReferenceBmd).ToList(), train.Select(f => head.Predict(f.TrueMaskFeatures)).ToList()),
        };
        foreach (var split in options.Splits)
        {
            var cases = new List<FeatureCase>();
            foreach (var index in BackboneTraining.ValidationCases(cohort, split, options.CasesPerSite))
            {
                cancel.ThrowIfCancellationRequested();
                if (validation.Extract(cohort.Render(index, RenderOptions.Reduced)) is not { } f)
                    continue;
                cases.Add(f);
                csv?.WriteLine(string.Join(',', f.Split, f.CaseId, f.Site, F(f.ReferenceBmd), F(head.Predict(f.TrueMaskFeatures)), f.Status?.ToString() ?? "",
                    f.PredictedMaskFeatures is { } p ? F(head.Predict(p)) : ""));
            }
            metrics[$"{split.Name()} (true masks)"] = FeatureValidation.Score(cases.Select(f => f.ReferenceBmd).ToList(), cases.Select(f => head.Predict(f.TrueMaskFeatures)).ToList());
            if (segmenter is not null)
            {
                var named = cases.Where(f => f.PredictedMaskFeatures is not null).ToList();
                var scored = new SortedDictionary<string, double>(named.Count > 0
                    ? FeatureValidation.Score(named.Select(f => f.ReferenceBmd).ToList(), named.Select(f => head.Predict(f.PredictedMaskFeatures!)).ToList()).ToDictionary()
                    : new Dictionary<string, double>(), StringComparer.Ordinal)
                {
                    ["refused"] = cases.Count - named.Count,
                };
                metrics[$"{split.Name()} (segmented masks)"] = scored;
            }
        }
        foreach (var (name, values) in metrics)
            log($"{name}: " + string.Join(", ", values.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.####}"))));
        return metrics;

        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>The inference half of a recipe, as the card records it.</summary>
    private static SegmentationRecipe RecipeOf(ModelCard card)
    {
        var p = card.Preprocessing;
        if (p.SpacingMm.Distinct().Count() != 1)
            throw new InvalidDataException($"{card.Name}: anisotropic model spacing is not supported");
        return SegmentationRecipe.Paper with
        {
            SpacingMm = p.SpacingMm[0],
            Normalization = new HuNormalization(p.Hu.Min, p.Hu.Max, p.Hu.Center, p.Hu.Scale),
            InferencePatchSize = p.PatchSize,
        };
    }
}
