using Microsoft.ML.Transforms;
using OsteoML.Pipelines.Measurement;

namespace OsteoML.Pipelines;

/// <summary>
/// ML.NET stage: per level (L1, L2) the trabecular HU mean, median, SD, percentiles and mask volume on the native
/// grid; the reference-tissue HUs (air, subcutaneous fat, muscle, aortic blood) for phantomless calibration; and QA
/// flags (coverage, level count, confidence, slice thickness, contrast, metal, gantry tilt). Reads the volume and the segmentation from the runtime, one row at a time.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class MeasureTrabecularBoneFactory : CustomMappingFactory<MeasureTrabecularBoneInput, MeasureTrabecularBoneOutput>
{
    public const string ContractName = "OsteoML.MeasureTrabecularBone.v1";
    private readonly PipelineRuntime _runtime;

    public MeasureTrabecularBoneFactory() : this(PipelineRuntime.Current) { }

    public MeasureTrabecularBoneFactory(PipelineRuntime runtime) => _runtime = runtime;

    public override Action<MeasureTrabecularBoneInput, MeasureTrabecularBoneOutput> GetMapping()
    {
        var runtime = _runtime;
        return (input, output) =>
        {
            var segmentation = runtime.Store.Get(input.SegmentationKey);
            var volume = runtime.Volumes.Load(input.SeriesPath, input.SeriesInstanceUid);
            Fill(StudyMeasurer.Measure(volume, segmentation, runtime.MeasurementOptions), output);
        };
    }

    internal static void Fill(StudyMeasurement m, MeasureTrabecularBoneOutput output)
    {
        output.Measurable = m.Measurable;
        output.QaFlags = string.Join(';', m.QaFlags);
        output.LevelReason = m.LevelReason;
        output.LevelMeasures = m.Levels.SelectMany(l => l.ToVector()).ToArray();
        output.L1L2MeanHu = (float)m.L1L2MeanHu;
        output.TissueHu = m.Tissues.Select(t => (float)t).ToArray();
        output.Acquisition = [(float)m.Kvp, (float)m.SliceThicknessMm];
        output.TiltDegrees = (float)m.TiltDegrees;
        output.MetalCm3 = (float)m.MetalCm3;
    }
}
