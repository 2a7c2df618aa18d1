using OsteoML.Inference;
using OsteoML.Pipelines.Features;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Pipelines.Volumes;

namespace OsteoML.Pipelines;

/// <summary>
/// What our CustomMapping stages need beyond the row: the segmentation model (ONNX Runtime session), the stage
/// options, the segmentation store and the volume cache. ML.NET saves a custom stage as its contract name only and
/// recreates it with a parameterless factory when loading, so the loader makes the bundle's runtime
/// <see cref="Current"/> around <c>mlContext.Model.Load</c> (<see cref="Use"/>), and the factories capture it then;
/// when building a pipeline the estimators receive it directly. Learned values never live here: they are in the
/// ML.NET model and the bundle's JSON files.
/// </summary>
public sealed class PipelineRuntime : IDisposable
{
    private static readonly AsyncLocal<PipelineRuntime?> Ambient = new();
    private readonly Lazy<VertebraSegmenter> _segmenter;

    public PipelineRuntime(string segmentationModelDirectory, SegmentationOptions? segmentation = null, MeasurementOptions? measurement = null,
        DenseNetCropSpec? crop = null, string? cacheDirectory = null, DeviceSelection? device = null)
    {
        SegmentationModelDirectory = segmentationModelDirectory;
        SegmentationOptions = segmentation ?? new SegmentationOptions();
        MeasurementOptions = measurement ?? new MeasurementOptions();
        Crop = crop;
        Device = device ?? DeviceSelection.Cpu;
        Store = new SegmentationStore(cacheDirectory is null ? null : Path.Combine(cacheDirectory, SegmentationStore.CacheFolder));
        var card = ModelCard.ReadFolder(segmentationModelDirectory);
        SegmentationModelSha256 = card.Sha256;
        SegmentationSpacingMm = card.Preprocessing.SpacingMm[0];
        _segmenter = new Lazy<VertebraSegmenter>(() => new VertebraSegmenter(segmentationModelDirectory, SegmentationOptions, Device));
    }

    public string SegmentationModelDirectory { get; }
    public string SegmentationModelSha256 { get; }
    /// <summary>The segmentation model's grid spacing (its card), where the DenseNet crop and the tissue ROIs are taken.</summary>
    public double SegmentationSpacingMm { get; }
    public SegmentationOptions SegmentationOptions { get; }
    public MeasurementOptions MeasurementOptions { get; }
    public DenseNetCropSpec? Crop { get; }
    public DeviceSelection Device { get; }
    public SegmentationStore Store { get; }
    public StudyVolumes Volumes { get; } = new();

    /// <summary>The store key of a series' segmentation under this runtime's model: its series UID (or its path when it has
    /// none) and its content (<see cref="OsteoML.Dicom.Series.CtVolume.ContentFingerprint"/>).</summary>
    public string SegmentationKey(string seriesInstanceUid, string seriesPath, string contentFingerprint) =>
        SegmentationStore.Key(seriesInstanceUid.Length > 0 ? seriesInstanceUid : seriesPath, SegmentationModelSha256, contentFingerprint);

    /// <summary>The ONNX session is opened on first use (a run whose segmentations are all cached never opens it).</summary>
    public VertebraSegmenter Segmenter => _segmenter.Value;

    public static PipelineRuntime Current => Ambient.Value
        ?? throw new InvalidOperationException("no OsteoML pipeline runtime: load the model with ModelBundle.Load (it attaches the bundle's ONNX models and options) rather than mlContext.Model.Load alone.");

    /// <summary>Makes this runtime the one factories capture until the returned scope is disposed.</summary>
    public IDisposable Use()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Scope(() => Ambient.Value = previous);
    }

    public void Dispose()
    {
        if (_segmenter.IsValueCreated) _segmenter.Value.Dispose();
    }

    private sealed class Scope(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }
}
