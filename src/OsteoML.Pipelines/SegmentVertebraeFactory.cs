using Microsoft.ML.Transforms;
using OsteoML.Pipelines.Segmentation;

namespace OsteoML.Pipelines;

/// <summary>
/// ML.NET stage: segments the vertebrae of each row's series with the shipped VB-Net-lite (sliding window, Gaussian
/// weighting, resampling to the model's spacing and back) and names L1/L2 by the rib-anchored count. A series
/// already in the store (same series UID, same model sha256) is not segmented again.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SegmentVertebraeFactory : CustomMappingFactory<SegmentVertebraeInput, SegmentVertebraeOutput>
{
    public const string ContractName = "OsteoML.SegmentVertebrae.v1";
    private readonly PipelineRuntime _runtime;

    /// <summary>Used by ML.NET when loading a saved model: takes <see cref="PipelineRuntime.Current"/>.</summary>
    public SegmentVertebraeFactory() : this(PipelineRuntime.Current) { }

    public SegmentVertebraeFactory(PipelineRuntime runtime) => _runtime = runtime;

    public override Action<SegmentVertebraeInput, SegmentVertebraeOutput> GetMapping()
    {
        var runtime = _runtime;
        return (input, output) =>
        {
            // The volume is read first (the measuring stage reads it next, from the same small cache): its slice list is
            // part of the key, so a series that grew since it was cached is segmented again.
            var volume = runtime.Volumes.Load(input.SeriesPath, input.SeriesInstanceUid);
            var key = runtime.SegmentationKey(input.SeriesInstanceUid, input.SeriesPath, volume.ContentFingerprint);
            if (!runtime.Store.TryGet(key, out var segmentation))
            {
                segmentation = runtime.Segmenter.Segment(volume.Hu, volume.SeriesInstanceUid);
                runtime.Store.Put(key, segmentation);
            }
            output.SegmentationKey = key;
            output.LevelStatus = segmentation.Status.ToString();
            output.SegmentationConfidence = (float)segmentation.Confidence;
        };
    }
}
