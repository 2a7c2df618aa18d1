using System.Text.Json;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Tuners;
using OsteoML.Domain;
using OsteoML.Inference;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Heads;

/// <summary>How <c>osteoml train</c> trains: caching, device, parallel jobs, and the tuner when one is asked for.</summary>
public sealed record TrainingOptions
{
    public string? CacheDirectory { get; init; }
    public DeviceSelection Device { get; init; } = DeviceSelection.Cpu;
    public int Jobs { get; init; } = 1;

    /// <summary>Tune the heads with this tuner (null: the definition's fixed trainers).</summary>
    public TunerKind? Tuner { get; init; }
    public TimeSpan? Budget { get; init; }
    public int? MaxTrials { get; init; }

    /// <summary>The trainer families the tuner may pick (null: every family of <see cref="TrainerCatalog"/>); a fixed trainer is not filtered.</summary>
    public Func<TrainerFamily, bool>? TrainerFilter { get; init; }
    public int Seed { get; init; } = 1;
    public Action<string>? Log { get; init; }
    public Action<StudyFeatures>? StudyDone { get; init; }
    public IProgress<TrialRecord>? Trials { get; init; }

    /// <summary>Written into the bundle's manifest and stamped on every result it makes (<see cref="BundleManifest.IntendedUse"/>).</summary>
    public string? IntendedUse { get; init; }
}

/// <summary>A trained bundle, the features it was trained and tested on, and its heads to score them.</summary>
public sealed record TrainingResult(ModelBundle Bundle, IReadOnlyList<StudyFeatures> Features, IReadOnlyList<TuningResult> Tuning, ITransformer? Heads)
{
    /// <summary>The BMD and class heads' trainers, in that order (none for the HU baseline).</summary>
    public IReadOnlyList<HeadChoice> Choices { get; init; } = [];

    /// <summary>The global results of featurized studies under the trained heads (or HU line), without site profiles;
    /// with <paramref name="scanCalibration"/>, each study corrected by that per-study source first, as screening does.</summary>
    public IReadOnlyList<StudyResult> Results(IReadOnlyList<StudyFeatures> rows, OsteoML.Calibration.IScanCalibration? scanCalibration = null)
    {
        var scored = rows.ToArray();
        if (Heads is not null)
        {
            var measured = Enumerable.Range(0, rows.Count).Where(i => rows[i].Error is null && rows[i].Measurable).ToArray();
            var predictions = ScreeningHeads.Predict(new MLContext(1), Heads, measured.Select(i => rows[i]).ToList(), Bundle.Manifest.FeatureLength);
            for (var n = 0; n < measured.Length; n++)
                scored[measured[n]] = rows[measured[n]] with { PredictedBmd = predictions[n].Bmd, ClassProbabilities = predictions[n].Probabilities };
        }
        var none = new OsteoML.Calibration.SiteProfileSet([]);
        return scored.Select(f => StudyResult.From(f, Bundle.Manifest.HuLine!, Bundle.Definition.IsHuBaseline, none, 0, scanCalibration)).ToList();
    }
}

