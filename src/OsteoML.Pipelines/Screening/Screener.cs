using System.Diagnostics;
using Microsoft.ML;
using OsteoML.Calibration;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Fractures;
using OsteoML.Pipelines.Measurement;
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

    /// <summary>
    /// ML.NET writes the DenseNet's ONNX bytes from model.zip to a temporary file when the chain is loaded
    /// (OnnxTransformer: TempFilePath + a random name) and deletes it only when the transformer is disposed — .NET runs
    /// no finalizers at exit, so an undisposed chain left a 1.3 MB copy in the system temp folder per run. The chain
    /// is disposed with the screener, and its temporary folder is private to this screener and removed with it.
    /// </summary>
    private readonly string _temporary = Directory.CreateTempSubdirectory("osteoml-screener-").FullName;

    public Screener(ModelBundle bundle, string? cacheDirectory = null, DeviceSelection? device = null, int threads = 0)
    {
        _ml.TempFilePath = _temporary;
        Bundle = bundle;
        Runtime = bundle.CreateRuntime(cacheDirectory, device, threads);
        _model = bundle.LoadModel(_ml, Runtime);
        // Cached features are per model: the bundle's model.zip hash is their identity ("raw": caches written before
        // Features were read before the heads' normalisation must not be reused).
        _extractor = new FeatureExtractor(_ml, _model, $"{bundle.ModelSha256}|raw", cacheDirectory);
        Provenance = ResultProvenance.Of(bundle, Runtime.SegmentationModelSha256);
    }

    /// <summary>Stamped on every result this screener returns.</summary>
    public ResultProvenance Provenance { get; }

    public ModelBundle Bundle { get; }

    /// <summary>The per-study source screening applies: the phantom calibrations sealed in the bundle, by site key and
    /// kVp (a site without one, or a kVp not scanned, keeps the global model).</summary>
    public IScanCalibration ScanCalibration => _scanCalibration ??= Bundle.PhantomProfiles.Count > 0
        ? ScanCalibrations.Create(CalibrationSource.Phantom, Bundle.PhantomProfiles)
        : ScanCalibrations.Create(CalibrationSource.Global);
    private IScanCalibration? _scanCalibration;

    /// <summary>Where ML.NET writes its temporary copies for this screener (removed by <see cref="Dispose"/>).</summary>
    internal string TemporaryDirectory => _temporary;
    public PipelineRuntime Runtime { get; }

    /// <summary>Why the CUDA device asked for is not used (read after the first study), or null.</summary>
    public string? DeviceNotice => Runtime.Segmenter.DeviceNotice;

    public StudyResult Screen(StudyRow study) => Run(study).Result;

    public StudyResult Screen(StudyRow study, out StudyFeatures features)
    {
        var screened = Run(study);
        features = screened.Features;
        return screened.Result;
    }

    /// <summary>
    /// Screens one study and hands back, with its result, the volume and segmentation it was measured on — what the QA
    /// image and the DICOM objects are drawn from — so the sinks never go back to the runtime's caches for them (a
    /// segmentation could have dropped out of an in-memory store by then).
    /// </summary>
    public ScreenedStudy Run(StudyRow study)
    {
        var clock = Stopwatch.StartNew();
        var features = study.MasksPath.Length > 0 && SeedOwnMasks(study) is { } error
            ? new StudyFeatures { Study = study, Error = error }
            : _extractor.Compute(study);
        var result = StudyResult.From(features, Bundle.Manifest.HuLine!, Bundle.Definition.IsHuBaseline, Bundle.Profiles, clock.Elapsed.TotalSeconds, ScanCalibration)
            with { PatientKey = study.PatientKey.Length > 0 ? study.PatientKey : null, StudyDate = study.StudyDate };
        // Bad files beside the series are not silently "not an image": the study says its series may be incomplete.
        if (study.UnreadableFiles.Count > 0 && !result.QaFlags.Contains(QaFlags.UnreadableFiles))
            result = result with { QaFlags = [.. result.QaFlags, QaFlags.UnreadableFiles] };
        // Features may come from the feature cache without the segmentation stage running: vertebrae only when it is at hand.
        var key = features.SegmentationKey;
        if (result.Status == StudyStatus.Failed || key.Length == 0 || !Runtime.Store.TryGet(key, out var segmentation))
            return new ScreenedStudy(study, Provenance.Stamp(result), features, null, null);
        // Fractures are graded on every named vertebra, whether or not L1/L2 gave a BMD (the chain just read the volume).
        var volume = Runtime.Volumes.Load(study.SeriesPath, study.SeriesInstanceUid);
        var thickness = result.SliceThicknessMm ?? volume.Hu.Geometry.Spacing.Z;
        var assessments = VertebralFractures.Assess(segmentation, volume.Hu.Geometry, thickness);
        result = Provenance.Stamp(result with
        {
            Vertebrae = VertebraResult.From(segmentation, assessments),
            LevelEvidence = segmentation.Identified ? null : BodyEvidence.From(segmentation),
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
        });
        return new ScreenedStudy(study, result, features, volume, segmentation);
    }

    /// <summary>
    /// Puts the segmentation made from the study's own masks where the segmentation stage looks first, so the network is
    /// not run; null, or why the masks cannot be used. Only with an in-memory store: a cache folder would keep the masks'
    /// segmentation under the network's name and hand it to later runs without masks.
    /// </summary>
    private string? SeedOwnMasks(StudyRow study)
    {
        if (Runtime.Store.Directory is not null)
            return $"{study.MasksPath}: own masks cannot be used with a cache folder (its segmentations are the network's); run without --cache-dir.";
        try
        {
            var volume = Runtime.Volumes.Load(study.SeriesPath, study.SeriesInstanceUid);
            var masks = ReferenceVertebrae.Load(study.MasksPath, study.MasksScheme, volume.Hu.Geometry);
            var segmentation = MaskSegmentation.Build(volume, masks, Runtime.SegmentationSpacingMm, Runtime.SegmentationModelSha256);
            Runtime.Store.Put(Runtime.SegmentationKey(study.SeriesInstanceUid, study.SeriesPath, volume.ContentFingerprint), segmentation);
            return null;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    /// <summary>Features and global predictions of many studies (cached when the screener has a cache folder).</summary>
    public IReadOnlyList<StudyFeatures> Featurize(IReadOnlyList<StudyRow> studies, int jobs = 1, Action<StudyFeatures>? progress = null) =>
        _extractor.Extract(studies, jobs, progress);

    public void Dispose()
    {
        (_model as IDisposable)?.Dispose();
        Runtime.Dispose();
        try { Directory.Delete(_temporary, recursive: true); }
        catch (IOException) { /* a file still open elsewhere: the folder is empty or nearly so */ }
    }
}
