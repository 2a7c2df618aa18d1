using OsteoML.AutoTune.Tuners;
using OsteoML.Export;
using OsteoML.Inference;
using OsteoML.Pipelines;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;
using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Output;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Rendering;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Export;

/// <summary>
/// What the export tests run on, built once per test run: a 25-study synthetic cohort (the `ci` preset's scanners,
/// 14 training studies), the shipped VB-Net-lite and DenseNet-lite with the cohort's true masks in the segmentation
/// store (the exports are under test, not the segmentation), a bundle of the repository's qct-screening definition
/// (fixed heads), and every study's features and predictions from that bundle's own ML.NET chain — the "ours" the
/// exports are compared with.
/// </summary>
internal sealed class ExportTestData
{
    private static readonly Lazy<ExportTestData> Shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private ExportTestData(string root) => Root = root;

    public static ExportTestData Instance => Shared.Value;

    public string Root { get; }
    public string Cohort => Path.Combine(Root, "cohort");
    public string Cache => Path.Combine(Cohort, ".osteoml-cache");
    public string BundleDirectory => Path.Combine(Root, "model");

    /// <summary>The same pipeline with both heads tuned (cost-frugal tuner, 4 trials each), trained on first use.</summary>
    public string TunedBundleDirectory => _tuned.Value;

    /// <summary>The HU baseline (no ML.NET heads), trained on first use.</summary>
    public string BaselineBundleDirectory => _baseline.Value;

    private Lazy<string> _tuned = null!, _baseline = null!;
    public ModelBundle Bundle { get; private set; } = null!;

    /// <summary>Every measurable study (train, test, independent) through the loaded bundle: features and the chain's predictions.</summary>
    public IReadOnlyList<StudyFeatures> Scored { get; private set; } = [];

    public IReadOnlyList<StudyFeatures> Split(string split) => Scored.Where(f => f.Study.Split == split).ToList();

    /// <summary>The studies the heads were trained on, as the trainer selects them, in its order.</summary>
    public IReadOnlyList<ScreeningHeads.FeatureRow> TrainingRows => Split("train").Select(Row).ToList();

    public static ScreeningHeads.FeatureRow Row(StudyFeatures f) => new() { Features = f.Features, Bmd = f.Study.Bmd, Class = f.Study.Class };

    private static ExportTestData Create()
    {
        var data = new ExportTestData(TestPaths.NewTempDirectory("osteoml-export"));
        var preset = CohortPreset.Ci with
        {
            Name = "export-test",
            Hospitals = CohortPreset.Ci.Hospitals.Select(h => h with
            {
                Scanners = h.Scanners.Select(s => s.Id switch
                {
                    "H1-CT1" => s with { Cases = new SplitCounts(8, 3) },
                    "H1-CT2" => s with { Cases = new SplitCounts(6, 2) },
                    _ => s,
                }).ToList(),
            }).ToList(),
        };
        var written = CohortWriter.Write(SyntheticCohort.Create(preset, 11), data.Cohort, RenderOptions.Reduced);
        if (written.Failures.Count > 0) throw new InvalidOperationException(written.Failures[0].Reason);
        var segmentation = Path.Combine(TestPaths.RepoRoot, "models", "vbnet-lite");
        ReferenceSegmentation.SeedCohort(data.Cohort, data.Cache, segmentation);

        var definition = Path.Combine(TestPaths.RepoRoot, "pipelines", "qct-screening.json");
        var studies = StudySource.FromManifest(Path.Combine(data.Cohort, "manifest.csv"), data.Cohort);
        ScreeningTrainer.Train(PipelineDefinition.Load(definition), definition, studies, data.BundleDirectory, new TrainingOptions { CacheDirectory = data.Cache });
        string Train(string pipeline, string name, TrainingOptions options)
        {
            var path = Path.Combine(TestPaths.RepoRoot, "pipelines", pipeline);
            ScreeningTrainer.Train(PipelineDefinition.Load(path), path, studies, Path.Combine(data.Root, name), options with { CacheDirectory = data.Cache });
            return Path.Combine(data.Root, name);
        }
        data._tuned = new(() => Train("qct-screening.json", "model-tuned", new TrainingOptions { Tuner = TunerKind.Cfo, MaxTrials = 4 }));
        data._baseline = new(() => Train("hu-baseline.json", "hu-baseline", new TrainingOptions()));
        data.Bundle = ModelBundle.Load(data.BundleDirectory);
        // The chain's predictions, and the heads' raw input (the whole chain's Features are normalised in place by the heads).
        using var screener = new Screener(data.Bundle, data.Cache);
        var predicted = screener.Featurize(studies.Studies).ToDictionary(f => f.Study.SeriesInstanceUid);
        data.Scored = BundleFeatures.Extract(data.Bundle, studies.Studies, data.Cache).Where(f => f.Error is null && f.Measurable)
            .Select(f => f with { PredictedBmd = predicted[f.Study.SeriesInstanceUid].PredictedBmd, ClassProbabilities = predicted[f.Study.SeriesInstanceUid].ClassProbabilities })
            .ToList();
        return data;
    }
}