/// <summary>
/// Trains a pipeline definition on a cohort's <c>train</c> split: the feature stages over every study (cached), the
/// HU line on the measured training studies, then — for ML.NET heads — imputation and normalisation, the BMD and
/// class heads (fixed trainers, or tuned by patient-grouped CV), and the bundle written and sealed.
/// </summary>
public static class ScreeningTrainer
{
    public static TrainingResult Train(PipelineDefinition definition, string definitionPath, StudyList studies, string outputDirectory, TrainingOptions options)
    {
        var log = options.Log ?? (_ => { });
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(definitionPath))!;
        var segmentation = Resolve(baseDirectory, definition.Models.Segmentation, "segmentation");
        var features = definition.UsesDenseNet ? Resolve(baseDirectory, definition.Models.Features!, "features") : null;
        var threads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, options.Jobs));
        using var runtime = new PipelineRuntime(segmentation, definition.Segmentation with { Threads = threads }, definition.Measures,
            features is null ? null : DenseNetCropSpec.FromCard(ModelCard.ReadFolder(features), features),
            options.CacheDirectory, options.Device);

        var ml = new MLContext(options.Seed);
        var view = ml.Data.LoadStudies(studies);
        var featurizer = BuildFeaturizer(ml, definition, runtime, features).Fit(view);
        var identity = string.Join("|", runtime.SegmentationModelSha256, features is null ? "" : ModelCard.ReadFolder(features).Sha256,
            JsonSerializer.Serialize(definition.Features), JsonSerializer.Serialize(definition.Measures), JsonSerializer.Serialize(definition.Segmentation with { Threads = 0 }));
        var extractor = new FeatureExtractor(ml, featurizer, identity, options.CacheDirectory);
        log($"extracting features of {studies.Studies.Count} studies ({options.Jobs} job(s))");
        var rows = extractor.Extract(studies.Studies, options.Jobs, options.StudyDone);
        var train = rows.Where(r => r.Study.Split == "train" && r.Error is null && r.Measurable && r.Study.HasLabels).ToList();
        log($"{train.Count} measured training studies ({rows.Count(r => r.Error is not null)} failed, {rows.Count(r => r.Error is null && !r.Measurable)} without L1/L2)");
        if (train.Count < 3)
        {
            var statuses = rows.Where(r => r.Study.Split == "train").GroupBy(r => r.Error is not null ? "failed" : r.LevelStatus)
                .Select(g => $"{g.Key} {g.Count()}");
            var firstError = rows.FirstOrDefault(r => r.Study.Split == "train" && r.Error is not null);
            throw new InvalidOperationException($"only {train.Count} training studies have L1 and L2 identified (level count: {string.Join(", ", statuses)}); " +
                (firstError is null ? $"check the segmentation model {segmentation}." : $"first failure, {firstError.Study.StudyId}: {firstError.Error}"));
        }
        var huLine = HuLine.Fit(train.Select(r => (double)r.L1L2MeanHu).ToList(), train.Select(r => (double)r.Study.Bmd).ToList());

        ITransformer model = featurizer;
        ITransformer? headsModel = null;
        var tuning = new List<TuningResult>();
        var trialLogs = new Dictionary<string, IReadOnlyList<TrialRecord>>();
        var choices = new List<HeadChoice>();
        var heads = new Dictionary<string, string>();
        var featureLength = 0;
        if (!definition.IsHuBaseline)
        {
            featureLength = train[0].Features.Length;
            // A context of its own: extraction draws on its context's random state, so heads trained after a run that
            // read every feature from the cache would otherwise differ from heads trained after computing them.
            var hml = new MLContext(options.Seed);
            var preparation = ScreeningHeads.FitPreparation(hml, ScreeningHeads.FeatureView(hml, train, featureLength));
            var table = FeatureTable.FromDataView(preparation.Transform(ScreeningHeads.FeatureView(hml, train, featureLength)));
            var (bmdTrainer, bmdChoice) = Trainer(hml, definition.Heads.Bmd!, HeadTask.BmdRegression, "Bmd", table, options, tuning, trialLogs, heads, log);
            var (classTrainer, classChoice) = Trainer(hml, definition.Heads.Class!, HeadTask.ClassMulticlass, "Class", table, options, tuning, trialLogs, heads, log);
            choices.AddRange([bmdChoice, classChoice]);
            headsModel = ScreeningHeads.Fit(hml, preparation, table, bmdTrainer, classTrainer);
            model = featurizer.Append(headsModel);
        }
        else heads["bmd"] = $"HU line: BMD = {huLine.Intercept:F2} + {huLine.Slope:F4}·HU (n = {huLine.Cases}, residual SD {huLine.ResidualSd:F2}); ACR thresholds 80/120";

        var bundle = Write(ml, definition, outputDirectory, model, view.Schema, segmentation, features, huLine, heads, featureLength, train.Count, trialLogs, options.IntendedUse);
        return new TrainingResult(bundle, rows, tuning, headsModel) { Choices = choices };
    }

    /// <summary>Segment → measure → (crop → DenseNet) → concatenate, as the definition says.</summary>
    public static IEstimator<ITransformer> BuildFeaturizer(MLContext ml, PipelineDefinition definition, PipelineRuntime runtime, string? featuresModel)
    {
        IEstimator<ITransformer> chain = ml.Transforms.SegmentVertebrae(runtime).Append(ml.Transforms.MeasureTrabecularBone(runtime));
        if (definition.UsesDenseNet) chain = chain.Append(ml.Transforms.ExtractDenseNetFeatures(runtime, featuresModel!));
        if (!definition.IsHuBaseline) chain = chain.Append(ml.Transforms.Concatenate(ScreeningHeads.Features, definition.FeatureColumns.ToArray()));
        return chain;
    }

    private static (IEstimator<ITransformer>, HeadChoice) Trainer(MLContext ml, TrainerChoice fixedChoice, HeadTask task, string label, FeatureTable table,
        TrainingOptions options, List<TuningResult> tuning, Dictionary<string, IReadOnlyList<TrialRecord>> trialLogs, Dictionary<string, string> heads, Action<string> log)
    {
        var name = task == HeadTask.BmdRegression ? "bmd" : "class";
        var metric = task == HeadTask.BmdRegression ? TuningMetric.MeanAbsoluteError : TuningMetric.MacroAuc;
        if (options.Tuner is not { } tuner)
        {
            var chosen = fixedChoice.Build(task);
            heads[name] = $"{chosen.Family.Name} ({chosen.Parameters}), fixed by the pipeline definition";
            var record = CrossValidateFixed(table, chosen, metric, options.Seed, name, log);
            if (record is not null) trialLogs[name] = [record];
            return (chosen.Family.Build(ml, chosen.Parameters, label), new HeadChoice(task, chosen.Family, chosen.Parameters, null, metric, record));
        }
        var families = options.TrainerFilter is { } keep ? TrainerCatalog.For(task).Where(keep).ToList() : null;
        if (families is { Count: 0 }) throw new ArgumentException($"no {name} trainer family is left for the tuner to search.");
        log($"tuning the {name} head ({tuner}, {(options.Budget is { } b ? $"{b.TotalSeconds:0} s" : $"{options.MaxTrials} trials")}"
            + $"{(families is null ? "" : $"; {string.Join(", ", families.Select(f => f.Name))}")})");
        var result = new TuningExperiment(new TuningOptions
        {
            Metric = metric, Tuner = tuner, Families = families, TimeBudget = options.Budget, MaxTrials = options.MaxTrials, Seed = options.Seed, Progress = options.Trials,
        }).Run(table);
        tuning.Add(result);
        trialLogs[name] = result.Trials;
        heads[name] = $"{result.BestFamily.Name} ({result.Best.Parameters}), tuned ({tuner}): CV {metric} {result.Best.Metric:F4} ± {result.Best.MetricSd:F4} over {result.Trials.Count} trials";
        return (result.BuildBest(ml, label), new HeadChoice(task, result.BestFamily, result.Best.Parameters, tuner, metric, result.Best));
    }

    /// <summary>
    /// A fixed trainer scored as the tuner scores a trial (same folds, seeds and metrics, in contexts of its own, so the
    /// heads' context is untouched), for the bundle's record and its exports; null, with a note, when it cannot be.
    /// </summary>
    private static TrialRecord? CrossValidateFixed(FeatureTable table, TrainerChoice.ResolvedTrainer chosen, TuningMetric metric, int seed, string name, Action<string> log)
    {
        var options = new TuningOptions { Metric = metric, Seed = seed, MaxTrials = 1 };
        var patients = table.Group.Distinct(StringComparer.Ordinal).Count();
        if (patients < options.Folds)
        {
            log($"the {name} head is not cross-validated: {patients} training patients, fewer than {options.Folds} folds");
            return null;
        }
        return new TuningExperiment(options).CrossValidate(table, chosen.Family, chosen.Parameters);
    }

    private static string Resolve(string baseDirectory, ModelReference reference, string role)
    {
        var directory = Path.GetFullPath(Path.Combine(baseDirectory, reference.Path));
        var problems = ModelVerifier.Verify(directory);
        if (problems.Count > 0) throw new InvalidDataException($"{role} model {directory}: {problems[0]}");
        var card = ModelCard.ReadFolder(directory);
        if (reference.Sha256.Length > 0 && !string.Equals(card.Sha256, reference.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{role} model {directory}: sha256 {card.Sha256} is not the {reference.Sha256} the pipeline definition pins.");
        return directory;
    }

    private static ModelBundle Write(MLContext ml, PipelineDefinition definition, string directory, ITransformer model, DataViewSchema inputSchema,
        string segmentation, string? features, HuLine huLine, Dictionary<string, string> heads, int featureLength, int trainingCases,
        IReadOnlyDictionary<string, IReadOnlyList<TrialRecord>> trialLogs, string? intendedUse)
    {
        Directory.CreateDirectory(directory);
        ModelBundle.CopyModel(segmentation, directory, ModelBundle.SegmentationDirectory);
        var pinned = new PipelineModels(new ModelReference(ModelBundle.SegmentationDirectory, ModelCard.ReadFolder(segmentation).Sha256));
        if (features is not null)
        {
            ModelBundle.CopyModel(features, directory, ModelBundle.FeaturesDirectory);
            pinned = pinned with { Features = new ModelReference(ModelBundle.FeaturesDirectory, ModelCard.ReadFolder(features).Sha256) };
        }
        File.WriteAllText(Path.Combine(directory, ModelBundle.PipelineFile), (definition with { Models = pinned }).ToJson() + "\n");
        ml.ComponentCatalog.RegisterAssembly(typeof(ScreeningTrainer).Assembly);
        var modelPath = Path.Combine(directory, ModelBundle.ModelFile);
        AtomicFile.Write(modelPath, stream => ml.Model.Save(model, inputSchema, stream));
        foreach (var (name, trials) in trialLogs)
            DataFrame.SaveCsv(TuningResult.ToDataFrame(trials), Path.Combine(directory, $"trials-{name}.csv"));
        ModelBundle.Seal(directory, new BundleManifest
        {
            Name = Path.GetFileName(Path.GetFullPath(directory)),
            Pipeline = definition.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            OsteomlVersion = typeof(ScreeningTrainer).Assembly.GetName().Version?.ToString(3) ?? "0",
            Files = new Dictionary<string, string>(),
            FeatureColumns = definition.IsHuBaseline ? [] : definition.FeatureColumns,
            FeatureLength = featureLength,
            HuLine = huLine,
            Heads = heads,
            TrainingCases = trainingCases,
            IntendedUse = intendedUse,
        });
        return ModelBundle.Load(directory);
    }
}
