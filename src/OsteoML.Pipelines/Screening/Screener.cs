using System.Diagnostics;
using Microsoft.ML;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Studies;

namespace OsteoML.Pipelines.Screening;

/// <summary>
/// Screens studies with a loaded bundle: its ML.NET chain (segment → measure → DenseNet → heads) on one study at a
/// time, then the site's calibration profile and the QA flags. Thread-safe: each call transforms its own one-row view.
/// </summary>
public sealed class Screener : IDisposable
{
    private readonly MLContext _ml = new(1);
    private readonly ITransformer _model;
    private readonly FeatureExtractor _extractor;

    public Screener(ModelBundle bundle, string? cacheDirectory = null, DeviceSelection? device = null, int threads = 0)
    {
        Bundle = bundle;
        Runtime = bundle.CreateRuntime(cacheDirectory, device, threads);
        _model = bundle.LoadModel(_ml, Runtime);
        // Cached features are per model: the bundle's model.zip hash is their identity ("raw": caches written before
        // Features were read before the heads' normalisation must not be reused).
        _extractor = new FeatureExtractor(_ml, _model, $"{bundle.ModelSha256}|raw", cacheDirectory);
    }

    public ModelBundle Bundle { get; }
    public PipelineRuntime Runtime { get; }

    /// <summary>Why the CUDA device asked for is not used (read after the first study), or null.</summary>
    public string? DeviceNotice => Runtime.Segmenter.DeviceNotice;

    public StudyResult Screen(StudyRow study) => Screen(study, out _);

    public StudyResult Screen(StudyRow study, out StudyFeatures features)
    {
        var clock = Stopwatch.StartNew();
        features = _extractor.Compute(study);
        var result = StudyResult.From(features, Bundle.Manifest.HuLine!, Bundle.Definition.IsHuBaseline, Bundle.Profiles, clock.Elapsed.TotalSeconds);
        if (result.Status == StudyResult.Failed || !Runtime.Store.Contains(features.SegmentationKey)) return result;
        // Fractures are graded on every named vertebra, whether or not L1/L2 gave a BMD (the chain just read the volume).
        var volume = Runtime.Volumes.Load(study.SeriesPath, study.SeriesInstanceUid);
        var thickness = result.SliceThicknessMm ?? volume.Hu.Geometry.Spacing.Z;
        return result with
        {
            Vertebrae = VertebralFractures.Assess(Runtime.Store.Get(features.SegmentationKey), volume.Hu.Geometry, thickness),
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
        };
    }

    /// <summary>Features and global predictions of many studies (cached when the screener has a cache folder).</summary>
    public IReadOnlyList<StudyFeatures> Featurize(IReadOnlyList<StudyRow> studies, int jobs = 1, Action<StudyFeatures>? progress = null) =>
        _extractor.Extract(studies, jobs, progress);

    public void Dispose() => Runtime.Dispose();
}
