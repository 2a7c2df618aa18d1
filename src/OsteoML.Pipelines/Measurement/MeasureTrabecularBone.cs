using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace OsteoML.Pipelines.Measurement;

/// <summary>Columns MeasureTrabecularBone reads.</summary>
public sealed class MeasureTrabecularBoneInput
{
    public string SeriesPath { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
    public string SegmentationKey { get; set; } = "";
}

/// <summary>Columns MeasureTrabecularBone adds. Vector layouts are in <see cref="MeasureColumns"/>.</summary>
public sealed class MeasureTrabecularBoneOutput
{
    /// <summary>L1 and L2 were identified and measured; false rows carry no BMD.</summary>
    public bool Measurable { get; set; }

    /// <summary>QA flags, ';'-separated (<see cref="QaFlags"/>).</summary>
    public string QaFlags { get; set; } = "";

    public string LevelReason { get; set; } = "";

    [VectorType(MeasureColumns.LevelMeasureCount)]
    public float[] LevelMeasures { get; set; } = new float[MeasureColumns.LevelMeasureCount];

    /// <summary>Mean of the L1 and L2 trabecular mean HU (the HU baseline's input).</summary>
    public float L1L2MeanHu { get; set; }

    [VectorType(MeasureColumns.TissueCount)]
    public float[] TissueHu { get; set; } = new float[MeasureColumns.TissueCount];

    [VectorType(MeasureColumns.AcquisitionCount)]
    public float[] Acquisition { get; set; } = new float[MeasureColumns.AcquisitionCount];

    public float TiltDegrees { get; set; }
    public float MetalCm3 { get; set; }
}

/// <summary>Names of the measure vectors' slots.</summary>
public static class MeasureColumns
{
    public const int LevelMeasureCount = 16, TissueCount = 4, AcquisitionCount = 2;

    public static IReadOnlyList<string> LevelMeasures { get; } =
        StudyMeasurer.MeasuredLevels.SelectMany(l => LevelStatistics.Fields.Select(f => $"{l.ToLowerInvariant()}_{f}")).ToArray();

    public static IReadOnlyList<string> Tissues { get; } = ReferenceTissues.Names.Select(n => $"{n}_hu").ToArray();

    public static IReadOnlyList<string> Acquisition { get; } = ["kvp", "slice_thickness_mm"];
}

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

/// <summary>The estimator of <see cref="PipelineCatalog.MeasureTrabecularBone"/>: nothing to learn.</summary>
public sealed class MeasureTrabecularBoneEstimator(MLContext ml, PipelineRuntime runtime) : IEstimator<ITransformer>
{
    private readonly IEstimator<ITransformer> _mapping =
        ml.Transforms.CustomMapping(new MeasureTrabecularBoneFactory(runtime).GetMapping(), MeasureTrabecularBoneFactory.ContractName);

    public ITransformer Fit(IDataView input) => _mapping.Fit(input);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _mapping.GetOutputSchema(inputSchema);
}
